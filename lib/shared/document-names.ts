/**
 * What a document's name says it is, for the knowledge base: the one rule
 * both the promotion function (lambda/promote/content.ts, which then looks at
 * the bytes too) and `npm run ingest` (which skips what would be refused
 * before uploading it) apply. Plain code and values only, so the function's
 * bundle takes nothing else from lib/.
 */
import {
  BINARY_FORMAT_EXTENSIONS,
  type BinaryDocumentPolicy,
  type BinaryFormat,
  METADATA_SIDECAR_SUFFIX,
  type PromotionRefusal,
  TEXT_FORMAT_EXTENSIONS,
} from './promotion-contract';

export type NameKind =
  /** A text format the knowledge base indexes (.txt, .md, .html, .csv); HTML and Markdown carry markup. */
  | { readonly kind: 'text'; readonly markup: boolean }
  /** A PDF or Office format the knowledge base indexes, which the function cannot read to screen. */
  | { readonly kind: 'binary-document'; readonly format: BinaryFormat }
  /** Refused whatever the file holds. */
  | { readonly kind: 'refused'; readonly reason: Extract<PromotionRefusal, 'unsupported-format' | 'metadata-sidecar'> };

/** The exact part of the name after the last dot, lower case; none for a name without one (or only a leading dot). */
export function extensionOf(key: string): string | undefined {
  const base = key.slice(key.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

/**
 * What the name `key` (an S3 key or a file path with "/" separators) says:
 * a `<document>.metadata.json` sidecar is metadata for another document,
 * whatever it holds (promoted, it would attach attributes to that document);
 * a name whose exact extension the knowledge base does not list (none,
 * .json, .markdown, .htm, a trailing space) is not indexed, so it is refused.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html
 */
export function classifyName(key: string): NameKind {
  if (key.trimEnd().toLowerCase().endsWith(METADATA_SIDECAR_SUFFIX)) {
    return { kind: 'refused', reason: 'metadata-sidecar' };
  }
  const named = extensionOf(key);
  const binary = BINARY_FORMAT_EXTENSIONS.find((format) => format === named);
  if (binary) return { kind: 'binary-document', format: binary };
  if (TEXT_FORMAT_EXTENSIONS.some((format) => format === named)) {
    return { kind: 'text', markup: named === 'html' || named === 'md' };
  }
  return { kind: 'refused', reason: 'unsupported-format' };
}

/**
 * The refusal a name alone decides, under a binaryDocuments policy, or
 * undefined when only the content can decide (the promotion function then
 * reads it): what `npm run ingest` does not upload.
 */
export function refusalByName(key: string, binaryDocuments: BinaryDocumentPolicy): PromotionRefusal | undefined {
  const kind = classifyName(key);
  if (kind.kind === 'refused') return kind.reason;
  if (kind.kind === 'binary-document' && binaryDocuments === 'refuse') return 'binary-not-screened';
  return undefined;
}
