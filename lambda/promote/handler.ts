import type { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { INCOMING_PREFIX } from '../../lib/shared/promotion-contract';
import { describeError, type Logger, RetryLater } from './errors';
import { isCleanScan, MalformedEvent, parseScanResult, type ScanResult } from './event';
import { ensureIngestion } from './ingestion';
import { destinationKey, findPromoted, headIfPresent, type Source } from './promote';
import { ingestionAlertSubject, publishAlert, type Refusal, refuse } from './refuse';
import { screener } from './screen';
import type { PromotionSettings } from './settings';

/**
 * The promotion function: SQS batches of GuardDuty Malware Protection scan
 * results for the data bucket. A clean document in incoming/ is copied to
 * knowledge/ (text first passes the ingestion guardrail: the sensitive-information policy alone)
 * and an ingestion job is made sure of; anything else stays in incoming/,
 * tagged with the reason, and is reported on the alert topic.
 *
 * Records that fail are returned as batch item failures
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
 * SQS delivers them again after the visibility timeout, and after the queue's
 * maxReceiveCount moves them to the dead-letter queue, which the alerts watch.
 * That covers transient AWS errors and waiting for an ingestion job, and also
 * a malformed body or missing settings: retrying those is pointless but
 * cheap, and failing them is what gets them to the dead-letter queue, where
 * someone looks, instead of being dropped.
 */

export interface HandlerDependencies {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bedrock: Pick<BedrockRuntimeClient, 'send'>;
  readonly agent: Pick<BedrockAgentClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly settings: PromotionSettings | Error;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The settings, and whether this invocation's time is up. */
type BatchSettings = PromotionSettings & { readonly outOfTime: () => boolean };

/**
 * Time kept back from the invocation's end: a record's last calls (a copy, a
 * tag, an alert, the ingestion calls) and the batch response must fit in it.
 * With a batch whose guardrail checks would outlast the timeout, the
 * function stops starting work before then and returns what is left as
 * failures, to be delivered again, instead of being ended by Lambda with the
 * whole batch failed and every record's receive count raised.
 */
export const RESERVE_MS = 20_000;

type Outcome = 'ignored' | 'superseded' | 'gone' | 'promoted' | 'already-promoted' | 'refused' | 'already-refused';

export type PromotionHandler = (
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse>;

export function createHandler(deps: HandlerDependencies): PromotionHandler {
  const { s3, bedrock, agent, sns, logger } = deps;
  const now = deps.now ?? Date.now;
  const screenAndCopy = screener({ s3, bedrock, logger, now });

  async function refuseWith(settings: BatchSettings, source: Source, refusal: Refusal): Promise<Outcome> {
    const done = await refuse(s3, sns, source, refusal, settings, logger);
    logger.info(done === 'refused' ? 'Document refused' : 'Document already refused', {
      key: source.key,
      versionId: source.versionId,
      reason: refusal.reason,
    });
    return done;
  }

  async function promote(settings: BatchSettings, scanned: ScanResult): Promise<Outcome> {
    const scan = await withStoredKey(scanned);
    const source: Source = { bucket: scan.bucket, key: scan.key, versionId: scan.versionId };
    const destination = destinationKey(scan.key);
    let promoted = await findPromoted(s3, source, destination);
    const outcome: Outcome = promoted ? 'already-promoted' : 'promoted';
    if (!promoted) {
      // Only the key's current version is promoted: an older verdict arriving
      // late must not replace a newer document (whose own event promotes it).
      const latest = await headIfPresent(s3, scan.bucket, scan.key);
      if (!latest) {
        logger.info('The document was deleted before promotion', { key: scan.key, versionId: scan.versionId });
        return 'gone';
      }
      if (latest.VersionId !== scan.versionId) {
        logger.info('A newer version of the document exists; this one is not promoted', {
          key: scan.key,
          versionId: scan.versionId,
          latestVersionId: latest.VersionId,
        });
        return 'superseded';
      }
      const result = await screenAndCopy(settings, source, destination, latest);
      if ('reason' in result) return refuseWith(settings, source, result);
      promoted = result;
      logger.info('Document promoted', { key: scan.key, versionId: scan.versionId, destination });
    }
    const ingestion = await ensureIngestion(agent, settings, promoted);
    const facts = { key: scan.key, versionId: scan.versionId, destination, ...ingestion };
    if (ingestion.kind === 'indexed') {
      logger.info('Document indexed', facts);
    } else {
      // The document is in knowledge/ but may not be in the index: say so
      // once, with what a person needs to look (the job's statistics count
      // failed documents; the knowledge base's application logs name them).
      await publishAlert(sns, settings.alertTopicArn, ingestionAlertSubject(ingestion), {
        ...facts,
        bucket: scan.bucket,
        look: `aws bedrock-agent get-ingestion-job --knowledge-base-id ${settings.knowledgeBaseId} --data-source-id ${settings.dataSourceId} --ingestion-job-id ${ingestion.jobId ?? '<job id>'}`,
        logGroup: settings.knowledgeBaseLogGroup,
        documentLogs: `aws logs filter-log-events --log-group-name ${settings.knowledgeBaseLogGroup} --filter-pattern '"${ingestion.jobId ?? destination}"'`,
      });
      logger.warn('Ingestion did not index every document; alerted', facts);
    }
    return outcome;
  }

  /**
   * The scan result's key as S3 stores it. AWS does not document whether
   * GuardDuty URL-encodes the key in this event (S3's own notifications do);
   * when the key as given is not there but its decoded form is, the decoded
   * one is meant, rather than a document silently taken for deleted.
   */
  async function withStoredKey(scan: ScanResult): Promise<ScanResult> {
    const decoded = decodeObjectKey(scan.key);
    if (decoded === scan.key || (await headIfPresent(s3, scan.bucket, scan.key))) return scan;
    return (await headIfPresent(s3, scan.bucket, decoded)) ? { ...scan, key: decoded } : scan;
  }

  async function processRecord(settings: BatchSettings, record: SQSRecord): Promise<Outcome> {
    const scan = parseScanResult(record.body);
    if (scan instanceof MalformedEvent) throw scan;
    const name = scan.key.slice(INCOMING_PREFIX.length);
    if (scan.bucket !== settings.dataBucket || !scan.key.startsWith(INCOMING_PREFIX) || !name || name.endsWith('/')) {
      logger.info('Not a document in incoming/ of the data bucket; ignored', { bucket: scan.bucket, key: scan.key });
      return 'ignored';
    }
    const source: Source = { bucket: scan.bucket, key: scan.key, versionId: scan.versionId };
    if (scan.status === 'THREATS_FOUND') {
      return refuseWith(settings, source, { reason: 'malware-found', threats: scan.threats });
    }
    if (!isCleanScan(scan)) {
      return refuseWith(settings, source, {
        reason: 'scan-not-clean',
        scanStatus: scan.scanStatus ?? 'none',
        scanResultStatus: scan.status,
        statusReasons: scan.statusReasons,
      });
    }
    return promote(settings, scan);
  }

  return async (event, context) => {
    const deadline = context ? now() + context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY;
    const outOfTime = () => now() >= deadline - RESERVE_MS;
    const settings = deps.settings;
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    const counts: Record<string, number> = {};
    const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
    const failAll = () => ({
      batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
    });
    if (settings instanceof Error) {
      logger.error('The promotion function is misconfigured; every record is failed', { error: settings.message });
      return failAll();
    }
    const batch: BatchSettings = { ...settings, outOfTime };
    // One record at a time: it keeps ApplyGuardrail within its rate, and a
    // job started for one record covers the next ones of the batch.
    for (const [index, record] of event.Records.entries()) {
      if (outOfTime()) {
        const left = event.Records.slice(index);
        failures.push(...left.map((r) => ({ itemIdentifier: r.messageId })));
        counts.deferred = left.length;
        logger.info('Time is nearly up; the records left are delivered again later', { records: left.length });
        break;
      }
      try {
        count(await processRecord(batch, record));
      } catch (error) {
        failures.push({ itemIdentifier: record.messageId });
        if (error instanceof RetryLater) {
          count('retry-later');
          logger.info('Record retried later', { messageId: record.messageId, why: error.message });
        } else if (error instanceof MalformedEvent) {
          count('malformed');
          logger.error('Malformed scan result; it goes to the dead-letter queue after maxReceiveCount', {
            messageId: record.messageId,
            receiveCount: record.attributes.ApproximateReceiveCount,
            problem: error.message,
          });
        } else {
          count('failed');
          logger.error('Record failed; retried later', { messageId: record.messageId, ...describeError(error) });
        }
      }
    }
    logger.info('Batch done', { records: event.Records.length, ...counts });
    return { batchItemFailures: failures };
  };
}

/** An S3 key as S3 event notifications encode it: '+' for a space, the rest percent-encoded. */
export function decodeObjectKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
