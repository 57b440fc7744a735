/**
 * Account-wide services, one per account and region: which of them run, and
 * which this app turned on. "This app enabled it" is decided from evidence,
 * never from the local configuration: the deployed templates hold the
 * resource that created it, with the same physical id (GuardDuty detector,
 * Macie session, Security Hub hub, Config recorder); for Bedrock model
 * invocation logging, an account setting with no resource of its own, the
 * configured destination is one of this app's log groups or buckets.
 * Anything else is someone else's, and is left running (and said so).
 */
import { GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetMacieSessionCommand } from '@aws-sdk/client-macie2';
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { normalizePrefix } from '../../lambda/invocation-logging/configuration';
import { MODEL_INVOCATIONS_PREFIX } from '../../lib/shared/data-layout';
import { describeError, type TeardownClients } from './clients';
import type { DeployedStack } from './inventory';

export interface AccountService {
  readonly service: string;
  /** What runs, or undefined when the service is not on. */
  readonly running?: string;
  /** The deployed templates hold what created it (or its destination is ours). */
  readonly ours: boolean;
  /** Could not tell (an error other than "not enabled"). */
  readonly unknown?: string;
}

/** The service's "not enabled here" answers: Macie and Security Hub answer with an access error. */
const NOT_ENABLED = /not enabled|not subscribed|is not subscribed|InvalidAccessException|ResourceNotFound/i;

async function probe(
  service: string,
  look: () => Promise<{ running?: string; ours: boolean }>,
): Promise<AccountService> {
  try {
    return { service, ...(await look()) };
  } catch (error) {
    if (error instanceof Error && (NOT_ENABLED.test(error.name) || NOT_ENABLED.test(error.message))) {
      return { service, ours: false };
    }
    return { service, ours: false, unknown: describeError(error) };
  }
}

/** Physical ids of every resource of `type` in any instance of the app's stacks. */
function idsOf(stacks: readonly DeployedStack[], type: string): Set<string> {
  return new Set(
    stacks
      .flatMap((s) => s.resources)
      .filter((r) => r.type === type)
      .map((r) => r.physicalId),
  );
}

export async function accountServices(
  clients: TeardownClients,
  stacks: readonly DeployedStack[],
): Promise<AccountService[]> {
  const detectors = idsOf(stacks, 'AWS::GuardDuty::Detector');
  const recorders = idsOf(stacks, 'AWS::Config::ConfigurationRecorder');
  const logGroups = idsOf(stacks, 'AWS::Logs::LogGroup');
  const buckets = idsOf(stacks, 'AWS::S3::Bucket');
  return Promise.all([
    probe('GuardDuty detector', async () => {
      const { DetectorIds = [] } = await clients.guardduty.send(new ListDetectorsCommand({}));
      return { running: DetectorIds[0], ours: DetectorIds.some((id) => detectors.has(id)) };
    }),
    probe('Macie', async () => {
      const session = await clients.macie.send(new GetMacieSessionCommand({}));
      return { running: `session ${session.status ?? 'ENABLED'}`, ours: idsOf(stacks, 'AWS::Macie::Session').size > 0 };
    }),
    probe('Security Hub', async () => {
      const hub = await clients.securityhub.send(new DescribeHubCommand({}));
      return { running: hub.HubArn, ours: idsOf(stacks, 'AWS::SecurityHub::Hub').size > 0 };
    }),
    probe('AWS Config recorder', async () => {
      const { ConfigurationRecorders = [] } = await clients.config.send(new DescribeConfigurationRecordersCommand({}));
      const names = ConfigurationRecorders.map((r) => r.name ?? '');
      return { running: names[0], ours: names.some((n) => recorders.has(n)) };
    }),
    probe('Bedrock model invocation logging', async () => {
      const { loggingConfig } = await clients.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
      const group = loggingConfig?.cloudWatchConfig?.logGroupName;
      const bucket = loggingConfig?.s3Config?.bucketName;
      if (!group && !bucket) return { ours: false };
      // The same rule as the logging custom resource (ownership() in
      // lambda/invocation-logging/configuration.ts): ours only when BOTH
      // destinations are, the bucket under our prefix. If someone repointed
      // one of them since, the account-wide setting is partly theirs: left on.
      const prefix = normalizePrefix(loggingConfig?.s3Config?.keyPrefix);
      return {
        running: [group && `log group ${group}`, bucket && `bucket ${bucket}/${prefix}`].filter(Boolean).join(', '),
        ours: Boolean(
          group &&
          logGroups.has(group) &&
          bucket &&
          buckets.has(bucket) &&
          prefix === normalizePrefix(MODEL_INVOCATIONS_PREFIX),
        ),
      };
    }),
  ]);
}
