/**
 * Empty a retained bucket, every object version and delete marker included
 * (a versioned bucket can only be deleted when no version is left), then
 * delete it.
 *
 * With Object Lock a version under retention cannot be deleted before its
 * retain-until date; we do not bypass governance retention (that is a human
 * decision, and needs s3:BypassGovernanceRetention), we say until when the
 * bucket keeps billing instead. "With governance mode, you protect objects
 * against being deleted by most users, but you can still grant some users
 * permission to alter the retention settings or delete the object if
 * necessary" (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_s3.ObjectLockMode.html).
 */
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { describeError, notFound, type Outcome, type TeardownClients } from './clients';

interface Locked {
  readonly key: string;
  readonly until?: Date;
  readonly legalHold: boolean;
}

/** Why a version could not be deleted: its retention or legal hold, or undefined when neither applies. */
async function lockOf(
  clients: TeardownClients,
  Bucket: string,
  Key: string,
  VersionId: string | undefined,
): Promise<Locked | undefined> {
  const retention = await clients.s3
    .send(new GetObjectRetentionCommand({ Bucket, Key, VersionId }))
    .then((r) => r.Retention?.RetainUntilDate)
    .catch(() => undefined);
  const legalHold = await clients.s3
    .send(new GetObjectLegalHoldCommand({ Bucket, Key, VersionId }))
    .then((r) => r.LegalHold?.Status === 'ON')
    .catch(() => false);
  const until = retention && new Date(retention) > new Date() ? new Date(retention) : undefined;
  return until || legalHold ? { key: Key, until, legalHold } : undefined;
}

/** Delete every version and delete marker; returns the locked versions and any other failure. */
async function emptyBucket(
  clients: TeardownClients,
  Bucket: string,
): Promise<{ deleted: number; locked: Locked[]; errors: string[] }> {
  let deleted = 0;
  const locked: Locked[] = [];
  const errors: string[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker, VersionIdMarker }));
    const Objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    if (Objects.length > 0) {
      const result = await clients.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      const failed = result.Errors ?? [];
      deleted += Objects.length - failed.length;
      for (const e of failed) {
        const lock = e.Code === 'AccessDenied' ? await lockOf(clients, Bucket, e.Key ?? '', e.VersionId) : undefined;
        if (lock) locked.push(lock);
        else errors.push(`${e.Key}: ${e.Code} ${e.Message ?? ''}`.trim());
      }
    }
    if (!page.IsTruncated) break;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
  return { deleted, locked, errors };
}

function lockedText(locked: readonly Locked[]): string {
  const dates = locked.flatMap((l) => (l.until ? [l.until.getTime()] : []));
  const last = dates.length > 0 ? new Date(Math.max(...dates)).toISOString().slice(0, 10) : undefined;
  const holds = locked.filter((l) => l.legalHold).length;
  return [
    `${locked.length} object version(s) under Object Lock`,
    last ? `retained until ${last}` : '',
    holds > 0 ? `${holds} under a legal hold (stays until someone removes the hold)` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Empty and delete `bucket`. A bucket that no longer exists is "gone". */
export async function purgeBucket(clients: TeardownClients, bucket: string): Promise<Outcome> {
  const step = `empty and delete bucket ${bucket}`;
  try {
    let result = await emptyBucket(clients, bucket);
    if (result.locked.length > 0) {
      return {
        step,
        status: 'left',
        detail: `${result.deleted} version(s) deleted; ${lockedText(result.locked)}. Run teardown -- --purge again after that date.`,
        bills: `S3 storage of the locked versions until ${lockedText(result.locked)}`,
      };
    }
    if (result.errors.length > 0) throw new Error(`could not delete: ${result.errors.slice(0, 3).join('; ')}`);
    try {
      await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (error) {
      // Server access logs arrive late, so a log bucket can refill after it was emptied: empty it once more.
      if (!(error instanceof Error && error.name === 'BucketNotEmpty')) throw error;
      result = await emptyBucket(clients, bucket);
      await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
    return { step, status: 'done', detail: `${result.deleted} version(s) and delete marker(s) deleted` };
  } catch (error) {
    if (notFound(error, /NoSuchBucket/)) return { step, status: 'gone' };
    return {
      step,
      status: 'failed',
      detail: `${describeError(error)}. A log bucket may still be receiving logs: run teardown -- --purge again in an hour.`,
      bills: 'S3 storage of what is left in the bucket',
    };
  }
}
