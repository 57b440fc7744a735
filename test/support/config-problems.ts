import { ConfigError, parseConfig } from '../../lib/config';

/** The problems parseConfig reports for `context`; fails the test if it accepts it. */
export function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    parseConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}
