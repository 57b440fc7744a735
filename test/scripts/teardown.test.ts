import {
  AccessDeniedException,
  BedrockClient,
  ConflictException,
  DeleteCustomModelCommand,
  DeleteCustomModelDeploymentCommand,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetCustomModelDeploymentCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListCustomModelDeploymentsCommand,
  ListCustomModelsCommand,
  ResourceNotFoundException as BedrockNotFound,
} from '@aws-sdk/client-bedrock';
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  type StackResourceSummary,
  type StackSummary,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import {
  DeleteTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DeleteDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import {
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  IAMClient,
  ListEntitiesForPolicyCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DisableMacieCommand, GetMacieSessionCommand, Macie2Client } from '@aws-sdk/client-macie2';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { DeleteModelCardCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeHubCommand, InvalidAccessException, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { captureIo } from '../../scripts/cli/output';
import { execute } from '../../scripts/run-cli';
import { command, teardown, type TeardownDeps } from '../../scripts/teardown';
import type { TeardownClients } from '../../scripts/teardown/clients';
import { appOrder, type DeployedStack, deletionOrder } from '../../scripts/teardown/inventory';
import { purge } from '../../scripts/teardown/purge';

const region = 'eu-west-1';
const account = '111122223333';
const id = (name: string) => `arn:aws:cloudformation:${region}:${account}:stack/${name}/0000-${name.length}`;
const DP = 'GuardedGenAi-DataProtection';
const GI = 'GuardedGenAi-GuardedInvoke';
const TD = 'GuardedGenAi-ThreatDetection';
const OPS = 'GuardedGenAi-Operations';
const INVOKER = `arn:aws:iam::${account}:policy/${GI}-InvokeInvokerPolicy-ABC`;
const DATA = 'guardedgenai-dataprotection-databucket-abc';
const LOGS = 'guardedgenai-dataprotection-accesslogsbucket-abc';
const EXPORT = `${DP}:ExportsOutputRefDataBucketE6B0FAA83794BF10`;

/** A stack as the deployed template and ListStackResources describe it. */
interface Fixture {
  readonly name: string;
  readonly template: Record<string, { Type: string; DeletionPolicy?: string; Properties?: unknown }>;
  readonly physical: Record<string, string>;
  readonly exports?: string[];
}

const fixtures: Fixture[] = [
  {
    name: DP,
    template: {
      ProjectKey99EBDA78: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain' },
      DataBucketE6B0FAA8: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
      AccessLogsBucketCD784A59: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
    },
    physical: { ProjectKey99EBDA78: 'key-project', DataBucketE6B0FAA8: DATA, AccessLogsBucketCD784A59: LOGS },
    exports: [EXPORT],
  },
  {
    name: GI,
    template: {
      GuardrailKeyCE009AB9: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain' },
      InvokeInvokerPolicyF363EE75: { Type: 'AWS::IAM::ManagedPolicy' },
      InvokeRole: { Type: 'AWS::IAM::Role' },
      InvokeFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: { Variables: { BUCKET: { 'Fn::ImportValue': EXPORT } } } },
      },
    },
    physical: {
      GuardrailKeyCE009AB9: 'key-guardrail',
      InvokeInvokerPolicyF363EE75: INVOKER,
      InvokeRole: `${GI}-InvokeRole-XYZ`,
      InvokeFunction: `${GI}-InvokeFunction-XYZ`,
    },
  },
  {
    // guardDuty=existing: no detector in the template; Macie created by the app.
    name: TD,
    template: {
      MacieSession88619DA6: { Type: 'AWS::Macie::Session', DeletionPolicy: 'RetainExceptOnCreate' },
      Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: { 'Fn::ImportValue': EXPORT } } },
    },
    physical: { MacieSession88619DA6: account, Trail: 'trail' },
  },
  {
    name: OPS,
    template: { InvocationLoggingLogs71B3E1B3: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain' } },
    physical: { InvocationLoggingLogs71B3E1B3: `${OPS}-invocations` },
  },
];

const cfn = mockClient(CloudFormationClient);
const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const logs = mockClient(CloudWatchLogsClient);
const guardduty = mockClient(GuardDutyClient);
const macie = mockClient(Macie2Client);
const securityhub = mockClient(SecurityHubClient);
const config = mockClient(ConfigServiceClient);
const bedrock = mockClient(BedrockClient);
const dynamodb = mockClient(DynamoDBClient);
const sagemaker = mockClient(SageMakerClient);
const all = [cfn, iam, s3, kms, logs, guardduty, macie, securityhub, config, bedrock, dynamodb, sagemaker];

const clients: TeardownClients = {
  cloudformation: new CloudFormationClient({ region }),
  iam: new IAMClient({ region }),
  s3: new S3Client({ region }),
  kms: new KMSClient({ region }),
  logs: new CloudWatchLogsClient({ region }),
  s3vectors: new S3VectorsClient({ region }),
  sagemaker: new SageMakerClient({ region }),
  guardduty: new GuardDutyClient({ region }),
  macie: new Macie2Client({ region }),
  securityhub: new SecurityHubClient({ region }),
  config: new ConfigServiceClient({ region }),
  bedrock: new BedrockClient({ region }),
  dynamodb: new DynamoDBClient({ region }),
};

/** Which calls changed something, in order, across services. */
let changes: string[];

function stubAccount(deleted = false, stacks: readonly Fixture[] = fixtures) {
  const summaries: StackSummary[] = stacks.map((f) => ({
    StackName: f.name,
    StackId: id(f.name),
    StackStatus: deleted ? 'DELETE_COMPLETE' : 'UPDATE_COMPLETE',
    CreationTime: new Date('2026-11-01'),
  }));
  cfn.on(ListStacksCommand).resolves({ StackSummaries: summaries });
  for (const f of stacks) {
    cfn
      .on(GetTemplateCommand, { StackName: id(f.name) })
      .resolves({ TemplateBody: JSON.stringify({ Resources: f.template }) });
    const resources: StackResourceSummary[] = Object.entries(f.template).map(([logical, r]) => ({
      LogicalResourceId: logical,
      PhysicalResourceId: f.physical[logical],
      ResourceType: r.Type,
      LastUpdatedTimestamp: new Date('2026-11-01'),
      ResourceStatus: deleted ? (r.DeletionPolicy ? 'DELETE_SKIPPED' : 'DELETE_COMPLETE') : 'CREATE_COMPLETE',
    }));
    cfn.on(ListStackResourcesCommand, { StackName: id(f.name) }).resolves({ StackResourceSummaries: resources });
    cfn
      .on(DescribeStacksCommand, { StackName: id(f.name) })
      .resolvesOnce({
        Stacks: [
          {
            StackName: f.name,
            StackId: id(f.name),
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date('2026-11-01'),
            Outputs: (f.exports ?? []).map((e) => ({ OutputKey: e.split(':')[1], OutputValue: 'x', ExportName: e })),
          },
        ],
      })
      .resolves({
        Stacks: [
          {
            StackName: f.name,
            StackId: id(f.name),
            StackStatus: 'DELETE_COMPLETE',
            CreationTime: new Date('2026-11-01'),
          },
        ],
      });
  }
  cfn.on(DeleteStackCommand).callsFake((input: { StackName: string }) => {
    changes.push(`DeleteStack ${input.StackName.split('/')[1]}`);
    return {};
  });
  // A policy attached by hand to a role of the account, and by the stack to its own role.
  iam.on(ListEntitiesForPolicyCommand, { PolicyArn: INVOKER }).resolves({
    PolicyRoles: [
      { RoleName: 'Developer', RoleId: 'AROA1' },
      { RoleName: `${GI}-InvokeRole-XYZ`, RoleId: 'AROA2' },
    ],
    PolicyUsers: [],
    PolicyGroups: [],
    IsTruncated: false,
  });
  iam.on(DetachRolePolicyCommand).callsFake((input: { RoleName: string }) => {
    changes.push(`DetachRolePolicy ${input.RoleName}`);
    return {};
  });
  // A retained, versioned bucket: two pages of versions and a delete marker.
  s3.on(ListObjectVersionsCommand, { Bucket: DATA })
    .resolvesOnce({
      IsTruncated: true,
      NextKeyMarker: 'records/b',
      NextVersionIdMarker: 'v2',
      Versions: [
        { Key: 'records/a', VersionId: 'v1', IsLatest: true },
        { Key: 'records/b', VersionId: 'v2', IsLatest: false },
      ],
      DeleteMarkers: [{ Key: 'records/b', VersionId: 'm1', IsLatest: true }],
    })
    .resolves({ IsTruncated: false, Versions: [{ Key: 'records/c', VersionId: 'v3', IsLatest: true }] });
  s3.on(ListObjectVersionsCommand, { Bucket: LOGS }).resolves({ IsTruncated: false });
  s3.on(DeleteObjectsCommand).callsFake((input: { Bucket: string; Delete: { Objects: unknown[] } }) => {
    changes.push(`DeleteObjects ${input.Bucket} ${input.Delete.Objects.length}`);
    return { Deleted: input.Delete.Objects };
  });
  s3.on(DeleteBucketCommand).callsFake((input: { Bucket: string }) => {
    changes.push(`DeleteBucket ${input.Bucket}`);
    return {};
  });
  // One key to schedule, one already pending deletion.
  kms.on(DescribeKeyCommand, { KeyId: 'key-project' }).resolves({
    KeyMetadata: { KeyId: 'key-project', KeyState: 'Enabled' },
  });
  kms.on(DescribeKeyCommand, { KeyId: 'key-guardrail' }).resolves({
    KeyMetadata: { KeyId: 'key-guardrail', KeyState: 'PendingDeletion', DeletionDate: new Date('2026-12-10') },
  });
  kms.on(ScheduleKeyDeletionCommand).callsFake((input: { KeyId: string; PendingWindowInDays: number }) => {
    changes.push(`ScheduleKeyDeletion ${input.KeyId} ${input.PendingWindowInDays}`);
    return { KeyId: input.KeyId, DeletionDate: new Date('2026-12-14'), KeyState: 'PendingDeletion' };
  });
  logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix: string }) => ({
    logGroups: [{ logGroupName: input.logGroupNamePrefix }],
  }));
  logs.on(DeleteLogGroupCommand).callsFake((input: { logGroupName: string }) => {
    changes.push(`DeleteLogGroup ${input.logGroupName}`);
    return {};
  });
  // Someone else's detector and invocation logging; this app's Macie; no Security Hub, no recorder.
  guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['org-detector'] });
  guardduty.on(DeleteDetectorCommand).callsFake(() => changes.push('DeleteDetector'));
  macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
  macie.on(DisableMacieCommand).callsFake(() => {
    changes.push('DisableMacie');
    return {};
  });
  securityhub
    .on(DescribeHubCommand)
    .rejects(new InvalidAccessException({ message: 'Account is not subscribed to AWS Security Hub', $metadata: {} }));
  config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
  bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
    loggingConfig: {
      cloudWatchConfig: { logGroupName: 'platform-team-invocations', roleArn: 'arn:aws:iam::1:role/x' },
    },
  });
}

async function run(argv: string[], ask: TeardownDeps['ask'] = async () => undefined, at = region) {
  const io = captureIo();
  const deps: TeardownDeps = {
    resolve: async () => ({ region: at, credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }),
    clients: () => clients,
    appName: () => 'GuardedGenAi',
    ask,
    wait: { sleep: async () => undefined, pollMs: 1, timeoutMs: 100 },
  };
  const code = await execute(command, argv, (parsed, out) => teardown(parsed, out, deps), io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeEach(() => {
  all.forEach((m) => m.reset());
  changes = [];
});

describe('npm run teardown --dry-run', () => {
  test('shows the plan from the deployed templates and changes nothing', async () => {
    stubAccount();
    const { code, out } = await run(['--dry-run', '--purge']);
    expect(code).toBe(0);
    expect(changes).toEqual([]);
    // Importers before the stack they import from, else the app's order backwards.
    expect(out).toMatch(
      /1\. GuardedGenAi-Operations[\s\S]*2\. GuardedGenAi-ThreatDetection[\s\S]*3\. GuardedGenAi-GuardedInvoke[\s\S]*4\. GuardedGenAi-DataProtection/,
    );
    expect(out).toContain(`${INVOKER} (${GI}/InvokeInvokerPolicyF363EE75) from role Developer`);
    expect(out).not.toContain('from role GuardedGenAi-GuardedInvoke-InvokeRole');
    expect(out).toContain(`empty and delete bucket ${DATA}`);
    expect(out).toContain(`delete log group /aws/lambda/${GI}-InvokeFunction-XYZ`);
    expect(out).toContain("GuardDuty detector (org-detector): not created by this app's stacks, left alone");
    expect(out).toContain('Macie (session ENABLED): created by this app, turned off by --purge');
    expect(out).toContain('Dry run: nothing was changed.');
    // With --purge, what teardown can delete is not listed as billing afterwards.
    const after = out.slice(out.indexOf('Still billing'));
    expect(after).not.toContain(`AWS::S3::Bucket ${DATA}`);
    expect(after).toContain("GuardDuty detector: not this app's, left running");
    const plain = await run(['--dry-run']);
    expect(plain.out.slice(plain.out.indexOf('Still billing'))).toContain(
      `AWS::S3::Bucket ${DATA}: S3 storage of every object version it holds (not purged)`,
    );
  });
});

describe('after a delete that failed half-way', () => {
  test('a policy CloudFormation already deleted has nothing to detach (no crash)', async () => {
    stubAccount();
    iam
      .on(ListEntitiesForPolicyCommand, { PolicyArn: INVOKER })
      .rejects(new NoSuchEntityException({ message: `Policy ${INVOKER} was not found.`, $metadata: {} }));
    const { code, out } = await run(['--dry-run']);
    expect(code).toBe(0);
    expect(out).not.toContain('detached first');
  });
});

describe('npm run teardown --purge', () => {
  test('detaches the hand-attached policy, deletes the stacks in order, then purges what was retained', async () => {
    stubAccount();
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi']);
    expect(code).toBe(0);
    expect(changes.slice(0, 5)).toEqual([
      'DetachRolePolicy Developer',
      `DeleteStack ${OPS}`,
      `DeleteStack ${TD}`,
      `DeleteStack ${GI}`,
      `DeleteStack ${DP}`,
    ]);
    // Every version and delete marker, over both pages; the data bucket before the access-log bucket.
    expect(changes).toEqual(
      expect.arrayContaining([`DeleteObjects ${DATA} 3`, `DeleteObjects ${DATA} 1`, 'DisableMacie']),
    );
    expect(changes.indexOf(`DeleteBucket ${DATA}`)).toBeLessThan(changes.indexOf(`DeleteBucket ${LOGS}`));
    // The enabled key at the shortest waiting period; the key already pending deletion untouched; keys last.
    expect(changes.filter((c) => c.startsWith('ScheduleKeyDeletion'))).toEqual(['ScheduleKeyDeletion key-project 7']);
    expect(changes.at(-1)).toBe('ScheduleKeyDeletion key-project 7');
    expect(out).toContain('already pending deletion, deleted on 2026-12-10');
    expect(out).toMatch(/AWS::KMS::Key key-project: .*deleted on 2026-12-14/);
    // Someone else's detector and invocation logging are left alone, and said so.
    expect(guardduty.commandCalls(DeleteDetectorCommand)).toHaveLength(0);
    expect(out).toContain("GuardDuty detector: not this app's, left running");
    expect(out).toContain("Bedrock model invocation logging: not this app's, left running");
    expect(out).toContain('CDKToolkit bootstrap stack');
  });

  test.each([
    ["our log group, someone else's bucket", `${OPS}-invocations`, 'platform-logs', 'model-invocations', false],
    ['our log group and bucket, another prefix', `${OPS}-invocations`, DATA, 'platform/', false],
    ['both destinations ours, our prefix', `${OPS}-invocations`, DATA, 'model-invocations', true],
  ])(
    'invocation logging with %s: turned off only when both destinations are ours',
    async (_case, logGroupName, bucketName, keyPrefix, deleted) => {
      stubAccount();
      bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
        loggingConfig: {
          cloudWatchConfig: { logGroupName, roleArn: 'arn:aws:iam::1:role/x' },
          s3Config: { bucketName, keyPrefix },
        },
      });
      bedrock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
      const { out } = await run(['--purge', '--confirm', 'GuardedGenAi']);
      expect(bedrock.commandCalls(DeleteModelInvocationLoggingConfigurationCommand)).toHaveLength(deleted ? 1 : 0);
      if (!deleted) expect(out).toContain("Bedrock model invocation logging: not this app's, left running");
    },
  );

  test('a stack that fails to delete stops the run, says why and what is left, and purges nothing', async () => {
    stubAccount();
    cfn
      .on(DescribeStacksCommand, { StackName: id(GI) })
      .resolvesOnce({ Stacks: [] })
      .resolves({
        Stacks: [{ StackName: GI, StackId: id(GI), StackStatus: 'DELETE_FAILED', CreationTime: new Date() }],
      });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          StackId: id(GI),
          StackName: GI,
          EventId: 'e1',
          Timestamp: new Date(),
          LogicalResourceId: 'InvokeInvokerPolicyF363EE75',
          ResourceType: 'AWS::IAM::ManagedPolicy',
          ResourceStatus: 'DELETE_FAILED',
          ResourceStatusReason: 'Cannot delete a policy attached to entities.',
        },
      ],
    });
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi']);
    expect(code).toBe(1);
    expect(out).toContain('Cannot delete a policy attached to entities.');
    expect(out).toContain(`Stopped. Stacks still there: ${GI}, ${DP}. Nothing retained was purged yet.`);
    expect(changes).not.toContain(`DeleteStack ${DP}`);
    expect(changes.some((c) => c.startsWith('DeleteBucket') || c.startsWith('ScheduleKeyDeletion'))).toBe(false);
  });

  test('a second run after the stacks are gone continues from their retained resources', async () => {
    stubAccount(true);
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi']);
    expect(code).toBe(0);
    expect(out).toContain('No stack left to delete.');
    expect(changes).toEqual(expect.arrayContaining([`DeleteBucket ${DATA}`, 'ScheduleKeyDeletion key-project 7']));
    expect(changes.some((c) => c.startsWith('DeleteStack') || c.startsWith('Detach'))).toBe(false);
  });

  test('Object Lock: a locked version is not bypassed; the bucket stays and the report says until when', async () => {
    stubAccount(true);
    s3.on(DeleteObjectsCommand, { Bucket: DATA }).callsFake((input: { Delete: { Objects: { Key: string }[] } }) => ({
      Errors: input.Delete.Objects.filter((o) => o.Key === 'records/a').map((o) => ({
        ...o,
        Code: 'AccessDenied',
        Message: 'Access Denied because object protected by object lock.',
      })),
    }));
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date('2099-01-31T00:00:00Z') },
    });
    s3.on(GetObjectLegalHoldCommand).resolves({ LegalHold: { Status: 'OFF' } });
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi']);
    expect(code).toBe(0);
    expect(changes).not.toContain(`DeleteBucket ${DATA}`);
    expect(out).toContain('1 object version(s) under Object Lock; retained until 2099-01-31');
    expect(out).toMatch(new RegExp(`AWS::S3::Bucket ${DATA}: S3 storage of the locked versions until`));
  });
});

describe('confirmation', () => {
  test('--confirm with another name is a usage error; nothing is read or changed', async () => {
    const { code, err } = await run(['--purge', '--confirm', 'Guarded']);
    expect(code).toBe(2);
    expect(err).toContain('--confirm must be the app name typed back, "GuardedGenAi"; got "Guarded"');
    expect(cfn.calls()).toHaveLength(0);
  });

  test('without a terminal and without --confirm nothing changes; a wrong answer neither', async () => {
    stubAccount();
    const noTty = await run(['--purge']);
    expect(noTty.code).toBe(1);
    expect(noTty.err).toContain('pass --confirm GuardedGenAi. Nothing was changed.');
    const wrong = await run(['--purge'], async () => 'yes');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('You typed "yes", not "GuardedGenAi". Nothing was changed.');
    expect(changes).toEqual([]);
  });
});

describe('deletion order', () => {
  const stack = (name: string, exports: string[], imports: string[]): DeployedStack => ({
    name,
    id: id(name),
    status: 'UPDATE_COMPLETE',
    deleted: false,
    resources: [],
    exports,
    imports,
  });

  test("the deployed stacks' imports decide, even against the app's own order", () => {
    // Governance normally goes before GuardedInvoke (backwards from creation); here GuardedInvoke imports from it.
    const order = deletionOrder(
      [stack(`GuardedGenAi-Governance`, ['G:x'], []), stack(GI, [], ['G:x']), stack(OPS, [], [])],
      'GuardedGenAi',
    ).map((s) => s.name);
    expect(order).toEqual([OPS, GI, 'GuardedGenAi-Governance']);
  });

  test('deleted stacks are not deleted again', () => {
    expect(deletionOrder([{ ...stack(DP, [], []), deleted: true }], 'GuardedGenAi')).toEqual([]);
  });
});

describe("--purge of the agent's retained plan store", () => {
  const table = {
    stack: 'GuardedGenAi-Agent',
    logicalId: 'StoreTable0CCFA19B',
    type: 'AWS::DynamoDB::Table',
    physicalId: 'GuardedGenAi-Agent-StoreTable0CCFA19B-Xb3kP0qLm2Zs',
    deletionPolicy: 'Retain',
    updateReplacePolicy: 'Retain',
    retained: true,
  };

  test('turns deletion protection off, then deletes the table, before the keys', async () => {
    dynamodb.on(UpdateTableCommand).callsFake((input: { DeletionProtectionEnabled: boolean }) => {
      changes.push(`UpdateTable protection=${input.DeletionProtectionEnabled}`);
      return {};
    });
    dynamodb.on(DeleteTableCommand).callsFake(() => {
      changes.push('DeleteTable');
      return {};
    });
    const key = { ...table, logicalId: 'Key', type: 'AWS::KMS::Key', physicalId: 'key-project' };
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'key-project', KeyState: 'Enabled' } });
    kms.on(ScheduleKeyDeletionCommand).callsFake(() => {
      changes.push('ScheduleKeyDeletion');
      return {};
    });
    const outcomes = await purge(clients, [key, table], []);
    expect(changes).toEqual(['UpdateTable protection=false', 'DeleteTable', 'ScheduleKeyDeletion']);
    expect(outcomes[0]).toMatchObject({ step: `delete DynamoDB table ${table.physicalId}`, status: 'done' });
  });

  test('a table already gone counts as gone', async () => {
    dynamodb
      .on(UpdateTableCommand)
      .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    const [outcome] = await purge(clients, [table], []);
    expect(outcome.status).toBe('gone');
    expect(dynamodb.commandCalls(DeleteTableCommand)).toHaveLength(0);
  });
});

describe('the Customization stack and what npm run customize made outside it', () => {
  const east = 'us-east-1';
  const CUS = 'GuardedGenAi-Customization';
  const OPERATOR = `arn:aws:iam::${account}:policy/${CUS}-OperatorPolicy-1X2Y3Z`;
  const CARD = `${CUS}-custom-model-card`;
  const base = 'amazon.nova-micro-v1:0:128k';
  const MODEL = `arn:aws:bedrock:${east}:${account}:custom-model/${base}/abcdefghijkl`;
  const OTHER_MODEL = `arn:aws:bedrock:${east}:${account}:custom-model/${base}/zzzzzzzzzzzz`;
  const DEPLOYMENT = `arn:aws:bedrock:${east}:${account}:custom-model-deployment/q1w2e3r4t5y6`;
  const created = new Date('2026-11-02');
  // As CDK synthesizes it: a retained log group and (an approved model) card, the operator policy, imports from DataProtection.
  const customization: Fixture = {
    name: CUS,
    template: {
      ApprovalLogs5F1E2D3C: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain' },
      CustomModelCardCard9A8B7C6D: { Type: 'AWS::SageMaker::ModelCard', DeletionPolicy: 'Retain' },
      OperatorPolicy0E7A5B3C: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Resource: { 'Fn::ImportValue': EXPORT } } },
      },
    },
    physical: {
      ApprovalLogs5F1E2D3C: `${CUS}-ApprovalLogs5F1E2D3C-AbCdEf`,
      CustomModelCardCard9A8B7C6D: CARD,
      OperatorPolicy0E7A5B3C: OPERATOR,
    },
  };
  /** removalPolicy=destroy: the project key has no DeletionPolicy (Delete) in the deployed template. */
  const destroyed = fixtures.map((f) =>
    f.name === DP ? { ...f, template: { ...f.template, ProjectKey99EBDA78: { Type: 'AWS::KMS::Key' } } } : f,
  );

  function stubCustomizations() {
    bedrock.on(ListCustomModelsCommand).resolves({
      modelSummaries: [
        {
          modelArn: MODEL,
          modelName: 'guardedgenai-ft-batch-1-20261101120000',
          creationTime: created,
          baseModelArn: base,
          baseModelName: 'Nova Micro',
        },
        {
          modelArn: OTHER_MODEL,
          modelName: 'platform-ft-x',
          creationTime: created,
          baseModelArn: base,
          baseModelName: 'Nova Micro',
        },
      ],
    });
    bedrock.on(ListCustomModelDeploymentsCommand).resolves({
      modelDeploymentSummaries: [
        {
          customModelDeploymentArn: DEPLOYMENT,
          customModelDeploymentName: 'guardedgenai-abcdefghijkl',
          modelArn: MODEL,
          createdAt: created,
          status: 'Active',
        },
        {
          customModelDeploymentArn: `${DEPLOYMENT}x`,
          customModelDeploymentName: 'platform-serving',
          modelArn: OTHER_MODEL,
          createdAt: created,
          status: 'Active',
        },
      ],
    });
    bedrock.on(DeleteCustomModelDeploymentCommand).callsFake((input: { customModelDeploymentIdentifier: string }) => {
      changes.push(`DeleteCustomModelDeployment ${input.customModelDeploymentIdentifier}`);
      return {};
    });
    // Still there at the first look, then gone.
    let looks = 0;
    bedrock.on(GetCustomModelDeploymentCommand).callsFake(async () => {
      looks += 1;
      if (looks > 1) {
        changes.push('GetCustomModelDeployment: ResourceNotFoundException');
        throw new BedrockNotFound({ message: 'Deployment not found', $metadata: {} });
      }
      return {
        customModelDeploymentArn: DEPLOYMENT,
        modelDeploymentName: 'guardedgenai-abcdefghijkl',
        modelArn: MODEL,
        createdAt: created,
        status: 'Active',
      };
    });
    bedrock.on(DeleteCustomModelCommand).callsFake((input: { modelIdentifier: string }) => {
      changes.push(`DeleteCustomModel ${input.modelIdentifier}`);
      return {};
    });
    // The operator policy, attached by hand to the person who fine-tunes.
    iam.on(ListEntitiesForPolicyCommand, { PolicyArn: OPERATOR }).resolves({
      PolicyUsers: [{ UserName: 'alice', UserId: 'AIDA1' }],
      PolicyRoles: [],
      PolicyGroups: [],
      IsTruncated: false,
    });
    iam.on(DetachUserPolicyCommand).callsFake((input: { UserName: string }) => {
      changes.push(`DetachUserPolicy ${input.UserName}`);
      return {};
    });
    sagemaker.on(DeleteModelCardCommand).callsFake((input: { ModelCardName: string }) => {
      changes.push(`DeleteModelCard ${input.ModelCardName}`);
      return {};
    });
  }

  test('the app order ends with the Customization stack, which goes first; its log group and card are retained', async () => {
    expect(appOrder('GuardedGenAi').slice(-2)).toEqual(['GuardedGenAi-Agent', CUS]);
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    const { code, out } = await run(['--dry-run', '--purge'], undefined, east);
    expect(code).toBe(0);
    expect(out).toMatch(/1\. GuardedGenAi-Customization[\s\S]*2\. GuardedGenAi-Operations/);
    expect(out).toContain(`delete log group ${CUS}-ApprovalLogs5F1E2D3C-AbCdEf  [${CUS}, Retain]`);
    expect(out).toContain(`delete SageMaker model card ${CARD}  [${CUS}, Retain]`);
    expect(out).toContain(`${OPERATOR} (${CUS}/OperatorPolicy0E7A5B3C) from user alice`);
  });

  test('dry run: the app’s deployment and model are listed (not someone else’s), nothing is deleted', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    const { code, out } = await run(['--dry-run'], undefined, east);
    expect(code).toBe(0);
    expect(changes).toEqual([]);
    expect(bedrock.commandCalls(DeleteCustomModelDeploymentCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(DeleteCustomModelCommand)).toHaveLength(0);
    expect(out).toContain(`delete custom model deployment ${DEPLOYMENT}  [bills per token while it exists]`);
    expect(out).toContain(`keep custom model ${MODEL}`);
    expect(out).toContain(
      'Custom models: kept, like the data bucket (removalPolicy=retain); add --purge to delete them.',
    );
    expect(out).not.toContain(OTHER_MODEL);
    expect(out).not.toContain(`${DEPLOYMENT}x`);
    const after = out.slice(out.indexOf('Still billing'));
    expect(after).toMatch(new RegExp(`custom model ${MODEL}: Bedrock custom model storage, about \\$[0-9.]+ a month`));
    expect(after).not.toContain(`deployment ${DEPLOYMENT}`);
    // With --purge the model goes too, so it does not bill afterwards.
    const purged = await run(['--dry-run', '--purge'], undefined, east);
    expect(purged.out).toContain(`delete custom model ${MODEL}`);
    expect(purged.out.slice(purged.out.indexOf('Still billing'))).not.toContain(MODEL);
    expect(changes).toEqual([]);
  });

  test('--purge: deployment deleted and gone, then the model, then the policies, the stacks and the retained card', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(0);
    expect(changes.slice(0, 7)).toEqual([
      `DeleteCustomModelDeployment ${DEPLOYMENT}`,
      'GetCustomModelDeployment: ResourceNotFoundException',
      `DeleteCustomModel ${MODEL}`,
      'DetachRolePolicy Developer',
      'DetachUserPolicy alice',
      `DeleteStack ${CUS}`,
      `DeleteStack ${OPS}`,
    ]);
    expect(changes).toContain(`DeleteModelCard ${CARD}`);
    expect(changes).toContain(`DeleteLogGroup ${CUS}-ApprovalLogs5F1E2D3C-AbCdEf`);
    expect(changes.join('\n')).not.toContain(OTHER_MODEL);
    expect(out).toContain(`done    delete custom model ${MODEL}`);
    expect(out.slice(out.indexOf('Still billing'))).not.toContain(MODEL);
  });

  test('removalPolicy=retain without --purge: the deployment goes, the model is kept and said to bill', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    const { code, out } = await run(['--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(0);
    expect(changes[0]).toBe(`DeleteCustomModelDeployment ${DEPLOYMENT}`);
    expect(bedrock.commandCalls(DeleteCustomModelCommand)).toHaveLength(0);
    expect(out.slice(out.indexOf('Still billing'))).toContain(`custom model ${MODEL}: Bedrock custom model storage`);
  });

  test('removalPolicy=destroy without --purge: the key that encrypts the model goes, so the model goes too', async () => {
    stubAccount(false, [...destroyed, customization]);
    stubCustomizations();
    const { code, out } = await run(['--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(0);
    expect(changes.slice(0, 3)).toEqual([
      `DeleteCustomModelDeployment ${DEPLOYMENT}`,
      'GetCustomModelDeployment: ResourceNotFoundException',
      `DeleteCustomModel ${MODEL}`,
    ]);
    expect(out).toContain('deletes the project key that encrypts them (removalPolicy=destroy)');
  });

  test('ConflictException on the model is explained, and teardown stops before the policies and stacks', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    bedrock
      .on(DeleteCustomModelCommand)
      .rejects(new ConflictException({ message: 'The model is in use by a provisioned throughput', $metadata: {} }));
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(1);
    expect(out).toContain(
      `FAILED  delete custom model ${MODEL}: Bedrock will not delete ${MODEL} yet (ConflictException`,
    );
    expect(out).toContain('a deployment or a Provisioned Throughput still uses it');
    expect(out).toContain(`aws bedrock list-provisioned-model-throughputs --model-arn-equals ${MODEL}`);
    expect(changes).toEqual([
      `DeleteCustomModelDeployment ${DEPLOYMENT}`,
      'GetCustomModelDeployment: ResourceNotFoundException',
    ]);
    expect(out).toContain('Stopped. Stacks still there: GuardedGenAi-Customization');
  });

  test('a deployment that cannot be deleted: its model is not tried, nothing else changes', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    bedrock.on(DeleteCustomModelDeploymentCommand).rejects(
      new AccessDeniedException({
        message: 'not authorized to perform: bedrock:DeleteCustomModelDeployment',
        $metadata: {},
      }),
    );
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(1);
    expect(out).toContain(
      `FAILED  delete custom model deployment ${DEPLOYMENT}: Bedrock refused deleting the deployment`,
    );
    expect(out).toContain(`left    delete custom model ${MODEL}: not tried`);
    expect(bedrock.commandCalls(DeleteCustomModelCommand)).toHaveLength(0);
    expect(changes).toEqual([]);
  });

  test('they cannot be listed: the plan says so and the run stops before changing anything', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    bedrock
      .on(ListCustomModelsCommand)
      .rejects(
        new AccessDeniedException({ message: 'not authorized to perform: bedrock:ListCustomModels', $metadata: {} }),
      );
    const { code, out } = await run(['--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(1);
    expect(out).toContain(
      'could not list them (AccessDeniedException: not authorized to perform: bedrock:ListCustomModels)',
    );
    expect(out).toContain('FAILED  list this app');
    expect(changes).toEqual([]);
  });

  test('stacks gone long ago: teardown still finds and (with --purge) deletes what customize made', async () => {
    stubAccount(false, []);
    stubCustomizations();
    const { code, out } = await run(['--purge', '--confirm', 'GuardedGenAi'], undefined, east);
    expect(code).toBe(0);
    expect(out).toContain('No stack left to delete.');
    expect(changes).toEqual([
      `DeleteCustomModelDeployment ${DEPLOYMENT}`,
      'GetCustomModelDeployment: ResourceNotFoundException',
      `DeleteCustomModel ${MODEL}`,
    ]);
  });

  test('outside the regions npm run customize works in, Bedrock is not asked', async () => {
    stubAccount(false, [...fixtures, customization]);
    stubCustomizations();
    const { code } = await run(['--dry-run']);
    expect(code).toBe(0);
    expect(bedrock.commandCalls(ListCustomModelsCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(ListCustomModelDeploymentsCommand)).toHaveLength(0);
  });
});
