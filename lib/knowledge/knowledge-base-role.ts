import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { arnInAccount } from '../shared/names';

export interface KnowledgeBaseRoleProps {
  /** The embedding model's foundation-model ARN: the only model the role may invoke. */
  readonly embeddingModelArn: string;
  /** The data bucket and the one prefix the data source reads. */
  readonly dataBucket: s3.IBucket;
  readonly prefix: string;
  /** The S3 Vectors index the knowledge base writes to and queries. */
  readonly indexArn: string;
  readonly key: kms.IKey;
}

/**
 * The service role a Bedrock knowledge base acts through: embed with one
 * model, read one prefix, use one vector index and the project key. Follows "Create a service role for Amazon
 * Bedrock Knowledge Bases", with every resource narrowed to this project.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html
 */
export class KnowledgeBaseRole extends Construct {
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: KnowledgeBaseRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // The role must exist before the knowledge base it serves, so its trust
    // cannot name that knowledge base's id; it names every knowledge base of
    // this account and region, the form AWS documents (Bedrock sends
    // aws:SourceAccount and aws:SourceArn when it assumes the role).
    this.role = new iam.Role(this, 'Role', {
      description: 'Bedrock knowledge base: embed, read knowledge/, use its vector index',
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': arnInAccount(stack, 'bedrock', 'knowledge-base/*') },
        },
      }),
    });

    const objects = props.dataBucket.arnForObjects(`${props.prefix}*`);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything the knowledge base may do',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'EmbedWithOneModel',
          actions: ['bedrock:InvokeModel'],
          resources: [props.embeddingModelArn],
        }),
        // Listing in the form AWS documents for a knowledge-base role: the
        // bucket, in this account. Whether Bedrock's crawler and its checks
        // always list with the inclusion prefix is not documented, and an
        // s3:prefix condition they do not meet would stop every ingestion;
        // listing shows key names only, and reading stays limited to the prefix.
        new iam.PolicyStatement({
          sid: 'ListTheDataBucket',
          actions: ['s3:ListBucket'],
          resources: [props.dataBucket.bucketArn],
          conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadOnlyThePromotedDocuments',
          actions: ['s3:GetObject'],
          resources: [objects],
        }),
        new iam.PolicyStatement({
          sid: 'UseOneVectorIndex',
          actions: [
            's3vectors:GetIndex',
            's3vectors:PutVectors',
            's3vectors:GetVectors',
            's3vectors:DeleteVectors',
            's3vectors:QueryVectors',
          ],
          resources: [props.indexArn],
        }),
        // The key, for three uses: the documents (S3 decrypts them on this
        // role's behalf), the vectors and their passages (S3 Vectors, likewise)
        // and the transient data of an ingestion job (the data source's
        // serverSideEncryptionConfiguration). Bedrock's ingestion workers call
        // KMS as this role directly, so that request carries no kms:ViaService
        // and the statement cannot be narrowed by service: it is the one AWS
        // documents, on this key only. What the role can read to decrypt stays
        // limited to knowledge/ and its one index.
        // https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html#kb-permissions-kms-ingestion
        // https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html
        new iam.PolicyStatement({
          sid: 'UseTheProjectKey',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.key.keyArn],
        }),
      ],
    });
    acknowledgeWildcardResource(
      this.policy,
      objects,
      'The data source reads every promoted document, whatever its key, under the one knowledge/ prefix; nothing else in the bucket.',
    );
  }
}
