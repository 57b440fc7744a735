import { INVOCATION_LOG_STREAM } from '../../lib/operations/model-invocation-logging';
import { synthesize, TEST_ENV } from '../support/build-app';
import { administrator, type Decision, PolicyWorld } from '../support/iam-harness';
import { generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that Bedrock's model-invocation
 * logging gets exactly what AWS documents and no more: the delivery role
 * writes one stream of one log group and only Bedrock of this account may
 * assume it; the deploy-time provider configures logging and hands only that
 * role only to Bedrock; Bedrock delivers to the data bucket only under its
 * key path for this account, with the project key; and every operations
 * alarm (and no other app's) reaches the alert topic.
 */
const { assembly, stacks } = synthesize();
const world = new PolicyWorld(assembly, TEST_ENV);
const { account, region }: { account: string; region: string } = TEST_ENV;
const OTHER_ACCOUNT = '222222222222';

const { operations } = stacks;
const logging = operations.invocationLogging;
if (!logging) throw new Error('the default configuration turns model-invocation logging on');
const delivery = { role: logging.deliveryRole };
const provider = { role: logging.providerRole };
const deliveryRoleArn = world.arnOf(logging.deliveryRole);
const logGroupName = world.valueOf(logging.logGroup.logGroupName, logging);
const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);

/** What Bedrock acts for: an inference profile of this account and region (the documented pattern is arn:aws:bedrock:<region>:<account>:*). */
const profileIn = (acct: string, rgn = region) =>
  `arn:aws:bedrock:${rgn}:${acct}:inference-profile/eu.amazon.nova-micro-v1:0`;
const ours = profileIn(account);

const streamArn = (group: string, stream: string) =>
  `arn:aws:logs:${region}:${account}:log-group:${group}:log-stream:${stream}`;
/** Another log group of the app, with the name CloudFormation would give it. */
const otherGroup = generatedName('GuardedGenAi-GuardedInvoke', 'InvokeLogs30270BFF', 'AWS::Logs::LogGroup');

async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}

describe('the delivery role (Bedrock writes invocation logs with it)', () => {
  const decide = (action: string, resource: string) => world.decide({ caller: delivery, action, resource });

  test(`it writes only the stream ${INVOCATION_LOG_STREAM} of its log group`, async () => {
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      await expectDecision(decide(action, streamArn(logGroupName, INVOCATION_LOG_STREAM)), 'Allowed');
      await expectDecision(decide(action, streamArn(logGroupName, 'aws/bedrock/other')), 'ImplicitlyDenied');
      await expectDecision(decide(action, streamArn(logGroupName, '2026/11/29/[$LATEST]0f1e2d3c')), 'ImplicitlyDenied');
      await expectDecision(decide(action, streamArn(otherGroup, INVOCATION_LOG_STREAM)), 'ImplicitlyDenied');
      await expectDecision(
        decide(
          action,
          `arn:aws:logs:us-east-1:${account}:log-group:${logGroupName}:log-stream:${INVOCATION_LOG_STREAM}`,
        ),
        'ImplicitlyDenied',
      );
    }
    // It neither creates log groups nor reads what it wrote.
    await expectDecision(
      decide('logs:CreateLogGroup', `arn:aws:logs:${region}:${account}:log-group:${logGroupName}`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      decide('logs:GetLogEvents', streamArn(logGroupName, INVOCATION_LOG_STREAM)),
      'ImplicitlyDenied',
    );
    // Nor does it write to the bucket itself: Bedrock does that as itself (below).
    await expectDecision(
      decide('s3:PutObject', `${bucketArn}/model-invocations/AWSLogs/${account}/BedrockModelInvocationLogs/x.json.gz`),
      'ImplicitlyDenied',
    );
  });

  test('Bedrock may assume it for this account and region only; Lambda may not', async () => {
    const assume = (source: string, accountOverride?: string) =>
      world.serviceRequest('bedrock-assumes-invocation-logging-role', {
        action: 'sts:AssumeRole',
        resource: deliveryRoleArn,
        source,
        account: accountOverride,
      });
    await expectDecision(assume(ours), 'Allowed');
    // A confused deputy: Bedrock acting for another account.
    await expectDecision(assume(profileIn(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    await expectDecision(assume(ours, OTHER_ACCOUNT), 'ImplicitlyDenied');
    await expectDecision(assume(profileIn(account, 'us-east-1')), 'ImplicitlyDenied');
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: deliveryRoleArn }),
      'ImplicitlyDenied',
    );
  });
});

describe('the provider role (the custom resource that turns logging on and off)', () => {
  const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
    world.decide({ caller: provider, action, resource, context });

  test('it gets, puts and deletes the logging configuration (an account setting, resource "*")', async () => {
    for (const action of [
      'bedrock:GetModelInvocationLoggingConfiguration',
      'bedrock:PutModelInvocationLoggingConfiguration',
      'bedrock:DeleteModelInvocationLoggingConfiguration',
    ]) {
      await expectDecision(decide(action, '*'), 'Allowed');
    }
    // Nothing else of Bedrock: no model calls, no guardrail changes.
    await expectDecision(
      decide('bedrock:InvokeModel', `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      decide('bedrock:DeleteGuardrail', `arn:aws:bedrock:${region}:${account}:guardrail/abcd1234efgh`),
      'ImplicitlyDenied',
    );
  });

  test('it passes the delivery role, to Bedrock only', async () => {
    const pass = (role: string, service: string) => decide('iam:PassRole', role, { 'iam:PassedToService': service });
    await expectDecision(pass(deliveryRoleArn, 'bedrock.amazonaws.com'), 'Allowed');
    await expectDecision(pass(deliveryRoleArn, 'lambda.amazonaws.com'), 'ImplicitlyDenied');
    await expectDecision(pass(deliveryRoleArn, 'ec2.amazonaws.com'), 'ImplicitlyDenied');
    // No other role: not its own, not the invoke function's, not an administrator's.
    const invokeRole = world.arnOf(stacks.guardedInvoke.invoke.function.role ?? logging.providerRole);
    expect(invokeRole).not.toBe(world.arnOf(logging.providerRole));
    for (const other of [world.arnOf(logging.providerRole), invokeRole, `arn:aws:iam::${account}:role/Admin`]) {
      await expectDecision(pass(other, 'bedrock.amazonaws.com'), 'ImplicitlyDenied');
    }
  });

  test('it cannot change the role it passes, nor the bucket and key policies', async () => {
    await expectDecision(decide('iam:PutRolePolicy', deliveryRoleArn), 'ImplicitlyDenied');
    await expectDecision(decide('iam:UpdateAssumeRolePolicy', deliveryRoleArn), 'ImplicitlyDenied');
    await expectDecision(decide('s3:PutBucketPolicy', bucketArn), 'ImplicitlyDenied');
    await expectDecision(decide('kms:PutKeyPolicy', keyArn), 'ImplicitlyDenied');
  });
});

describe("Bedrock's own delivery to the data bucket", () => {
  const under = (key: string) => `${bucketArn}/${key}`;
  const logObject = (acct: string) =>
    `model-invocations/AWSLogs/${acct}/BedrockModelInvocationLogs/${region}/2026/11/29/14/20261129T1405Z_0f1e2d3c4b5a6978.json.gz`;
  const deliver = (resource: string, source = ours, accountOverride?: string) =>
    world.serviceRequest('bedrock-delivers-invocation-logs', {
      action: 's3:PutObject',
      resource,
      source,
      account: accountOverride,
    });

  test('allowed under model-invocations/AWSLogs/<this account>/BedrockModelInvocationLogs/ for this account', async () => {
    await expectDecision(deliver(under(logObject(account))), 'Allowed');
  });

  test('refused under another prefix, or for another account', async () => {
    await expectDecision(deliver(under(`records/2026/11/29/forged.json`)), 'ImplicitlyDenied');
    await expectDecision(deliver(under(`knowledge/handbook.md`)), 'ImplicitlyDenied');
    await expectDecision(deliver(under(`model-invocations/forged.json`)), 'ImplicitlyDenied');
    await expectDecision(
      deliver(under(`AWSLogs/${account}/BedrockModelInvocationLogs/${region}/x.json.gz`)),
      'ImplicitlyDenied',
    );
    // Another account's path, even when Bedrock acts for this one.
    await expectDecision(deliver(under(logObject(OTHER_ACCOUNT))), 'ImplicitlyDenied');
    // This account's path, with Bedrock acting for another account (confused deputy).
    await expectDecision(deliver(under(logObject(account)), profileIn(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    await expectDecision(deliver(under(logObject(account)), ours, OTHER_ACCOUNT), 'ImplicitlyDenied');
    await expectDecision(deliver(under(logObject(account)), profileIn(account, 'us-east-1')), 'ImplicitlyDenied');
  });

  test('the project key generates data keys for Bedrock of this account only', async () => {
    const encrypt = (source: string, accountOverride?: string) =>
      world.serviceRequest('bedrock-encrypts-invocation-logs', {
        action: 'kms:GenerateDataKey',
        resource: keyArn,
        source,
        account: accountOverride,
      });
    await expectDecision(encrypt(ours), 'Allowed');
    await expectDecision(encrypt(profileIn(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    await expectDecision(encrypt(ours, OTHER_ACCOUNT), 'ImplicitlyDenied');
    await expectDecision(encrypt(profileIn(account, 'us-east-1')), 'ImplicitlyDenied');
  });

  test('the Bedrock statement lets no one else in: another account is refused, this account as before', async () => {
    const admin = administrator(account);
    await expectDecision(
      world.decide({ caller: admin, action: 's3:PutObject', resource: under(logObject(account)) }),
      'Allowed',
    );
    const stranger = administrator(OTHER_ACCOUNT);
    await expectDecision(
      world.decide({ caller: stranger, action: 's3:PutObject', resource: under(logObject(account)) }),
      'ImplicitlyDenied',
    );
  });
});

describe('every operations alarm reaches the alert topic', () => {
  const { alerts } = stacks.threatDetection;
  const topicArn = world.valueOf(alerts.topic.topicArn, alerts);
  const alarms = Object.values(operations.alarms.alarms);
  const publish = (source: string) =>
    world.serviceRequest('cloudwatch-publishes-alarm', { action: 'sns:Publish', resource: topicArn, source });

  test('CloudWatch publishes for each of them, and encrypts for the topic with the alert key', async () => {
    expect(alarms.length).toBeGreaterThanOrEqual(9);
    for (const alarm of alarms) {
      const arn = world.arnOf(alarm);
      expect(arn).toMatch(new RegExp(`^arn:aws:cloudwatch:${region}:${account}:alarm:GuardedGenAi-Operations-`));
      await expectDecision(publish(arn), 'Allowed');
    }
    await expectDecision(
      world.serviceRequest('cloudwatch-encrypts-for-topic', {
        action: 'kms:GenerateDataKey',
        resource: world.arnOf(alerts.key),
      }),
      'Allowed',
    );
  });

  test("another app's alarm, or one in another account, is refused", async () => {
    await expectDecision(
      publish(`arn:aws:cloudwatch:${region}:${account}:alarm:OtherCopy-Operations-throttles`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      publish(`arn:aws:cloudwatch:${region}:${OTHER_ACCOUNT}:alarm:GuardedGenAi-Operations-throttles`),
      'ImplicitlyDenied',
    );
  });
});
