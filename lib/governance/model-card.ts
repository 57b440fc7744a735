import { createHash } from 'node:crypto';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { modelCardContent, type ModelCardFacts, validateModelCardContent } from './model-card-content';
import { modelCardReviewProblem, type ModelCardStatus } from './model-card-review';

export type { ModelCardFacts, RiskRating } from './model-card-content';

/**
 * Review states a deployment may set. `Archived` is left out: an archived
 * card should receive no more updates, which a redeployment would make.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ModelCard.html
 */
export type { ModelCardStatus } from './model-card-review';

/** ModelCardName: 1 to 63 letters, digits and single or repeated hyphens, not at either end. */
export const MODEL_CARD_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The longest bucket name S3 allows: used to check the card's limits before the name is known. */
const LONGEST_EVALUATIONS_URI = `s3://${'b'.repeat(63)}/evaluations/`;

export interface ModelCardProps {
  /** Unique per account and region; changing it replaces the card (and its version history). */
  readonly name: string;
  /** Encrypts the card's content; fixed at creation (a change replaces the card). */
  readonly key: kms.IKey;
  readonly status: ModelCardStatus;
  /**
   * The content digest a reviewer read (`contentDigest` of the deployed Draft
   * card). Required for `PendingReview` and `Approved`, and must match the
   * content; while it is set, a `Draft` card's content must match it too
   * (model-card-review.ts).
   * @default - none: the card stays Draft
   */
  readonly reviewedDigest?: string;
  readonly removalPolicy: RemovalPolicy;
  readonly facts: ModelCardFacts;
}

/**
 * A digest of what the card says: the generated content, with the bucket name
 * (unknown until deployment, and not something a reviewer judges) left out.
 * Sixteen hex characters, like the guardrail version's policy digest.
 */
export function modelCardDigest(facts: ModelCardFacts): string {
  const content = modelCardContent({ ...facts, evaluationsUri: 's3://<data bucket>/evaluations/' });
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}

/**
 * The SageMaker model card of the deployment: the model, its intended and
 * out-of-scope uses, the risk rating, the guardrail in words, and how the
 * model is evaluated and red-teamed.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/model-cards.html
 *
 * Every content change makes a new card version (the history is the record);
 * the review status changes without one. SageMaker refuses content and status
 * changes in one UpdateModelCard call, so change the configuration that feeds
 * the content and the status in separate deployments
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelCard.html).
 *
 * The content is encrypted with the project key: SageMaker uses a grant the
 * deploying principal creates, and the key policy delegates to IAM, so the
 * key policy needs no statement for it.
 */
export class ModelCard extends Construct {
  public readonly card: sagemaker.CfnModelCard;
  public readonly name: string;
  /** What a reviewer approves: see modelCardDigest. */
  public readonly contentDigest: string;

  constructor(scope: Construct, id: string, props: ModelCardProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !MODEL_CARD_NAME_PATTERN.test(props.name)) {
      throw new Error(
        `model card name ${JSON.stringify(props.name)} (${props.name.length} characters) must match ${MODEL_CARD_NAME_PATTERN}`,
      );
    }
    // The same generator with the longest value the bucket name can take:
    // the limits hold whatever the deployed bucket is called.
    validateModelCardContent(modelCardContent({ ...props.facts, evaluationsUri: LONGEST_EVALUATIONS_URI }));
    const content = modelCardContent(props.facts);
    this.contentDigest = modelCardDigest(props.facts);
    // SageMaker keeps a card's status when its content changes (only content
    // edits make versions), so a redeployment with a new model or guardrail
    // would carry "Approved" over to content nobody reviewed; and it refuses
    // a status and a content change in one update. A review names the
    // content it is for, and status and content change in separate
    // deployments (model-card-review.ts).
    // https://docs.aws.amazon.com/sagemaker/latest/dg/model-cards.html
    const problem = modelCardReviewProblem(props.status, props.reviewedDigest, this.contentDigest);
    if (problem) throw new Error(problem);
    if (!Token.isUnresolved(props.facts.evaluationsUri)) validateModelCardContent(content);

    this.card = new sagemaker.CfnModelCard(this, 'Card', {
      modelCardName: props.name,
      modelCardStatus: props.status,
      securityConfig: { kmsKeyId: props.key.keyArn },
      content,
    });
    this.card.applyRemovalPolicy(props.removalPolicy);
    this.name = props.name;
  }
}
