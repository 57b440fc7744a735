import { decodeHTML } from 'entities/decode';
import { classifyName } from '../../lib/shared/document-names';
import type { BinaryFormat } from '../../lib/shared/promotion-contract';

/**
 * What a document is, for the knowledge base and for the screen. The
 * knowledge base picks a parser by the name's extension (lib/shared/
 * promotion-contract.ts); the bytes decide whether that parser will find
 * what the name promises. So:
 *
 * - a text format's name (.txt, .md, .html, .csv) on UTF-8 text: screened;
 *   on anything else: refused (unreadable-text), or, with a PDF or Office
 *   signature, refused as unsupported-format;
 * - a PDF or Office name on its own signature: a binary document, which the
 *   function cannot read (binaryDocuments decides); on anything else,
 *   refused (unsupported-format): an all-text ".pdf" is not screened as text,
 *   since what the parser would make of it is not documented;
 * - any other name (none, .json, .bak, .markdown, a trailing space): the
 *   knowledge base does not index it, so it is refused (unsupported-format)
 *   whatever it holds, and never reaches knowledge/ unscreened;
 * - a .metadata.json sidecar: refused, whatever it holds.
 */
export type ContentKind =
  /** UTF-8 text with no control characters but tab, line breaks and form feed: screened by the guardrail. */
  | { readonly kind: 'text'; readonly markup: boolean }
  /** A PDF or Office document under its own name: indexed by the knowledge base, unreadable here. */
  | { readonly kind: 'binary-document'; readonly format: BinaryFormat }
  /** Neither: refused with the reason. */
  | { readonly kind: 'refused'; readonly reason: 'unreadable-text' | 'unsupported-format' | 'metadata-sidecar' };

/** Bytes read to decide what a file is, when it is too large to be read whole. */
export const SNIFF_BYTES = 8 * 1024;

/**
 * How far into a file a PDF header may start: readers accept leading bytes
 * before `%PDF-`, commonly within the first 1,024, so a header a little way
 * in still makes a PDF.
 */
const PDF_HEADER_WINDOW = 1024;

const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ZIP = [0x50, 0x4b, 0x03, 0x04]; // Office Open XML files are ZIP archives
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]; // Word and Excel 97-2003 files

const startsAt = (bytes: Uint8Array, magic: readonly number[], at: number) =>
  bytes.length >= at + magic.length && magic.every((byte, i) => bytes[at + i] === byte);

function hasPdfHeader(bytes: Uint8Array): boolean {
  const last = Math.min(bytes.length, PDF_HEADER_WINDOW) - PDF_HEADER.length;
  for (let at = 0; at <= last; at++) if (startsAt(bytes, PDF_HEADER, at)) return true;
  return false;
}

/** Whether the bytes carry the signature of a PDF or an Office document (any of them). */
function binarySignature(bytes: Uint8Array): BinaryFormat[] {
  if (hasPdfHeader(bytes)) return ['pdf'];
  if (startsAt(bytes, ZIP, 0)) return ['docx', 'xlsx'];
  if (startsAt(bytes, OLE2, 0)) return ['doc', 'xls'];
  return [];
}

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
 * What the document named `key` is, from its name and bytes (all of them, or
 * the first SNIFF_BYTES or more when `complete` is false).
 */
export function classify(key: string, bytes: Uint8Array, complete: boolean): ContentKind {
  // What the name says (lib/shared/document-names.ts, the rule `npm run
  // ingest` applies too); then the bytes must be what the name promises.
  const named = classifyName(key);
  if (named.kind === 'refused') return named;
  const signature = binarySignature(bytes);
  if (named.kind === 'binary-document') {
    return signature.includes(named.format) ? named : { kind: 'refused', reason: 'unsupported-format' };
  }
  if (signature.length > 0) return { kind: 'refused', reason: 'unsupported-format' };
  if (!isText(bytes, complete)) return { kind: 'refused', reason: 'unreadable-text' };
  // HTML and Markdown may hide text in markup (tags, character references)
  // that the knowledge base's parser resolves: screened a second time as read.
  return named;
}

/**
 * The text of HTML or Markdown roughly as a parser reads it: comments and
 * tags removed, character references decoded (`&#64;`, `&commat;` and the
 * rest of HTML's named references, by the `entities` library). An address
 * written `j&#111;hn@<b></b>example.com` is plain in this reading. Tags are
 * removed without a space, so that a token split by inline markup is joined
 * again; the raw text is screened too, so nothing a block tag separated is
 * lost.
 */
export function readableText(markup: string): string {
  return decodeHTML(markup.replace(/<!--[\s\S]*?-->/g, '').replace(/<\/?[A-Za-z][^<>]*>/g, ''));
}
