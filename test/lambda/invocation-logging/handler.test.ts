import {
  AccessDeniedException,
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  InternalServerException,
  type LoggingConfig,
  PutModelInvocationLoggingConfigurationCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CALL_TIMEOUT_MS,
  createHandler,
  PHYSICAL_ID,
  PROPAGATION_WINDOW_MS,
} from '../../../lambda/invocation-logging/handler';
import type { CustomResourceDependencies } from '../../../lambda/shared/custom-resource';
import { ACCOUNT, BUCKET, LOG_GROUP, OURS, ROLE_ARN } from './fixtures';
import { customResourceHarness } from '../support/custom-resource-harness';

const RESPONSE_URL =
  'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation%3Aeu-west-1%3A111111111111%3Astack/GuardedGenAi-Operations/7b2e/InvocationLogging?X-Amz-Signature=abc';
const STACK_ID = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/GuardedGenAi-Operations/7b2e4c10-cd5e-11f0-8b1a-0a1b2c3d4e5f`;

const common = {
  ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:GuardedGenAi-Operations-InvocationLoggingProvider`,
  ResponseURL: RESPONSE_URL,
  StackId: STACK_ID,
  RequestId: '8e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  LogicalResourceId: 'ModelInvocationLogging3F2A1B0C',
  ResourceType: 'Custom::ModelInvocationLogging',
};
/** As the construct passes them: the prefix is lib/shared/data-layout.ts's, with its trailing slash. */
const properties = (logGroupName = LOG_GROUP) => ({
  ServiceToken: common.ServiceToken,
  LogGroupName: logGroupName,
  RoleArn: ROLE_ARN,
  BucketName: BUCKET,
  KeyPrefix: 'model-invocations/',
});
const createEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Create',
  ResourceProperties: properties(),
};
const updateEvent = (oldLogGroup = LOG_GROUP): CloudFormationCustomResourceEvent => ({
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: PHYSICAL_ID,
  ResourceProperties: properties(),
  OldResourceProperties: properties(oldLogGroup),
});
const deleteEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Delete',
  PhysicalResourceId: PHYSICAL_ID,
  ResourceProperties: properties(),
};

/** A security team's account-wide logging, set up before this app. */
const THEIRS: LoggingConfig = {
  cloudWatchConfig: {
    logGroupName: '/org/security/bedrock-invocations',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/OrgBedrockInvocationLogging`,
  },
  s3Config: { bucketName: 'org-security-logs-111111111111-eu-west-1', keyPrefix: 'bedrock' },
  textDataDeliveryEnabled: true,
  imageDataDeliveryEnabled: true,
  embeddingDataDeliveryEnabled: true,
};

const meta = { $metadata: {} };
const accessDenied = (action: string) =>
  new AccessDeniedException({
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/GuardedGenAi-Operations-InvocationLoggingProviderRole/fn is not authorized to perform: ${action}`,
    ...meta,
  });

const bedrockMock = mockClient(BedrockClient);

/** The handler, as customResourceHarness gives it, with the real BedrockClient (mocked). */
const make = (deps: CustomResourceDependencies) => ({
  onEvent: createHandler({ ...deps, bedrock: new BedrockClient({ region: 'eu-west-1' }) }),
});
/** The onEvent handler (the only one) on the fake clock, with a Lambda timeout as the construct sets it (2 minutes). */
const harness = (lambdaTimeoutMs?: number) => {
  const h = customResourceHarness(make, lambdaTimeoutMs);
  return { ...h, run: (event: unknown) => h.run('onEvent', event) };
};

const putCalls = () => bedrockMock.commandCalls(PutModelInvocationLoggingConfigurationCommand);
const deleteCalls = () => bedrockMock.commandCalls(DeleteModelInvocationLoggingConfigurationCommand);

beforeEach(() => bedrockMock.reset());

describe('create', () => {
  test('with no logging configured: puts ours and answers SUCCESS with the fixed id', async () => {
    // Get answers an empty body while logging is off.
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrockMock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run(createEvent);
    expect(putCalls().map((c) => c.args[0].input)).toEqual([{ loggingConfig: OURS }]);
    expect(h.answers).toEqual([{ Status: 'SUCCESS', PhysicalResourceId: 'model-invocation-logging' }]);
  });

  test.each([
    ['as a whole', OURS],
    [
      'both destinations, other settings changed',
      { ...THEIRS, cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: ROLE_ARN }, s3Config: OURS.s3Config },
    ],
  ])('already ours (%s): put again, SUCCESS (a repeated create is harmless)', async (_how, config) => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: config });
    bedrockMock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run(createEvent);
    expect(putCalls().map((c) => c.args[0].input)).toEqual([{ loggingConfig: OURS }]);
    expect(h.answers[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
  });

  test.each([
    ['another log group and bucket', THEIRS],
    ['our bucket under another prefix', { s3Config: { bucketName: BUCKET, keyPrefix: 'audit/bedrock' } }],
    // Only one destination ours: the other was repointed by someone (F8 of the 2026-12 review).
    ['our log group, their bucket', { ...THEIRS, cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: ROLE_ARN } }],
    ['our bucket and prefix, no log group', { s3Config: { bucketName: BUCKET, keyPrefix: 'model-invocations/' } }],
  ])("someone else's configuration (%s) is never overwritten: FAILED, saying to use existing", async (_, config) => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: config });
    const h = harness();
    await h.run(createEvent);
    expect(putCalls()).toHaveLength(0);
    expect(h.answers).toHaveLength(1);
    expect(h.answers[0]).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(
        /^Create failed: Model invocation logging .* already writes to .*modelInvocationLogging=existing/,
      ),
    });
  });

  test('a configuration only partly ours says which destination is ours', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
      loggingConfig: { ...THEIRS, cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: ROLE_ARN } },
    });
    const h = harness();
    await h.run(createEvent);
    expect(h.answers[0].Reason).toContain(
      `only one of its two destinations is this app's (log group ${LOG_GROUP}, s3://${BUCKET}/model-invocations)`,
    );
  });

  test('names where the existing configuration writes', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: THEIRS });
    const h = harness();
    await h.run(createEvent);
    expect(h.answers[0].Reason).toContain(
      'log group /org/security/bedrock-invocations and s3://org-security-logs-111111111111-eu-west-1/bedrock',
    );
  });

  test('AccessDenied on the put is retried while IAM settles, then FAILED naming the permissions to check', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrockMock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejects(accessDenied('bedrock:PutModelInvocationLoggingConfiguration'));
    const h = harness();
    await h.run(createEvent);
    const attempts = putCalls().length;
    expect(attempts).toBeGreaterThan(3);
    // Gives up once the propagation window is over, long before the Lambda deadline.
    expect(h.elapsed()).toBeLessThan(PROPAGATION_WINDOW_MS + 30_000);
    expect(h.answers).toHaveLength(1);
    const reason = h.answers[0].Reason as string;
    expect(h.answers[0]).toMatchObject({ Status: 'FAILED' });
    expect(reason).toContain('AccessDeniedException');
    expect(reason).toContain('bedrock:PutModelInvocationLoggingConfiguration');
    expect(reason).toContain(`iam:PassRole on ${ROLE_ARN}`);
  });

  test('AccessDenied on the first read names the Get permission (no PassRole needed for it)', async () => {
    bedrockMock
      .on(GetModelInvocationLoggingConfigurationCommand)
      .rejects(accessDenied('bedrock:GetModelInvocationLoggingConfiguration'));
    const h = harness();
    await h.run(createEvent);
    expect(putCalls()).toHaveLength(0);
    const reason = h.answers[0].Reason as string;
    expect(reason).toContain('allows bedrock:GetModelInvocationLoggingConfiguration');
    expect(reason).not.toContain('iam:PassRole');
  });

  test('a policy that applies after a few seconds: AccessDenied, then the role not yet usable, then SUCCESS', async () => {
    bedrockMock
      .on(GetModelInvocationLoggingConfigurationCommand)
      .rejectsOnce(accessDenied('bedrock:GetModelInvocationLoggingConfiguration'))
      .resolves({});
    bedrockMock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejectsOnce(
        new ValidationException({
          message: `Failed to validate permissions for log group: ${LOG_GROUP}, with role: ${ROLE_ARN}. Verify the IAM role permissions are correct.`,
          ...meta,
        }),
      )
      .resolves({});
    const h = harness();
    await h.run(createEvent);
    expect(putCalls()).toHaveLength(2);
    expect(h.answers[0].Status).toBe('SUCCESS');
  });

  // The SDK model gives a destination Bedrock cannot use no code of its own
  // (ValidationException, "The input fails to satisfy the constraints specified
  // by Amazon Bedrock"), so no wording decides: every ValidationException is
  // retried within the propagation window, and one that lasts fails then.
  test.each([
    ['about permissions', `Failed to validate permissions for log group: ${LOG_GROUP}, with role: ${ROLE_ARN}.`],
    ['about anything else', 'The specified log group does not exist.'],
  ])(
    'a validation error %s is treated alike: retried while IAM settles, then FAILED with what to check',
    async (_, message) => {
      bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
      bedrockMock
        .on(PutModelInvocationLoggingConfigurationCommand)
        .rejects(new ValidationException({ message, ...meta }));
      const h = harness();
      await h.run(createEvent);
      expect(putCalls().length).toBeGreaterThan(3);
      expect(h.elapsed()).toBeGreaterThanOrEqual(PROPAGATION_WINDOW_MS);
      expect(h.elapsed()).toBeLessThan(PROPAGATION_WINDOW_MS + 30_000);
      const reason = h.answers[0].Reason as string;
      expect(reason).toContain(`ValidationException: ${message}`);
      expect(reason).toContain(`Check that log group ${LOG_GROUP} exists`);
      expect(reason).toContain('model-invocations/AWSLogs/<account>/BedrockModelInvocationLogs/*');
    },
  );

  test('throttling and a server error are retried with growing waits, then SUCCESS', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrockMock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', ...meta }))
      .rejectsOnce(new InternalServerException({ message: 'Internal error', ...meta }))
      .resolves({});
    const h = harness();
    await h.run(createEvent);
    expect(putCalls()).toHaveLength(3);
    // 1 s then 2 s caps, with half of each as jitter.
    expect(h.sleeps).toEqual([750, 1500]);
    expect(h.answers[0].Status).toBe('SUCCESS');
  });

  test('throttled until the deadline: FAILED in time for the answer', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrockMock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', ...meta }));
    const timeout = 120_000;
    const h = harness(timeout);
    await h.run(createEvent);
    // It gives up while a call started at the deadline could still end before Lambda's timeout:
    // the reason is its own, not the framework's "Task timed out".
    expect(h.elapsed()).toBeLessThanOrEqual(timeout - CALL_TIMEOUT_MS);
    expect(h.answers[0]).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('still failing when time ran out'),
    });
  });

  test('missing properties fail without calling Bedrock', async () => {
    const h = harness();
    await h.run({ ...createEvent, ResourceProperties: { ServiceToken: common.ServiceToken, LogGroupName: LOG_GROUP } });
    expect(bedrockMock.calls()).toHaveLength(0);
    expect(h.answers[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('RoleArn') });
  });

  test('a separate prefix for large bodies is used for the CloudWatch destination only', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrockMock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run({
      ...createEvent,
      ResourceProperties: { ...properties(), LargeDataKeyPrefix: 'model-invocations/large/' },
    });
    const [call] = putCalls();
    expect(call.args[0].input.loggingConfig?.cloudWatchConfig?.largeDataDeliveryS3Config).toEqual({
      bucketName: BUCKET,
      keyPrefix: 'model-invocations/large',
    });
    expect(call.args[0].input.loggingConfig?.s3Config).toEqual({ bucketName: BUCKET, keyPrefix: 'model-invocations' });
  });
});

describe('update', () => {
  test('puts ours over ours', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: OURS });
    bedrockMock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run(updateEvent());
    expect(putCalls().map((c) => c.args[0].input)).toEqual([{ loggingConfig: OURS }]);
    expect(h.answers[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
  });

  // "If the value returned is different, CloudFormation recognizes the update
  // as a replacement and sends a delete request to the old resource"
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html):
  // that Delete would switch off the configuration just put.
  test('echoes the physical id it was given, whatever it is: never a replacement', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: OURS });
    bedrockMock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run({ ...updateEvent(), PhysicalResourceId: 'invocation-logging-v0' });
    expect(h.answers[0]).toEqual({ Status: 'SUCCESS', PhysicalResourceId: 'invocation-logging-v0' });
  });

  test('a renamed log group: the configuration of the old properties is still ours to replace', async () => {
    const old = 'GuardedGenAi-Operations-InvocationLogs';
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
      loggingConfig: { ...OURS, cloudWatchConfig: { logGroupName: old, roleArn: ROLE_ARN } },
    });
    bedrockMock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run(updateEvent(old));
    expect(putCalls()).toHaveLength(1);
    expect(h.answers[0].Status).toBe('SUCCESS');
  });

  test.each([
    ["someone else's", THEIRS],
    // One destination still ours, the other repointed (F8): neither the new nor the old properties match both.
    [
      'only in part ours (their log group)',
      { ...OURS, cloudWatchConfig: { logGroupName: '/org/x', roleArn: ROLE_ARN } },
    ],
    ['only in part ours (their bucket)', { ...OURS, s3Config: THEIRS.s3Config }],
  ])(
    'a configuration that is %s is left as it is, with a warning saying why: SUCCESS (a FAILED update would fail its rollback too)',
    async (_, config) => {
      bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: config });
      const h = harness();
      await h.run(updateEvent());
      expect(putCalls()).toHaveLength(0);
      expect(h.answers[0]).toEqual({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
      expect(h.logged()).toMatch(
        /"message":"Model invocation logging is not ours: left as it is.*"reason":"writes to /,
      );
    },
  );
});

describe('delete', () => {
  test('deletes the configuration while it is ours, and warns that logging is now off in the account', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: OURS });
    bedrockMock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run(deleteEvent);
    expect(deleteCalls()).toHaveLength(1);
    // What switching create -> existing/off does (F9): said, not silent.
    expect(h.logged()).toContain(
      '"message":"Model invocation logging deleted: it is now off in this account and Region"',
    );
    // No id of its own: the framework answers with the event's.
    expect(h.answers[0]).toEqual({ Status: 'SUCCESS' });
  });

  test.each([
    ["someone else's", { loggingConfig: THEIRS }],
    ['none', {}],
    // Both destinations must match before a delete touches the account setting (F8).
    ['ours by its log group alone', { loggingConfig: { ...THEIRS, cloudWatchConfig: OURS.cloudWatchConfig } }],
    ['ours by its bucket and prefix alone', { loggingConfig: { ...THEIRS, s3Config: OURS.s3Config } }],
    ['our bucket only, the log group removed', { loggingConfig: { s3Config: OURS.s3Config } }],
  ])('leaves a configuration that is %s: SUCCESS, nothing deleted', async (_, answer) => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves(answer);
    const h = harness();
    await h.run(deleteEvent);
    expect(deleteCalls()).toHaveLength(0);
    expect(h.answers[0]).toEqual({ Status: 'SUCCESS' });
  });

  test('a server error is retried; AccessDenied fails at once (the role is in place long before a delete)', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: OURS });
    bedrockMock
      .on(DeleteModelInvocationLoggingConfigurationCommand)
      .rejectsOnce(new InternalServerException({ message: 'Internal error', ...meta }))
      .resolves({});
    const retried = harness();
    await retried.run(deleteEvent);
    expect(deleteCalls()).toHaveLength(2);
    expect(retried.answers[0].Status).toBe('SUCCESS');

    bedrockMock.reset();
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: OURS });
    bedrockMock
      .on(DeleteModelInvocationLoggingConfigurationCommand)
      .rejects(accessDenied('bedrock:DeleteModelInvocationLoggingConfiguration'));
    const denied = harness();
    await denied.run(deleteEvent);
    expect(deleteCalls()).toHaveLength(1);
    expect(denied.answers[0]).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('allows bedrock:DeleteModelInvocationLoggingConfiguration'),
    });
  });
});

describe('requests the handler does not expect', () => {
  test.each([['Destroy'], [undefined], ['']])('RequestType %p is refused, without calling Bedrock', async (type) => {
    const h = harness();
    await h.run({ ...createEvent, RequestType: type });
    expect(bedrockMock.calls()).toHaveLength(0);
    expect(h.answers[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('unknown RequestType') });
  });

  test('a Delete without a physical id still removes our configuration, and returns no id of its own', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: OURS });
    bedrockMock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
    const h = harness();
    await h.run({ ...deleteEvent, PhysicalResourceId: undefined });
    expect(deleteCalls()).toHaveLength(1);
    expect(h.answers[0]).toEqual({ Status: 'SUCCESS' });
  });

  test('neither the properties nor the response URL are logged', async () => {
    bedrockMock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: THEIRS });
    const h = harness();
    await h.run({ ...createEvent, ResourceProperties: { ...properties(), Secret: 'NoEchoParameterValue' } });
    expect(h.logged()).toContain(common.RequestId);
    expect(h.logged()).not.toContain('NoEchoParameterValue');
    expect(h.logged()).not.toContain('X-Amz-Signature');
  });
});
