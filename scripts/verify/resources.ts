/**
 * What the delivery checks share: the deployed stacks' resources (for the
 * names and ids no stack outputs), CloudWatch sums, and the newest object
 * under an S3 prefix.
 */
import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { type Dimension, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command, type _Object } from '@aws-sdk/client-s3';
import { stackResourceList } from '../cli/stack-outputs';
import { isOutcome, type Outcome, stack, type StackKind, type VerifyContext } from './context';

const cache = new WeakMap<VerifyContext, Map<StackKind, Promise<StackResourceSummary[]>>>();

/**
 * Every resource of a deployed stack (ListStackResources, all pages), read
 * once per run; the outcome of `stack()` when the stack is missing.
 */
export async function stackResources(
  context: VerifyContext,
  kind: StackKind,
): Promise<StackResourceSummary[] | Outcome> {
  const outputs = stack(context, kind);
  if (isOutcome(outputs)) return outputs;
  const perRun = cache.get(context) ?? new Map<StackKind, Promise<StackResourceSummary[]>>();
  cache.set(context, perRun);
  let resources = perRun.get(kind);
  if (!resources) {
    resources = stackResourceList(context.clients.cloudformation, context.outputs.names[kind]);
    perRun.set(kind, resources);
  }
  return resources;
}

/**
 * The deployed resources of one CloudFormation type, optionally only those
 * whose logical id starts with `logicalIdPrefix` (the construct path CDK
 * builds it from, without the hash suffix).
 */
export function ofType(
  resources: readonly StackResourceSummary[],
  type: string,
  logicalIdPrefix = '',
): StackResourceSummary[] {
  return resources.filter(
    (r) =>
      r.ResourceType === type &&
      (r.LogicalResourceId ?? '').startsWith(logicalIdPrefix) &&
      !!r.PhysicalResourceId &&
      !/DELETE/.test(r.ResourceStatus ?? ''),
  );
}

/** The account and region of an ARN (arn:partition:service:region:account:resource). */
export function arnParts(arn: string): { partition: string; region: string; account: string } {
  const [, partition = 'aws', , region = '', account = ''] = arn.split(':');
  return { partition, region, account };
}

/** The sum of a CloudWatch metric from `since` to now, one-minute periods (one-hour past a day). */
export async function metricSum(
  context: VerifyContext,
  namespace: string,
  metric: string,
  dimensions: Dimension[],
  since: number,
): Promise<number> {
  const span = context.now() - since;
  const { Datapoints } = await context.clients.cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: dimensions,
      StartTime: new Date(since - 5 * 60_000),
      EndTime: new Date(context.now() + 60_000),
      Period: span > 24 * 3600_000 - 10 * 60_000 ? 3600 : 60,
      Statistics: ['Sum'],
    }),
  );
  return (Datapoints ?? []).reduce((sum, d) => sum + (d.Sum ?? 0), 0);
}

/** An S3 listing is cut at this many pages (of 1,000 keys): enough for a sandbox, bounded for a busy bucket. */
const MAX_PAGES = 10;

/**
 * The newest object under `prefix` (by LastModified) among the first
 * MAX_PAGES pages, or undefined when there is none.
 */
export async function newestObject(
  context: VerifyContext,
  bucket: string,
  prefix: string,
  accept: (object: _Object) => boolean = () => true,
): Promise<_Object | undefined> {
  let newest: _Object | undefined;
  let ContinuationToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listing = await context.clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const object of listing.Contents ?? []) {
      if (!accept(object)) continue;
      if (!newest || (object.LastModified?.getTime() ?? 0) > (newest.LastModified?.getTime() ?? 0)) newest = object;
    }
    ContinuationToken = listing.IsTruncated ? listing.NextContinuationToken : undefined;
    if (!ContinuationToken) break;
  }
  return newest;
}

/** "3 h 20 min" / "12 min": how long ago, for a detail line. */
export function age(context: VerifyContext, time: Date | number | undefined): string {
  if (time === undefined) return 'unknown';
  const minutes = Math.max(0, Math.round((context.now() - new Date(time).getTime()) / 60_000));
  return minutes >= 120 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
