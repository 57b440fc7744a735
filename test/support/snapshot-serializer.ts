/**
 * Jest snapshot serializer that removes run-to-run noise from templates.
 *
 * Asset hashes (64 hex characters, alone or as `<hash>.zip` / `<hash>.json`)
 * change whenever a bundled file or the CDK version changes; they say nothing
 * about the infrastructure, so they are replaced by a placeholder.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;
const PLACEHOLDER = '[ASSET HASH]';

function hasHash(value: unknown): value is string {
  return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
}

const serializer = {
  test: hasHash,
  serialize(value: string, config: unknown, indentation: string, depth: number, refs: unknown, printer: Printer) {
    return printer(value.replace(ASSET_HASH, PLACEHOLDER), config, indentation, depth, refs);
  },
};

type Printer = (value: unknown, config: unknown, indentation: string, depth: number, refs: unknown) => string;

export = serializer;
