/**
 * npm run ingest: put documents where the knowledge base may get them from.
 * They go to incoming/ of the data bucket, which is never indexed; GuardDuty
 * scans each one, and the promotion function (Ingestion stack) copies the
 * clean ones that pass the guardrail to knowledge/, where the knowledge base's
 * data source reads. --wait follows each document to that decision.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import * as path from 'node:path';
import { stackNames } from '../lib/shared/names';
import {
  type BinaryDocumentPolicy,
  INCOMING_PREFIX,
  KNOWLEDGE_PREFIX,
  PROMOTION_TAG,
} from '../lib/shared/promotion-contract';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, JSON_OPTION, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { type Io, json } from './cli/output';
import { stackOutputs } from './cli/stack-outputs';
import { ROOT } from './generated-block';
import {
  type Collected,
  collectDocuments,
  documentCount,
  MAX_DOCUMENT_BYTES,
  megabytes,
  sampleDocuments,
} from './ingest/documents';
import {
  outcomeTable,
  type PromotionOutcome,
  type Uploaded,
  uploadDocument,
  waitForPromotion,
} from './ingest/promotion';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';

/** GuardDuty's scan and the promotion take about a minute; five gives room for a slow scan. */
export const DEFAULT_WAIT_SECONDS = 300;
const POLL_INTERVAL_MS = 5_000;

export const command = {
  name: 'ingest',
  summary:
    'Upload documents for the knowledge base; they are indexed once they pass the malware scan and the guardrail.',
  description: `Uploads a file, or a folder's files (recursively, hidden files left out), to ${INCOMING_PREFIX} of the data bucket, encrypted with the project key. A folder's files keep their path from the folder's name (handbook/hr/leave.md becomes ${INCOMING_PREFIX}handbook/hr/leave.md). Nothing in ${INCOMING_PREFIX} is indexed: GuardDuty scans each document, and the promotion function copies clean ones whose text passes the guardrail to ${KNOWLEDGE_PREFIX} and starts an ingestion job; a refused one stays in ${INCOMING_PREFIX} with the tag ${PROMOTION_TAG}=<reason>. The scan plus promotion takes about a minute; --wait follows them and prints a table. Not uploaded: files over ${megabytes(MAX_DOCUMENT_BYTES)} (the knowledge base's limit), and files the promotion function refuses by their name alone, with its reason: unsupported-format (an extension the knowledge base does not index, such as .json, .markdown or none), metadata-sidecar (*.metadata.json) and, when the binaryDocuments setting is "refuse", binary-not-screened (PDF and Office files). Exits 1 when a document is refused, not decided in time, or not uploaded.`,
  positional: { name: 'path', description: 'The file or folder to upload (not with --sample).', optional: true },
  options: {
    sample: {
      type: 'boolean',
      description: "Upload the sample corpus instead of a path: the project's own docs/*.md.",
    },
    wait: {
      type: 'boolean',
      description: 'Wait until each document is promoted to knowledge/ or refused, then print a table.',
    },
    timeout: {
      type: 'number',
      placeholder: 'seconds',
      integer: true,
      min: 10,
      max: 3600,
      default: DEFAULT_WAIT_SECONDS,
      description: 'How long --wait waits for the decisions.',
    },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: JSON_OPTION,
  },
  examples: [
    'npm run ingest -- --sample --wait',
    'npm run ingest -- ./handbook --wait --profile dev',
    'npm run ingest -- policy.md',
  ],
} as const satisfies CommandSpec;

export type IngestParsed = Parsed<typeof command.options>;

export interface IngestClients {
  readonly s3: Pick<S3Client, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
}

export interface IngestDeps {
  readonly resolve: (flags: { region?: string; profile?: string }) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => IngestClients;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Where the sample corpus is read from. */
  readonly docsDir: string;
  /**
   * The binaryDocuments setting, which decides whether PDF and Office files are worth uploading.
   * @default - the project's configuration (cdk.json and cdk.context.json)
   */
  readonly binaryDocuments?: () => BinaryDocumentPolicy;
}

const realDeps: IngestDeps = {
  resolve: resolveAws,
  clients: ({ region, credentials }) => ({
    s3: new S3Client({ region, credentials }),
    cloudformation: new CloudFormationClient({ region, credentials }),
  }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
  docsDir: path.join(ROOT, 'docs'),
};

/**
 * What to upload, from the command line; a path that does not exist is a usage error. Files the promotion
 * function would refuse by name are skipped, with its reason.
 */
export function documentsToUpload(
  { values, positional }: IngestParsed,
  docsDir: string,
  binaryDocuments: BinaryDocumentPolicy = 'refuse',
): Collected {
  if (values.sample && positional !== undefined) {
    throw new UsageError(`give a path or --sample, not both (got "${positional}")`);
  }
  if (!values.sample && positional === undefined) throw new UsageError('give a file or folder to upload, or --sample');
  const collected = values.sample
    ? sampleDocuments(docsDir, binaryDocuments)
    : collectDocuments(positional ?? '', binaryDocuments);
  if (collected.documents.length === 0 && collected.skipped.length === 0) {
    throw new UsageError(
      `no files to upload in ${values.sample ? docsDir : positional}${collected.hidden > 0 ? ` (${collected.hidden} hidden left out)` : ''}`,
    );
  }
  return collected;
}

/** An access-denied error, with the permissions this command needs. */
function accessHint(error: unknown, what: string): Error {
  if (error instanceof Error && /AccessDenied|Forbidden/.test(error.name)) {
    return new Error(
      `${what}: access denied (${error.message}). Uploading needs s3:PutObject on ${INCOMING_PREFIX}* of the data bucket and kms:GenerateDataKey on the project key; --wait also needs s3:GetObjectVersionTagging on ${INCOMING_PREFIX}*, s3:GetObject on ${KNOWLEDGE_PREFIX}* and s3:ListBucket for the prefix ${KNOWLEDGE_PREFIX}. See docs/knowledge-base.md for the policy.`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

export async function ingest(parsed: IngestParsed, io: Io, deps: IngestDeps = realDeps): Promise<number> {
  const { values } = parsed;
  const binaryDocuments = (deps.binaryDocuments ?? (() => projectConfig().binaryDocuments))();
  const collected = documentsToUpload(parsed, deps.docsDir, binaryDocuments);
  const appName = values.app ?? projectConfig().appName;
  const names = stackNames(appName);
  const ingestionStack = names.ingestion;
  const target = await deps.resolve(values);
  const { s3, cloudformation } = deps.clients(target);

  io.progress(`reading the outputs of ${names.dataProtection} and ${ingestionStack} in ${target.region}`);
  const data = await stackOutputs(cloudformation, names.dataProtection);
  if (!data?.DataBucketName || !data.ProjectKeyArn) {
    io.err(
      `${names.dataProtection} ${data ? 'has no DataBucketName/ProjectKeyArn output' : 'does not exist'} in ${target.region}: deploy the app (npx cdk deploy --all) with the same appName, or pass --app / --region.`,
    );
    return 1;
  }
  const ingestion = await stackOutputs(cloudformation, ingestionStack);
  if (!ingestion) {
    io.err(
      `${ingestionStack} does not exist in ${target.region}, so nothing would promote documents from ${INCOMING_PREFIX}: deploy with the knowledgeBase setting on (it needs malwareProtection on).`,
    );
    return 1;
  }
  const destination = { bucket: data.DataBucketName, keyArn: data.ProjectKeyArn };

  for (const { file, reason } of collected.skipped) io.err(`not uploaded: ${file} (${reason})`);
  if (collected.hidden > 0) io.progress(`${collected.hidden} hidden files or folders left out`);
  const uploads: Uploaded[] = [];
  for (const document of collected.documents) {
    io.progress(`uploading ${document.file} (${megabytes(document.bytes)})`);
    try {
      uploads.push(await uploadDocument(s3, destination, document));
    } catch (error) {
      throw accessHint(error, `uploading ${document.file} to s3://${destination.bucket}/${INCOMING_PREFIX}`);
    }
  }

  let outcomes: PromotionOutcome[] | undefined;
  if (values.wait && uploads.length > 0) {
    io.progress(
      `waiting for the malware scan and promotion of ${documentCount(uploads.length)} (about a minute; at most ${values.timeout} s)`,
    );
    try {
      outcomes = await waitForPromotion(s3, destination.bucket, uploads, {
        timeoutMs: values.timeout * 1000,
        intervalMs: POLL_INTERVAL_MS,
        sleep: deps.sleep,
        now: deps.now,
        progress: (message) => io.progress(message),
      });
    } catch (error) {
      throw accessHint(error, 'following the promotion');
    }
  }
  const failed =
    collected.skipped.length > 0 || (outcomes ?? []).some((o) => o.result !== 'promoted') || uploads.length === 0;

  if (values.json) {
    json(io, {
      app: appName,
      region: target.region,
      bucket: destination.bucket,
      ok: !failed,
      uploaded: outcomes ?? uploads,
      skipped: collected.skipped,
    });
    return failed ? 1 : 0;
  }
  if (!outcomes) {
    io.out(
      `Uploaded ${documentCount(uploads.length)} to s3://${destination.bucket}/${INCOMING_PREFIX}:\n${uploads.map((u) => `  ${u.key}`).join('\n')}`,
    );
    if (uploads.length > 0) {
      io.out(
        `GuardDuty scans each one and the promotion function copies the clean ones to ${KNOWLEDGE_PREFIX}; that takes about a minute, then the ingestion job indexes them. Follow it with --wait next time.`,
      );
    }
    return failed ? 1 : 0;
  }
  io.out(
    `Promotion of ${documentCount(uploads.length)} in s3://${destination.bucket}:\n${outcomeTable(outcomes, io.colour)}`,
  );
  const count = (result: PromotionOutcome['result']) => outcomes.filter((o) => o.result === result).length;
  if (count('promoted') > 0) {
    io.out(
      `The ingestion job indexes promoted documents within a few minutes; then ask: npm run ask -- --knowledge "your question"`,
    );
  }
  if (count('refused') > 0) {
    io.out(
      `Refused documents stay in ${INCOMING_PREFIX} tagged ${PROMOTION_TAG}=<reason>, and the alert topic was told; fix the document and upload it again.`,
    );
  }
  if (count('timeout') > 0) {
    io.out(
      `Not decided in time: run with a longer --timeout; if documents stay unscanned, check the malware protection plan (npm run verify -- --only malware); if scanned but not promoted, look in the dead-letter queue ${ingestion.PromotionDeadLetterQueueUrl ?? `of ${ingestionStack}`} and the log of ${ingestion.PromotionFunctionName ?? 'the promotion function'}.`,
    );
  }
  return failed ? 1 : 0;
}

runCommand(module, command, (parsed, io) => ingest(parsed, io));
