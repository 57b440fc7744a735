import { METADATA_SIDECAR_SUFFIX, TEXT_FORMAT_EXTENSIONS } from '../../lib/shared/promotion-contract';

/**
 * What a document is, decided from its bytes and, only where the bytes leave
 * a choice, from the name the knowledge base will see. A name decides nothing
 * about screening: a README with no extension, `notes.md ` with a trailing
 * space, a .csv, .html or .json are text, so they are screened like a .txt.
 *
 * The knowledge base indexes plain text, Markdown, HTML, CSV, Word, Excel and
 * PDF files (https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html,
 * "Supported document formats and limits for knowledge base data").
 */
export type ContentKind =
  /** UTF-8 text with no control characters but tab, line breaks and form feed: screened by the guardrail. */
  | { readonly kind: 'text' }
  /** A PDF or Office document under its own name: indexed by the knowledge base, unreadable here. */
  | { readonly kind: 'binary-document'; readonly format: BinaryFormat }
  /** Neither: refused with the reason. */
  | { readonly kind: 'refused'; readonly reason: 'unreadable-text' | 'unsupported-format' | 'metadata-sidecar' };

export type BinaryFormat = 'pdf' | 'docx' | 'xlsx' | 'doc' | 'xls';

/** Bytes read to decide what a file is, when it is too large to be read whole. */
export const SNIFF_BYTES = 8 * 1024;

/**
 * Signatures of the binary formats the knowledge base indexes, with the names
 * it knows them by. Office Open XML files are ZIP archives; Word 97-2003 and
 * Excel 97-2003 files are OLE2 compound files.
 */
const SIGNATURES: readonly { readonly magic: readonly number[]; readonly formats: readonly BinaryFormat[] }[] = [
  { magic: [0x25, 0x50, 0x44, 0x46, 0x2d], formats: ['pdf'] }, // %PDF-
  { magic: [0x50, 0x4b, 0x03, 0x04], formats: ['docx', 'xlsx'] }, // PK\3\4
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], formats: ['doc', 'xls'] },
];

/** The part of the name after the last dot, lower case; none for a name without one. */
function extension(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);

/**
 * Whether the bytes are text: strict UTF-8 (a byte-order mark allowed) and no
 * control character other than tab, line feed, carriage return and form
 * feed. `complete` is false when `bytes` is only the start of the file: a
 * character cut at the end of the sample is then not an error.
 */
export function isText(bytes: Uint8Array, complete: boolean): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !complete });
    // eslint-disable-next-line no-control-regex
    return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

/**
 * What the document named `key` is, from its bytes (all of them, or the
 * first SNIFF_BYTES or more when `complete` is false).
 */
export function classify(key: string, bytes: Uint8Array, complete: boolean): ContentKind {
  // A sidecar is metadata for another document whatever it holds; promoted,
  // it would attach attributes (filters, citations) to that document.
  if (key.trimEnd().toLowerCase().endsWith(METADATA_SIDECAR_SUFFIX)) {
    return { kind: 'refused', reason: 'metadata-sidecar' };
  }
  const named = extension(key.trimEnd());
  // The signature first: a PDF may be all ASCII (its streams ASCII85), and
  // its syntax screened as text would say nothing about the text the
  // knowledge base extracts from it.
  const signature = SIGNATURES.find(({ magic }) => startsWith(bytes, magic));
  if (signature) {
    const format = signature.formats.find((candidate) => candidate === named);
    return format ? { kind: 'binary-document', format } : { kind: 'refused', reason: 'unsupported-format' };
  }
  if (isText(bytes, complete)) return { kind: 'text' };
  // Neither a document format nor text. Under a text format's name the
  // knowledge base would index a garbled reading of it.
  const textName = TEXT_FORMAT_EXTENSIONS.some((suffix) => `.${named}` === suffix);
  return { kind: 'refused', reason: textName ? 'unreadable-text' : 'unsupported-format' };
}
