import { synthesize, TEST_ENV } from '../support/build-app';
import { administrator, type Caller, type Decision, PolicyWorld } from '../support/iam-harness';
import { assignedId, generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that the promotion function reads
 * and tags only what was dropped in incoming/, writes only knowledge/, checks
 * text only with the ingestion guardrail, ingests only into this knowledge base,
 * reports only on the alert topic and consumes only its own queue; and that
 * the data bucket lets no one else write under knowledge/.
 */
const { assembly, stacks } = synthesize();
const world = new PolicyWorld(assembly, TEST_ENV);
const { account, region }: { account: string; region: string } = TEST_ENV;

const ingestion = stacks.ingestion;
const knowledge = stacks.knowledge;
if (!ingestion || !knowledge) throw new Error('the default configuration has the knowledge base and its ingestion');
const { promotion } = ingestion;
const promoter = { role: promotion.role };

const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
const guardrailKeyArn = world.arnOf(stacks.guardedInvoke.guardrailKey.key);
const { guardrail } = promotion;
const guardrailArn = world.valueOf(guardrail.guardrailArn, guardrail);
const projectGuardrail = stacks.guardedInvoke.guardrail;
const projectGuardrailArn = world.valueOf(projectGuardrail.guardrailArn, projectGuardrail);
const knowledgeBaseArn = world.valueOf(knowledge.knowledgeBase.arn, knowledge.knowledgeBase);
const { alerts } = stacks.threatDetection;
const topicArn = world.valueOf(alerts.topic.topicArn, alerts);
const alertDeadLetters = world.valueOf(alerts.deadLetters.queueArn, alerts);
const queueArn = world.valueOf(promotion.queue.queueArn, promotion);
const promotionDeadLetters = world.valueOf(promotion.deadLetters.queueArn, promotion);

/** Resources of someone else in this account, with names and ids of the shapes AWS gives them. */
const other = {
  guardrail: `arn:aws:bedrock:${region}:${account}:guardrail/${assignedId('guardrail', 'someone-else')}`,
  // Knowledge base ids: 10 capitals and digits.
  knowledgeBase: `arn:aws:bedrock:${region}:${account}:knowledge-base/Q7RM2KX9VD`,
  topic: `arn:aws:sns:${region}:${account}:${generatedName('Reports', 'ReportTopic1A2B3C4D', 'AWS::SNS::Topic')}`,
};

const decide = (action: string, resource: string, context: Record<string, string> = {}): Promise<Decision> =>
  world.decide({ caller: promoter, action, resource, context });
async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}

describe('the promotion role', () => {
  const dropped = `${bucketArn}/incoming/handbook.md`;
  const record = `${bucketArn}/records/2026/11/29/request.json`;

  test('it reads and tags the scanned version of a dropped document, and no audit record', async () => {
    for (const action of ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectVersionTagging']) {
      await expectDecision(decide(action, dropped), 'Allowed');
      await expectDecision(decide(action, record), 'ImplicitlyDenied');
    }
    await expectDecision(decide('s3:PutObjectVersionTagging', dropped), 'Allowed');
    await expectDecision(decide('s3:PutObjectVersionTagging', record), 'ImplicitlyDenied');
    // A refused document stays where it is: the function deletes nothing.
    await expectDecision(decide('s3:DeleteObject', dropped), 'ImplicitlyDenied');
    await expectDecision(decide('s3:DeleteObjectVersion', dropped), 'ImplicitlyDenied');
  });

  test('it writes under knowledge/ (the bucket policy lets it), and nowhere else', async () => {
    const sseKms = {
      's3:x-amz-server-side-encryption': 'aws:kms',
      's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn,
    };
    await expectDecision(decide('s3:PutObject', `${bucketArn}/knowledge/handbook.md`, sseKms), 'Allowed');
    await expectDecision(decide('s3:PutObject', `${bucketArn}/knowledge/handbook.md`), 'Allowed');
    await expectDecision(decide('s3:PutObject', dropped), 'ImplicitlyDenied');
    await expectDecision(decide('s3:PutObject', record), 'ImplicitlyDenied');
    await expectDecision(decide('s3:PutObject', `${bucketArn}/knowledgebase/handbook.md`), 'ImplicitlyDenied');
  });

  test('it lists only under the two prefixes it works in (to look a key up before reading it)', async () => {
    await expectDecision(decide('s3:ListBucket', bucketArn, { 's3:prefix': 'knowledge/handbook.md' }), 'Allowed');
    await expectDecision(decide('s3:ListBucket', bucketArn, { 's3:prefix': 'incoming/handbook.md' }), 'Allowed');
    await expectDecision(decide('s3:ListBucket', bucketArn, { 's3:prefix': 'records/' }), 'ImplicitlyDenied');
    await expectDecision(decide('s3:ListBucket', bucketArn, { 's3:prefix': '' }), 'ImplicitlyDenied');
    await expectDecision(decide('s3:ListBucket', bucketArn), 'ImplicitlyDenied');
  });

  test('it uses the key through S3 for the data bucket, not directly and not for another bucket', async () => {
    const throughS3 = (action: string, source: string) =>
      world.serviceRequest('s3-uses-key-for-caller', { caller: promoter, action, resource: keyArn, source });
    const otherBucket = `arn:aws:s3:::${generatedName('Reports', 'ReportBucket3C4D5E6F', 'AWS::S3::Bucket')}`;
    await expectDecision(throughS3('kms:GenerateDataKey', bucketArn), 'Allowed');
    await expectDecision(throughS3('kms:Decrypt', bucketArn), 'Allowed');
    // An object stored without an S3 Bucket Key: S3 names the object, not the
    // bucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
    // A document dropped that way under incoming/ is still readable; nothing else is.
    await expectDecision(throughS3('kms:Decrypt', `${bucketArn}/incoming/handbook.md`), 'Allowed');
    await expectDecision(throughS3('kms:Decrypt', `${bucketArn}/records/2026/audit.json`), 'ImplicitlyDenied');
    await expectDecision(throughS3('kms:Decrypt', `${otherBucket}/incoming/handbook.md`), 'ImplicitlyDenied');
    await expectDecision(throughS3('kms:GenerateDataKey', otherBucket), 'ImplicitlyDenied');
    await expectDecision(throughS3('kms:Decrypt', otherBucket), 'ImplicitlyDenied');
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt']) {
      await expectDecision(decide(action, keyArn), 'ImplicitlyDenied');
    }
  });

  test('it checks text with the ingestion guardrail only (not the project guardrail), decrypting it with the guardrail key', async () => {
    await expectDecision(decide('bedrock:ApplyGuardrail', guardrailArn), 'Allowed');
    await expectDecision(decide('bedrock:ApplyGuardrail', projectGuardrailArn), 'ImplicitlyDenied');
    await expectDecision(decide('bedrock:ApplyGuardrail', other.guardrail), 'ImplicitlyDenied');
    const readGuardrail = (key: string) =>
      world.serviceRequest('bedrock-decrypts-guardrail', {
        caller: promoter,
        action: 'kms:Decrypt',
        resource: key,
        source: guardrailArn,
      });
    await expectDecision(readGuardrail(guardrailKeyArn), 'Allowed');
    await expectDecision(readGuardrail(keyArn), 'ImplicitlyDenied');
    await expectDecision(decide('kms:GenerateDataKey', guardrailKeyArn), 'ImplicitlyDenied');
    // It never calls a model.
    await expectDecision(
      decide('bedrock:InvokeModel', `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`),
      'ImplicitlyDenied',
    );
  });

  test('it reads no SSM parameter: the guardrail version comes from its own stack', async () => {
    for (const action of ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath']) {
      await expectDecision(
        decide(action, `arn:aws:ssm:${region}:${account}:parameter/GuardedGenAi-GuardedInvoke/guardrail-version`),
        'ImplicitlyDenied',
      );
    }
  });

  test('it starts and lists ingestion jobs of this knowledge base only, and cannot query it', async () => {
    for (const action of ['bedrock:StartIngestionJob', 'bedrock:ListIngestionJobs']) {
      await expectDecision(decide(action, knowledgeBaseArn), 'Allowed');
      await expectDecision(decide(action, other.knowledgeBase), 'ImplicitlyDenied');
    }
    await expectDecision(decide('bedrock:Retrieve', knowledgeBaseArn), 'ImplicitlyDenied');
    await expectDecision(decide('bedrock:DeleteKnowledgeBase', knowledgeBaseArn), 'ImplicitlyDenied');
  });

  test('it reports on the alert topic only, with the alert key (as SNS documents a publisher), never the project key through SNS', async () => {
    await expectDecision(decide('sns:Publish', topicArn), 'Allowed');
    await expectDecision(decide('sns:Publish', other.topic), 'ImplicitlyDenied');
    const alertKeyArn = world.arnOf(alerts.key);
    const publish = (action: string, resource: string) =>
      world.serviceRequest('sns-uses-key-for-publisher', { caller: promoter, action, resource });
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      await expectDecision(publish(action, alertKeyArn), 'Allowed');
      await expectDecision(publish(action, keyArn), 'ImplicitlyDenied');
    }
    // The alert key opens alerts only, and the function cannot read the
    // alert dead-letter queue, where the only ciphertext it could decrypt is.
    await expectDecision(decide('sqs:ReceiveMessage', alertDeadLetters), 'ImplicitlyDenied');
  });

  test('it consumes its own queue (decrypting with the alert key, as SQS documents a consumer), not the dead-letter queues', async () => {
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
      await expectDecision(decide(action, queueArn), 'Allowed');
      await expectDecision(decide(action, alertDeadLetters), 'ImplicitlyDenied');
      await expectDecision(decide(action, promotionDeadLetters), 'ImplicitlyDenied');
    }
    const decryptFor = (resource: string) =>
      world.serviceRequest('sqs-uses-key-for-consumer', {
        caller: promoter,
        action: 'kms:Decrypt',
        resource,
        source: queueArn,
      });
    await expectDecision(decryptFor(world.arnOf(alerts.key)), 'Allowed');
    // Not through the project key: the queue is not encrypted with it.
    await expectDecision(decryptFor(keyArn), 'ImplicitlyDenied');
    // Only EventBridge puts scan results on the queue.
    await expectDecision(decide('sqs:SendMessage', queueArn), 'ImplicitlyDenied');
  });

  test('Lambda may assume it, Bedrock may not', async () => {
    const roleArn = world.arnOf(promotion.role);
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'Allowed',
    );
    await expectDecision(
      world.serviceRequest('bedrock-assumes-knowledge-base-role', {
        action: 'sts:AssumeRole',
        resource: roleArn,
        source: knowledgeBaseArn,
      }),
      'ImplicitlyDenied',
    );
  });
});

describe('the data bucket lets only the promotion role write under knowledge/', () => {
  /** A role of this account whose own policy allows writing anywhere in the bucket. */
  const uploader: Caller = {
    arn: `arn:aws:iam::${account}:role/DocumentUploader`,
    identityPolicies: [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucketArn}/*` }] },
    ],
  };
  const put = (caller: Caller, key: string) =>
    world.decide({ caller, action: 's3:PutObject', resource: `${bucketArn}/${key}` });

  test('another role, or an administrator, is refused under knowledge/ but may drop documents in incoming/', async () => {
    await expectDecision(put(uploader, 'knowledge/handbook.md'), 'ExplicitlyDenied');
    await expectDecision(put(administrator(account), 'knowledge/handbook.md'), 'ExplicitlyDenied');
    await expectDecision(put(uploader, 'incoming/handbook.md'), 'Allowed');
  });

  test('the promotion role is allowed', async () => {
    await expectDecision(put(promoter, 'knowledge/handbook.md'), 'Allowed');
  });

  test('a replication role (s3:ReplicateObject, no s3:PutObject) cannot write under knowledge/ either', async () => {
    const replicator: Caller = {
      arn: `arn:aws:iam::${account}:role/ReplicationDestination`,
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ReplicateObject', Resource: `${bucketArn}/*` }],
        },
      ],
    };
    const replicate = (key: string) =>
      world.decide({ caller: replicator, action: 's3:ReplicateObject', resource: `${bucketArn}/${key}` });
    await expectDecision(replicate('knowledge/handbook.md'), 'ExplicitlyDenied');
    await expectDecision(replicate('incoming/handbook.md'), 'Allowed');
  });
});

describe('with the isolated network', () => {
  const isolated = synthesize({ isolatedNetwork: true });
  const isolatedWorld = new PolicyWorld(isolated.assembly, TEST_ENV);
  const isolatedBucket = isolatedWorld.arnOf(isolated.stacks.dataProtection.dataBucket.bucket);
  const network = isolated.stacks.dataProtection.network;
  if (!network || !isolated.stacks.ingestion) throw new Error('the isolated configuration has a network and ingestion');
  const isolatedPromoter = { role: isolated.stacks.ingestion.promotion.role };
  const put = (caller: Caller, key: string, viaEndpoint?: typeof network.s3Endpoint) =>
    isolatedWorld.decide({ caller, action: 's3:PutObject', resource: `${isolatedBucket}/${key}`, viaEndpoint });
  const admin = administrator(account);

  test('a user drops a document in incoming/ from outside the VPC endpoint; records/ stays fenced', async () => {
    await expectDecision(put(admin, 'incoming/handbook.md'), 'Allowed');
    await expectDecision(put(admin, 'records/2026/11/29/forged.json'), 'ExplicitlyDenied');
    await expectDecision(put(admin, 'records/2026/11/29/forged.json', network.s3Endpoint), 'Allowed');
  });

  test('the promotion role (outside the VPC) writes knowledge/; no one else does, even through the endpoint', async () => {
    await expectDecision(put(isolatedPromoter, 'knowledge/handbook.md'), 'Allowed');
    await expectDecision(put(admin, 'knowledge/handbook.md'), 'ExplicitlyDenied');
    await expectDecision(put(admin, 'knowledge/handbook.md', network.s3Endpoint), 'ExplicitlyDenied');
  });
});
