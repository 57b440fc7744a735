/**
 * `--purge`: delete what the stacks' deletion policies left behind, one
 * resource at a time, each step independent (one failure does not stop the
 * rest) and each safe to repeat (what is already gone counts as gone).
 *
 * Order: account-wide services first (they watch the buckets), then the
 * vector store, the model card, the buckets (access-log buckets last: the
 * other buckets log into them), log groups, and the KMS keys last, since the
 * services above need them to delete what they encrypted.
 */
import { DeleteModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { DeleteTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteConfigurationRecorderCommand, StopConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { DeleteDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DisableMacieCommand } from '@aws-sdk/client-macie2';
import { DeleteIndexCommand, DeleteVectorBucketCommand } from '@aws-sdk/client-s3vectors';
import { DeleteModelCardCommand } from '@aws-sdk/client-sagemaker';
import { BatchDisableStandardsCommand, DisableSecurityHubCommand } from '@aws-sdk/client-securityhub';
import type { AccountService } from './account';
import { purgeBucket } from './buckets';
import { describeError, notFound, type Outcome, type TeardownClients } from './clients';
import type { DeployedStack, Resource } from './inventory';

/** The shortest waiting period KMS allows: "a waiting period of 7-30 days" (API_ScheduleKeyDeletion). */
export const KEY_PENDING_DAYS = 7;

const NOT_ENABLED = /not enabled|not subscribed|InvalidAccessException/i;

type Handler = (clients: TeardownClients, r: Resource) => Promise<Omit<Outcome, 'step'>>;

const nameFromArn = (id: string, marker: string) => (id.startsWith('arn:') ? (id.split(marker).pop() ?? id) : id);

const HANDLERS: Record<string, { what: string; run: Handler }> = {
  'AWS::SecurityHub::Standard': {
    what: 'disable Security Hub standard',
    run: async (c, r) => {
      await c.securityhub.send(new BatchDisableStandardsCommand({ StandardsSubscriptionArns: [r.physicalId] }));
      return { status: 'done' };
    },
  },
  'AWS::SecurityHub::Hub': {
    what: 'disable Security Hub',
    run: async (c) => {
      await c.securityhub.send(new DisableSecurityHubCommand({}));
      return { status: 'done' };
    },
  },
  'AWS::Macie::Session': {
    what: 'disable Macie',
    run: async (c) => {
      await c.macie.send(new DisableMacieCommand({}));
      return { status: 'done' };
    },
  },
  'AWS::GuardDuty::Detector': {
    what: 'delete GuardDuty detector',
    run: async (c, r) => {
      const { DetectorIds = [] } = await c.guardduty.send(new ListDetectorsCommand({}));
      if (!DetectorIds.includes(r.physicalId)) return { status: 'gone' };
      await c.guardduty.send(new DeleteDetectorCommand({ DetectorId: r.physicalId }));
      return { status: 'done' };
    },
  },
  'AWS::Config::ConfigurationRecorder': {
    what: 'stop and delete AWS Config recorder',
    run: async (c, r) => {
      await c.config.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: r.physicalId }));
      await c.config.send(new DeleteConfigurationRecorderCommand({ ConfigurationRecorderName: r.physicalId }));
      return { status: 'done' };
    },
  },
  'AWS::S3Vectors::Index': {
    // Its identifier is the ARN: CDK's IndexReference is "The IndexArn of the Index resource"
    // (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.interfaces.aws_s3vectors.IndexReference.html).
    what: 'delete S3 Vectors index',
    run: async (c, r) => {
      await c.s3vectors.send(new DeleteIndexCommand({ indexArn: r.physicalId }));
      return { status: 'done' };
    },
  },
  'AWS::S3Vectors::VectorBucket': {
    what: 'delete S3 Vectors bucket',
    run: async (c, r) => {
      const id = r.physicalId.startsWith('arn:')
        ? { vectorBucketArn: r.physicalId }
        : { vectorBucketName: r.physicalId };
      await c.s3vectors.send(new DeleteVectorBucketCommand(id));
      return { status: 'done' };
    },
  },
  'AWS::SageMaker::ModelCard': {
    what: 'delete SageMaker model card',
    run: async (c, r) => {
      await c.sagemaker.send(new DeleteModelCardCommand({ ModelCardName: nameFromArn(r.physicalId, 'model-card/') }));
      return { status: 'done' };
    },
  },
  'AWS::DynamoDB::Table': {
    // Deletion protection, on unless the sandbox is a throwaway, refuses
    // DeleteTable: --purge is the explicit request to remove it.
    what: 'delete DynamoDB table',
    run: async (c, r) => {
      await c.dynamodb.send(new UpdateTableCommand({ TableName: r.physicalId, DeletionProtectionEnabled: false }));
      await c.dynamodb.send(new DeleteTableCommand({ TableName: r.physicalId }));
      return { status: 'done' };
    },
  },
  'AWS::S3::Bucket': {
    what: 'bucket',
    run: async (c, r) => {
      const { status, detail, bills } = await purgeBucket(c, r.physicalId);
      return { status, detail, bills };
    },
  },
  'AWS::Logs::LogGroup': {
    what: 'delete log group',
    run: async (c, r) => {
      await c.logs.send(new DeleteLogGroupCommand({ logGroupName: r.physicalId }));
      return { status: 'done' };
    },
  },
  'AWS::KMS::Key': {
    what: 'schedule deletion of KMS key',
    run: async (c, r) => {
      const { KeyMetadata } = await c.kms.send(new DescribeKeyCommand({ KeyId: r.physicalId }));
      const when = (d?: Date) => (d ? new Date(d).toISOString().slice(0, 10) : 'its deletion date');
      if (KeyMetadata?.KeyState === 'PendingDeletion') {
        return { status: 'gone', detail: `already pending deletion, deleted on ${when(KeyMetadata.DeletionDate)}` };
      }
      const { DeletionDate } = await c.kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: r.physicalId, PendingWindowInDays: KEY_PENDING_DAYS }),
      );
      return {
        status: 'done',
        detail: `deleted on ${when(DeletionDate)} (KMS waits at least ${KEY_PENDING_DAYS} days)`,
      };
    },
  },
};

const ORDER = Object.keys(HANDLERS);

/** Access-log buckets receive the others' logs, so they go after them. */
function rank(r: Resource): number {
  const i = ORDER.indexOf(r.type);
  return (i < 0 ? ORDER.length : i) * 2 + (r.type === 'AWS::S3::Bucket' && /AccessLog/i.test(r.logicalId) ? 1 : 0);
}

export function purgeOrder(retained: readonly Resource[]): Resource[] {
  return [...retained].sort((a, b) => rank(a) - rank(b));
}

/** Teardown knows how to delete a resource of this type. */
export function canPurge(type: string): boolean {
  return type in HANDLERS;
}

export function purgeStep(r: Resource): string {
  const h = HANDLERS[r.type];
  return h?.what === 'bucket' ? `empty and delete bucket ${r.physicalId}` : `${h?.what ?? r.type} ${r.physicalId}`;
}

async function purgeOne(clients: TeardownClients, r: Resource): Promise<Outcome> {
  const handler = HANDLERS[r.type];
  const step = purgeStep(r);
  if (!handler) {
    return {
      step,
      status: 'left',
      detail: `teardown has no way to delete a ${r.type} (from ${r.stack}/${r.logicalId}); delete it by hand if you no longer need it`,
      bills: 'possibly: check its pricing',
    };
  }
  try {
    return { step, ...(await handler.run(clients, r)) };
  } catch (error) {
    if (notFound(error) || NOT_ENABLED.test(describeError(error))) return { step, status: 'gone' };
    return {
      step,
      status: 'failed',
      detail: `${describeError(error)}. Fix the cause (often a missing permission), then run teardown -- --purge again: it continues.`,
    };
  }
}

/** Log groups Lambda created itself for the stacks' functions (`/aws/lambda/<name>`), which no template holds. */
export async function lambdaLogGroups(clients: TeardownClients, stacks: readonly DeployedStack[]): Promise<Resource[]> {
  const declared = new Set(
    stacks
      .flatMap((s) => s.resources)
      .filter((r) => r.type === 'AWS::Logs::LogGroup')
      .map((r) => r.physicalId),
  );
  const out: Resource[] = [];
  for (const fn of stacks.flatMap((s) => s.resources).filter((r) => r.type === 'AWS::Lambda::Function')) {
    const name = `/aws/lambda/${fn.physicalId}`;
    if (declared.has(name) || out.some((r) => r.physicalId === name)) continue;
    const { logGroups = [] } = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    if (logGroups.some((g) => g.logGroupName === name)) {
      out.push({ ...fn, type: 'AWS::Logs::LogGroup', physicalId: name, retained: true, deletionPolicy: 'Retain' });
    }
  }
  return out;
}

/** Delete every retained resource; then this app's invocation-logging setting, if the stack left it. */
export async function purge(
  clients: TeardownClients,
  retained: readonly Resource[],
  services: readonly AccountService[],
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const logging = services.find((s) => s.service === 'Bedrock model invocation logging');
  if (logging?.running && logging.ours) {
    const step = 'delete Bedrock model invocation logging configuration (its destination is this app’s)';
    try {
      await clients.bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
      out.push({ step, status: 'done' });
    } catch (error) {
      out.push({ step, status: 'failed', detail: describeError(error) });
    }
  }
  for (const r of purgeOrder(retained)) out.push(await purgeOne(clients, r));
  return out;
}
