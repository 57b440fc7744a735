import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FICTIONAL_CUSTOMERS } from '../../../lib/shared/agent-contract';
import { createHandler } from '../../../lambda/agent-seed/handler';
import { customResourceHarness } from '../support/custom-resource-harness';

const ACCOUNT = '111111111111';
const TABLE = 'GuardedGenAi-Agent-PlanStoreTable1A2B3C4D-1A2B3C4D5E6F';
const common = {
  ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:GuardedGenAi-Agent-SeedFramework`,
  ResponseURL:
    'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x?X-Amz-Signature=abc',
  StackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/GuardedGenAi-Agent/7b2e4c10-cd5e-11f0-8b1a-0a1b2c3d4e5f`,
  RequestId: '8e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  LogicalResourceId: 'PlanStoreSeed1A2B3C4D',
  ResourceType: 'Custom::PlanStoreSeed',
};
/** As lib/agent/plan-store.ts passes them. */
const properties = (table = TABLE) => ({
  ServiceToken: common.ServiceToken,
  TableName: table,
  Customers: FICTIONAL_CUSTOMERS.map((c) => c.customerId).join(','),
});
const createEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Create',
  ResourceProperties: properties(),
};
const updateEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: `${TABLE}-seed`,
  ResourceProperties: properties(),
  OldResourceProperties: properties(),
};
const deleteEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Delete',
  PhysicalResourceId: `${TABLE}-seed`,
  ResourceProperties: properties(),
};

const dynamodb = mockClient(DynamoDBClient);
const meta = { $metadata: { httpStatusCode: 400 } };
const harness = () =>
  customResourceHarness((deps) => ({ onEvent: createHandler({ ...deps, dynamodb: new DynamoDBClient({}) }) }));
const puts = () => dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);

beforeEach(() => dynamodb.reset());

test('Create puts every fictional customer, only where none is, and returns a stable id', async () => {
  dynamodb.on(PutItemCommand).resolves({});
  const answer = await harness().run('onEvent', createEvent);
  expect(answer).toEqual({ Status: 'SUCCESS', PhysicalResourceId: `${TABLE}-seed` });
  expect(puts().map((p) => p.Item?.customerId)).toEqual(FICTIONAL_CUSTOMERS.map((c) => ({ S: c.customerId })));
  // Every put is conditional: a record a person changed is never overwritten.
  expect(puts().every((p) => p.ConditionExpression === 'attribute_not_exists(#customerId)')).toBe(true);
  expect(puts()[2]).toEqual({
    TableName: TABLE,
    Item: {
      customerId: { S: 'C-1003' },
      planName: { S: 'Osprey Unlimited' },
      features: {
        M: {
          'international-roaming': { BOOL: true },
          'extra-data': { BOOL: false },
          'voicemail-to-text': { BOOL: true },
          'spam-call-filter': { BOOL: false },
        },
      },
      note: { S: 'Travels often.' },
    },
    ConditionExpression: 'attribute_not_exists(#customerId)',
    ExpressionAttributeNames: { '#customerId': 'customerId' },
  });
});

test('customers already there are left as they are, and the seeding succeeds', async () => {
  dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
    if (input.Item?.customerId.S === 'C-1002') {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta });
    }
    return {};
  });
  const run = harness();
  const answer = await run.run('onEvent', updateEvent);
  expect(answer).toEqual({ Status: 'SUCCESS', PhysicalResourceId: `${TABLE}-seed` });
  expect(puts()).toHaveLength(FICTIONAL_CUSTOMERS.length);
  // A failed condition is an answer, not an error: no retry.
  expect(run.sleeps).toEqual([]);
  expect(run.logged()).toContain('"present":["C-1002"]');
});

test('Delete does nothing', async () => {
  const answer = await harness().run('onEvent', deleteEvent);
  expect(answer).toEqual({ Status: 'SUCCESS' });
  expect(dynamodb.calls()).toHaveLength(0);
});

test('throttling is retried; an access error fails the request, naming the customer', async () => {
  dynamodb
    .on(PutItemCommand)
    .rejectsOnce(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', ...meta }))
    .resolves({});
  const run = harness();
  expect(await run.run('onEvent', createEvent)).toMatchObject({ Status: 'SUCCESS' });
  expect(run.sleeps).toHaveLength(1);

  dynamodb.reset();
  dynamodb.on(PutItemCommand).rejects(
    Object.assign(new Error('not authorized to perform: dynamodb:PutItem'), {
      name: 'AccessDeniedException',
      ...meta,
    }),
  );
  const failed = await run.run('onEvent', createEvent);
  expect(failed.Status).toBe('FAILED');
  expect(failed.Reason).toContain('PutItem of C-1001 failed: AccessDeniedException');
  expect(puts()).toHaveLength(1);
});

test.each([
  ['no TableName', { ServiceToken: common.ServiceToken }],
  ['a TableName that is not a table name', { ServiceToken: common.ServiceToken, TableName: 'a b' }],
])('%s: FAILED without a call', async (_, ResourceProperties) => {
  const answer = await harness().run('onEvent', { ...createEvent, ResourceProperties });
  expect(answer).toMatchObject({
    Status: 'FAILED',
    Reason: 'Create failed: TableName must be the name of a DynamoDB table',
  });
  expect(dynamodb.calls()).toHaveLength(0);
});

test('an unknown request type is never taken for a Create', async () => {
  const answer = await harness().run('onEvent', { ...createEvent, RequestType: 'Seed' });
  expect(answer.Status).toBe('FAILED');
  expect(dynamodb.calls()).toHaveLength(0);
});
