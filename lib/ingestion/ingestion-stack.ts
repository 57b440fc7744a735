import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DocumentPromotion, type DocumentPromotionProps } from './document-promotion';

/**
 * The promotion path's props, passed through: the data bucket and key, the
 * guardrail key (the ingestion guardrail is this stack's own, so no version
 * is imported: an imported version would block every policy change), the
 * knowledge base, and the alert topic (refusals reach the same person as
 * findings).
 */
export interface IngestionStackProps extends StackProps, DocumentPromotionProps {}

/**
 * The only way into the knowledge base: documents dropped under incoming/
 * are promoted after the malware scan (and, for text, the ingestion
 * guardrail).
 *
 * Its own stack because it is built on all the others: the data bucket, the
 * knowledge base, the guardrail key (guarded-invoke) and the alert topic
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
