import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TEST_ENV, testApp } from './build-app';
import { PolicyWorld } from './iam-harness';
import { breaksRefusal, refusalViolations } from './refusals';
import { SERVICE_REQUESTS, type ServiceRequestRow } from './service-requests';

/** One topic whose policy lets EventBridge publish, with `conditions` on that statement. */
function topicWorld(conditions?: Record<string, Record<string, string>>) {
  const app = testApp();
  const stack = new Stack(app, 'Refusals', { env: TEST_ENV });
  const topic = new sns.Topic(stack, 'Topic', { topicName: 'alerts' });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgePublishes',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  const world = new PolicyWorld(app.synth(), TEST_ENV);
  return { world, topicArn: `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:alerts` };
}

describe('a documented refusal fails the test of a policy that breaks it', () => {
  test('the rows that record one quote the page for it', () => {
    const refusing = Object.entries(SERVICE_REQUESTS as Record<string, ServiceRequestRow>).filter(([, r]) => r.refuses);
    expect(refusing.map(([id]) => id)).toEqual(['eventbridge-publishes-to-topic', 'eventbridge-encrypts-for-topic']);
    for (const [, row] of refusing) {
      expect(row.refuses?.quote.length).toBeGreaterThan(40);
      expect(row.refuses?.citation).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  test('EventBridge publishing under any Condition: the request fails instead of being evaluated', async () => {
    const { world, topicArn } = topicWorld({ StringEquals: { 'aws:SourceAccount': TEST_ENV.account } });
    await expect(
      world.serviceRequest('eventbridge-publishes-to-topic', { action: 'sns:Publish', resource: topicArn }),
    ).rejects.toThrow(/You can't use `Condition` blocks in Amazon SNS topic policies for EventBridge/);
    expect(refusalViolations(world.resourcePolicies())).toEqual([
      expect.stringContaining('"EventBridgePublishes" lets events.amazonaws.com in only under aws:SourceAccount'),
    ]);
  });

  test('the documented form (no Condition) is evaluated, and allowed', async () => {
    const { world, topicArn } = topicWorld();
    await expect(
      world.serviceRequest('eventbridge-publishes-to-topic', { action: 'sns:Publish', resource: topicArn }),
    ).resolves.toBe('Allowed');
    expect(refusalViolations(world.resourcePolicies())).toEqual([]);
  });

  test('a key statement for EventBridge may not use the source keys SNS says are unsupported there', () => {
    // As a synthesized key policy has it.
    const statement = (condition: Record<string, Record<string, string>>) => ({
      Sid: 'EventBridgeUsesTheKey',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: condition,
    });
    expect(breaksRefusal('eventbridge-encrypts-for-topic', statement({ ArnLike: { 'aws:SourceArn': 'x' } }))).toMatch(
      /not supported for EventBridge-to-encrypted topics/,
    );
    expect(
      breaksRefusal('eventbridge-encrypts-for-topic', statement({ StringEquals: { 'AWS:SourceAccount': '1' } })),
    ).toBeDefined();
    // Not refused by that sentence (an encryption context), though no page
    // documents one either: the row's request carries none, so such a
    // statement is denied when a test evaluates it.
    expect(
      breaksRefusal(
        'eventbridge-encrypts-for-topic',
        statement({ StringLike: { 'kms:EncryptionContext:aws:sns:topicArn': 'x' } }),
      ),
    ).toBeUndefined();
  });

  test('statements for another principal or action are not the refusal’s concern', () => {
    const cloudWatch = {
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:*' } },
    };
    expect(breaksRefusal('eventbridge-publishes-to-topic', cloudWatch)).toBeUndefined();
    const deadLetters = { ...cloudWatch, Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' };
    expect(breaksRefusal('eventbridge-publishes-to-topic', deadLetters)).toBeUndefined();
  });
});
