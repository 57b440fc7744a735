import { synthesize, TEST_ENV } from '../support/build-app';
import { type Decision, PolicyWorld } from '../support/iam-harness';
import { generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that the knowledge base's service
 * role embeds with one model, reads only knowledge/, uses only its vector
 * index, and uses the key only through the services that encrypt for it; and
 * that only Bedrock, for a knowledge base of this account, may assume it.
 */
const { assembly, stacks } = synthesize();
const world = new PolicyWorld(assembly, TEST_ENV);
const { account, region }: { account: string; region: string } = TEST_ENV;
const OTHER_ACCOUNT = '222222222222';

const knowledge = stacks.knowledge;
if (!knowledge) throw new Error('the default configuration has a knowledge base');
const { vectorStore, knowledgeBase } = knowledge;
const role = knowledgeBase.role.role;
const caller = { role };

const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
const vectorBucketArn = world.valueOf(vectorStore.bucket.attrVectorBucketArn, vectorStore);
const indexArn = world.valueOf(vectorStore.index.attrIndexArn, vectorStore);
const knowledgeBaseArn = world.valueOf(knowledgeBase.arn, knowledgeBase);

const titanV2 = `arn:aws:bedrock:${region}::foundation-model/amazon.titan-embed-text-v2:0`;
/** A second index in our vector bucket, and a vector bucket of another stack, named as CloudFormation would. */
const otherIndex = `${vectorBucketArn}/index/${generatedName(knowledge.stackName, 'ArchiveIndex5C6D7E8F', 'AWS::S3Vectors::Index')}`;
const otherVectorBucket = `arn:aws:s3vectors:${region}:${account}:bucket/${generatedName('Reports', 'ReportVectors1A2B3C4D', 'AWS::S3Vectors::VectorBucket')}`;
const indexInOtherBucket = `${otherVectorBucket}/index/${indexArn.split('/index/')[1]}`;
/** A bucket of another stack of this account. */
const otherBucket = `arn:aws:s3:::${generatedName('Reports', 'ReportBucket3C4D5E6F', 'AWS::S3::Bucket')}`;

const decide = (action: string, resource: string, context: Record<string, string> = {}): Promise<Decision> =>
  world.decide({ caller, action, resource, context });
async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}

describe('the knowledge base service role', () => {
  test('the names are those a deployment has', () => {
    expect(vectorBucketArn).toMatch(
      /^arn:aws:s3vectors:eu-west-1:111111111111:bucket\/[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    );
    expect(indexArn).toMatch(/^arn:aws:s3vectors:eu-west-1:111111111111:bucket\/[a-z0-9-]+\/index\/[a-z0-9.-]{3,63}$/);
    expect(knowledgeBaseArn).toMatch(/^arn:aws:bedrock:eu-west-1:111111111111:knowledge-base\/[0-9A-Z]{10}$/);
  });

  test('it embeds with Titan Text Embeddings V2 of this region, and no other model', async () => {
    await expectDecision(decide('bedrock:InvokeModel', titanV2), 'Allowed');
    await expectDecision(
      decide('bedrock:InvokeModel', `arn:aws:bedrock:${region}::foundation-model/amazon.titan-embed-text-v1`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      decide('bedrock:InvokeModel', `arn:aws:bedrock:${region}::foundation-model/cohere.embed-english-v3`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      decide('bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0'),
      'ImplicitlyDenied',
    );
    // Embedding is a plain invocation; streaming is not needed.
    await expectDecision(decide('bedrock:InvokeModelWithResponseStream', titanV2), 'ImplicitlyDenied');
  });

  test('it reads promoted documents under knowledge/, and nothing dropped in incoming/ or written to records/', async () => {
    await expectDecision(decide('s3:GetObject', `${bucketArn}/knowledge/guide.md`), 'Allowed');
    await expectDecision(decide('s3:GetObject', `${bucketArn}/incoming/guide.md`), 'ImplicitlyDenied');
    await expectDecision(decide('s3:GetObject', `${bucketArn}/records/2026/11/29/request.json`), 'ImplicitlyDenied');
    await expectDecision(decide('s3:GetObject', `${otherBucket}/knowledge/guide.md`), 'ImplicitlyDenied');
    // Read-only: the data source never writes or deletes documents (and the
    // bucket lets only the promotion role write under knowledge/).
    await expectDecision(decide('s3:PutObject', `${bucketArn}/knowledge/guide.md`), 'ExplicitlyDenied');
    await expectDecision(decide('s3:DeleteObject', `${bucketArn}/knowledge/guide.md`), 'ImplicitlyDenied');
  });

  test('it lists the data bucket (the form AWS documents), and no other bucket', async () => {
    // Key names only: reading stays limited to knowledge/ (above). An
    // s3:prefix condition the crawler might not meet is deliberately absent.
    // S3 sets aws:ResourceAccount on every request: the bucket's owner.
    const inAccount = (owner: string) => ({ 'aws:ResourceAccount': owner });
    await expectDecision(
      decide('s3:ListBucket', bucketArn, { ...inAccount(account), 's3:prefix': 'knowledge/' }),
      'Allowed',
    );
    await expectDecision(decide('s3:ListBucket', bucketArn, inAccount(account)), 'Allowed');
    await expectDecision(decide('s3:ListBucket', otherBucket, inAccount(OTHER_ACCOUNT)), 'ImplicitlyDenied');
  });

  test('it uses its one vector index, not another index of the bucket or another vector bucket', async () => {
    const dataPlane = [
      's3vectors:PutVectors',
      's3vectors:QueryVectors',
      's3vectors:GetVectors',
      's3vectors:DeleteVectors',
      's3vectors:GetIndex',
    ];
    for (const action of dataPlane) {
      await expectDecision(decide(action, indexArn), 'Allowed');
      await expectDecision(decide(action, otherIndex), 'ImplicitlyDenied');
      await expectDecision(decide(action, indexInOtherBucket), 'ImplicitlyDenied');
    }
    // It cannot change or remove the store it writes to.
    await expectDecision(decide('s3vectors:DeleteIndex', indexArn), 'ImplicitlyDenied');
    await expectDecision(decide('s3vectors:DeleteVectorBucket', vectorBucketArn), 'ImplicitlyDenied');
    await expectDecision(decide('s3vectors:PutVectorBucketPolicy', vectorBucketArn), 'ImplicitlyDenied');
  });

  test('the key: through S3 for the documents, through S3 Vectors for the vectors, directly for ingestion data; nothing else', async () => {
    const throughS3 = world.serviceRequest('s3-uses-key-for-caller', {
      caller,
      action: 'kms:Decrypt',
      resource: keyArn,
      source: bucketArn,
    });
    const throughVectors = world.serviceRequest('s3vectors-uses-key-for-caller', {
      caller,
      action: 'kms:Decrypt',
      resource: keyArn,
      source: vectorBucketArn,
    });
    await expectDecision(throughS3, 'Allowed');
    await expectDecision(throughVectors, 'Allowed');
    // Bedrock's ingestion workers call KMS as the role, with no kms:ViaService.
    await expectDecision(decide('kms:GenerateDataKey', keyArn), 'Allowed');
    await expectDecision(decide('kms:Decrypt', keyArn), 'Allowed');
    // No other key, and nothing else with this one.
    const otherKey = keyArn.replace(/key\/.*$/, 'key/0000aaaa-bbbb-cccc-dddd-eeeeffff0000');
    await expectDecision(decide('kms:Decrypt', otherKey), 'ImplicitlyDenied');
    for (const action of ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ScheduleKeyDeletion']) {
      await expectDecision(decide(action, keyArn), 'ImplicitlyDenied');
    }
    // The key policy refuses grants made by anyone but AWS services.
    await expectDecision(decide('kms:CreateGrant', keyArn), 'ExplicitlyDenied');
  });

  test('Bedrock may assume it for a knowledge base of this account and region; another account, region or service may not', async () => {
    const roleArn = world.arnOf(role);
    const assumeFor = (source: string) =>
      world.serviceRequest('bedrock-assumes-knowledge-base-role', {
        action: 'sts:AssumeRole',
        resource: roleArn,
        source,
      });
    await expectDecision(assumeFor(knowledgeBaseArn), 'Allowed');
    await expectDecision(assumeFor(knowledgeBaseArn.replace(`:${account}:`, `:${OTHER_ACCOUNT}:`)), 'ImplicitlyDenied');
    await expectDecision(assumeFor(knowledgeBaseArn.replace(`:${region}:`, ':us-east-1:')), 'ImplicitlyDenied');
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'ImplicitlyDenied',
    );
  });

  test('no AWS managed policy on the role', () => {
    const template = assembly.getStackByName(knowledge.stackName).template as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const roles = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) expect(JSON.stringify(r.Properties?.ManagedPolicyArns ?? [])).not.toContain(':aws:policy/');
  });
});
