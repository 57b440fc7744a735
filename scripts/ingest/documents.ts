/**
 * Which files `npm run ingest` uploads, and under which keys: everything goes
 * to incoming/ (untrusted, never indexed); the promotion function copies what
 * passes the malware scan and the guardrail to knowledge/ under the same
 * relative key.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INCOMING_PREFIX, KNOWLEDGE_PREFIX } from '../../lib/shared/data-layout';
import { refusalByName } from '../../lib/shared/document-names';
import { type BinaryDocumentPolicy, KNOWLEDGE_BASE_MAX_FILE_BYTES } from '../../lib/shared/promotion-contract';
import { UsageError } from '../cli/command';

/**
 * A knowledge base ingests files of at most 50 MB each; a larger one would be
 * promoted and then fail in the ingestion job, so it is not uploaded at all.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html
 */
export const MAX_DOCUMENT_BYTES = KNOWLEDGE_BASE_MAX_FILE_BYTES;

/** S3 refuses keys longer than 1,024 bytes (UTF-8). https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
const MAX_KEY_BYTES = 1024;

export interface Document {
  /** The file on this machine. */
  readonly file: string;
  /** Its path relative to what was named: the part of the key after incoming/. */
  readonly relative: string;
  readonly bytes: number;
}

export interface Collected {
  readonly documents: Document[];
  /** Files left out, each with the reason (hidden files are counted, not listed). */
  readonly skipped: { file: string; reason: string }[];
  readonly hidden: number;
}

export function incomingKey(document: Pick<Document, 'relative'>): string {
  return `${INCOMING_PREFIX}${document.relative}`;
}

/** Where the promotion function puts the copy of an incoming object. */
export function knowledgeKey(incoming: string): string {
  return `${KNOWLEDGE_PREFIX}${incoming.slice(INCOMING_PREFIX.length)}`;
}

/** A size for people: 812 B, 14 KB, 50 MB, 51.5 MB. */
export function megabytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** "1 document", "3 documents". */
export function documentCount(n: number): string {
  return `${n} document${n === 1 ? '' : 's'}`;
}

function toKeyPath(relative: string): string {
  return relative.split(path.sep).join('/');
}

/**
 * The files under `target`: the file itself (keyed by its name), or a folder's
 * files, recursively, keyed by their path from the folder's own name, so that
 * `handbook/hr/leave.md` becomes incoming/handbook/hr/leave.md. Hidden files
 * and folders (".git", ".DS_Store") and symbolic links are left out, and so
 * are files over MAX_DOCUMENT_BYTES and files the promotion function would
 * refuse by their name alone (under `binaryDocuments`).
 */
export function collectDocuments(target: string, binaryDocuments: BinaryDocumentPolicy = 'refuse'): Collected {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UsageError(`${target} does not exist (give a file or a folder)`);
  }
  const found: { file: string; relative: string; bytes: number }[] = [];
  let hidden = 0;
  const skipped: Collected['skipped'] = [];
  if (stat.isFile()) {
    found.push({ file: target, relative: path.basename(target), bytes: stat.size });
  } else if (stat.isDirectory()) {
    // The folder's own name, even for "." or a trailing slash.
    const base = path.basename(path.resolve(target));
    const walk = (dir: string, relative: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const file = path.join(dir, entry.name);
        const rel = path.join(relative, entry.name);
        if (entry.name.startsWith('.')) hidden++;
        else if (entry.isSymbolicLink()) skipped.push({ file, reason: 'symbolic link (not followed)' });
        else if (entry.isDirectory()) walk(file, rel);
        else if (entry.isFile()) found.push({ file, relative: rel, bytes: fs.statSync(file).size });
      }
    };
    walk(target, base);
  } else {
    throw new UsageError(`${target} is neither a file nor a folder`);
  }
  return checked(found, skipped, hidden, binaryDocuments);
}

/**
 * The sample corpus: the project's own docs/*.md, written by the project, so
 * nothing in it is anyone's personal data. Keyed as incoming/docs/<name>.md.
 */
export function sampleDocuments(docsDir: string, binaryDocuments: BinaryDocumentPolicy = 'refuse'): Collected {
  const found = fs
    .readdirSync(docsDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const file = path.join(docsDir, name);
      return { file, relative: path.join('docs', name), bytes: fs.statSync(file).size };
    });
  return checked(found, [], 0, binaryDocuments);
}

/**
 * Why the promotion function would refuse a file by its name alone, in its
 * own reason names (lib/shared/promotion-contract.ts): uploading it would
 * only leave it tagged in incoming/ and raise an alert.
 */
const REFUSED_BY_NAME: Record<string, string> = {
  'unsupported-format':
    'a knowledge base indexes only .txt, .md, .html, .csv, .pdf, .doc, .docx, .xls and .xlsx files (by the exact extension)',
  'metadata-sidecar':
    'a .metadata.json file is read as the metadata of another document; the promotion function refuses it',
  'binary-not-screened':
    'PDF and Office documents cannot be screened by the promotion function, and binaryDocuments is "refuse"',
};

function checked(
  found: Document[],
  skipped: Collected['skipped'],
  hidden: number,
  binaryDocuments: BinaryDocumentPolicy,
): Collected {
  const documents: Document[] = [];
  for (const document of found) {
    const relative = toKeyPath(document.relative);
    const refusal = refusalByName(relative, binaryDocuments);
    if (refusal) {
      skipped.push({ file: document.file, reason: `${refusal}: ${REFUSED_BY_NAME[refusal] ?? 'refused by name'}` });
    } else if (document.bytes > MAX_DOCUMENT_BYTES) {
      skipped.push({
        file: document.file,
        reason: `${megabytes(document.bytes)}: a knowledge base takes files of at most ${megabytes(MAX_DOCUMENT_BYTES)}`,
      });
    } else if (Buffer.byteLength(incomingKey({ relative })) > MAX_KEY_BYTES) {
      skipped.push({ file: document.file, reason: `its key would be longer than ${MAX_KEY_BYTES} bytes` });
    } else {
      documents.push({ ...document, relative });
    }
  }
  return { documents, skipped, hidden };
}

/** A Content-Type for the formats a knowledge base reads; S3 stores others as binary/octet-stream. */
export function contentType(file: string): string | undefined {
  const types: Record<string, string> = {
    '.md': 'text/markdown; charset=utf-8',
    '.txt': 'text/plain; charset=utf-8',
    '.html': 'text/html; charset=utf-8',
    '.csv': 'text/csv; charset=utf-8',
    '.pdf': 'application/pdf',
    '.doc': 'application/msword',
    '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    '.xls': 'application/vnd.ms-excel',
    '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
  return types[path.extname(file).toLowerCase()];
}
