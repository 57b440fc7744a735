import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TEST_ENV, testApp } from './build-app';
import { coverOf, uncoveredConditionKeys } from './condition-coverage';
import { PolicyWorld } from './iam-harness';
import type { Statement } from './refusals';

const { region } = TEST_ENV;
const statement = (service: string, action: string | string[], condition: Record<string, Record<string, string>>) => ({
  Sid: 'Planted',
  Effect: 'Allow',
  Principal: { Service: service },
  Action: action,
  Resource: '*',
  Condition: condition,
});

describe('a condition key on a service principal is cited or in the register', () => {
  test('a key a cited row documents for that principal and action is covered by the row', () => {
    expect(coverOf('cloudtrail.amazonaws.com', ['s3:PutObject'], 'aws:SourceArn', region)).toEqual({
      kind: 'cited',
      row: 'cloudtrail-writes-log-files',
    });
    // Condition keys are matched without regard to case, as IAM does (Config's pages write AWS:SourceAccount).
    expect(coverOf('config.amazonaws.com', ['kms:Decrypt'], 'AWS:SourceAccount', region)).toMatchObject({
      kind: 'cited',
    });
    // The principal of a row may depend on the region (CloudWatch Logs).
    expect(
      coverOf(`logs.${region}.amazonaws.com`, ['kms:Encrypt*'], 'kms:EncryptionContext:aws:logs:arn', region),
    ).toMatchObject({ kind: 'cited' });
  });

  test('an uncited key is covered only through the register entry its row names', () => {
    expect(coverOf('indexing.s3vectors.amazonaws.com', ['kms:Decrypt'], 'aws:SourceArn', region)).toEqual({
      kind: 'register',
      id: 's3vectors-indexing-kms-context',
      row: 's3vectors-indexing-decrypts',
    });
    // A key no row has at all, for a principal that has cited rows: not covered.
    expect(
      coverOf('events.amazonaws.com', ['kms:GenerateDataKey*'], 'kms:EncryptionContext:aws:sqs:arn', region),
    ).toBeUndefined();
  });

  test('planted: keys no row documents for that principal and action, and no entry covers, are reported', () => {
    const planted = [
      // EventBridge dead-lettering: AWS shows aws:SourceArn only.
      statement('events.amazonaws.com', 'sqs:SendMessage', { StringEquals: { 'aws:SourceAccount': '111111111111' } }),
      // An encryption context no page shows for EventBridge as an SNS publisher.
      statement('events.amazonaws.com', ['kms:GenerateDataKey*', 'kms:Decrypt'], {
        StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': 'arn:aws:sns:eu-west-1:111111111111:alerts' },
      }),
      // A key documented for CloudTrail's bucket writes, required on another action.
      statement('cloudtrail.amazonaws.com', 'sts:AssumeRole', { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*' } }),
    ];
    const found = uncoveredConditionKeys([{ where: 'Planted/Policy', statements: planted }], region);
    expect(found).toEqual([
      expect.stringMatching(
        /^Planted\/Policy "Planted": events\.amazonaws\.com is required to send aws:SourceAccount for sqs:SendMessage/,
      ),
      expect.stringMatching(/events\.amazonaws\.com is required to send kms:EncryptionContext:aws:sns:topicArn/),
      expect.stringMatching(/cloudtrail\.amazonaws\.com is required to send aws:SourceArn for sts:AssumeRole/),
    ]);
  });

  test('statements without a service principal or without a Condition are not its concern', () => {
    const others: Statement[] = [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/x' } },
      },
    ];
    expect(uncoveredConditionKeys([{ where: 'Others', statements: others }], region)).toEqual([]);
  });

  test('planted in a synthesized template: a queue policy that requires aws:SourceAccount of EventBridge fails', () => {
    const app = testApp();
    const stack = new Stack(app, 'Planted', { env: TEST_ENV });
    const queue = new sqs.Queue(stack, 'DeadLetters', { queueName: 'dead-letters' });
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': `arn:aws:events:${region}:${TEST_ENV.account}:rule/r` },
          StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
        },
      }),
    );
    const world = new PolicyWorld(app.synth(), TEST_ENV);
    expect(uncoveredConditionKeys(world.resourcePolicies(), region)).toEqual([
      expect.stringMatching(
        /^Planted\/DeadLettersPolicy\w+ "EventBridgeDeadLetters": events\.amazonaws\.com is required to send aws:SourceAccount/,
      ),
    ]);
  });
});
