import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DocumentPromotion } from './document-promotion';

export interface IngestionStackProps extends StackProps {
  readonly key: kms.IKey;
  readonly dataBucket: s3.IBucket;
  /**
   * The project guardrail, which text documents must pass (its
   * sensitive-information policy), and the key that encrypts it alone.
   */
  readonly guardrail: { readonly guardrailArn: string; readonly guardrailKeyArn: string };
  /**
   * The SSM parameter (of the guarded-invoke stack) holding the guardrail's
   * published version, which the function reads at run time: named, not
   * imported, because an imported version would block every policy change.
   */
  readonly guardrailVersionParameterName: string;
  readonly knowledgeBase: { readonly id: string; readonly arn: string; readonly dataSourceId: string };
  /** The threat-detection stack's alert topic: refusals reach the same person as findings. */
  readonly alertTopic: sns.ITopic;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The only way into the knowledge base: documents dropped under incoming/
 * are promoted after the malware scan (and, for text, the guardrail).
 *
 * Its own stack because it is built on all the others: the data bucket, the
 * knowledge base, the guardrail (guarded-invoke) and the alert topic
 * (threat-detection), while the guarded-invoke stack is itself built on the
 * knowledge stack. Stateless apart from its logs and queued records.
 */
export class IngestionStack extends Stack {
  public readonly promotion: DocumentPromotion;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);
    this.promotion = new DocumentPromotion(this, 'Promotion', props);

    // What `npm run ingest` and `npm run verify` read after deployment.
    new CfnOutput(this, 'PromotionFunctionName', { value: this.promotion.function.functionName });
    new CfnOutput(this, 'PromotionQueueUrl', { value: this.promotion.queue.queueUrl });
    new CfnOutput(this, 'PromotionDeadLetterQueueUrl', { value: this.promotion.deadLetters.queueUrl });
  }
}
