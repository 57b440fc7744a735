import { CfnOutput, Reference, RemovalPolicy, Stack, StackProps, Tokenization } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { GuardrailPolicy } from '../guarded-ai/guardrail';
import type { ModelTarget } from '../guarded-ai/model';
import { EVALUATIONS_PREFIX } from '../shared/data-layout';
import { evaluationRoleName, modelCardName } from '../shared/names';
import { EvaluationRole } from './evaluation-role';
import { ModelCard, type ModelCardStatus, type RiskRating } from './model-card';
import { governanceOperatorPolicy } from './operator-policy';

export interface GovernanceStackProps extends StackProps {
  /** The model the deployment serves: what is evaluated and what the card describes. */
  readonly model: ModelTarget;
  /** The project guardrail's policy, for the card to describe in words. */
  readonly guardrailPolicy: GuardrailPolicy;
  readonly riskRating: RiskRating;
  readonly cardStatus: ModelCardStatus;
  /**
   * The content digest a reviewer approved; required with cardStatus Approved.
   * @default - none
   */
  readonly cardReviewedDigest?: string;
  /** Whether the knowledge base and the account-wide enforced guardrail are deployed (the card says so). */
  readonly knowledgeBase: boolean;
  readonly enforcedGuardrail: boolean;
  readonly key: kms.IKey;
  readonly dataBucket: s3.IBucket;
  /** The guarded invoke function and its guardrail (with the key that encrypts it alone), which red-teaming calls. */
  readonly invoke: { readonly functionArn: string; readonly guardrailArn: string; readonly guardrailKeyArn: string };
  /**
   * Whether the model card (a versioned record) survives the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * AI governance (notes, responsible-AI and governance chapters): evaluate the
 * model before and after deployment, document it, and let the people who do
 * that work with exactly the access it takes.
 *
 * Built on DataProtection (the key and the evaluations/ prefix of the data
 * bucket) and GuardedInvoke (the function and guardrail red-teaming calls).
 * The account-wide enforced guardrail is not here: it must name the
 * guardrail's published version, which lives in GuardedInvoke.
 */
export class GovernanceStack extends Stack {
  public readonly evaluationRole: EvaluationRole;
  public readonly modelCard: ModelCard;
  public readonly operatorPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const evaluationsUri = `s3://${props.dataBucket.bucketName}/${EVALUATIONS_PREFIX}`;

    this.evaluationRole = new EvaluationRole(this, 'EvaluationRole', {
      roleName: evaluationRoleName(this.stackName),
      model: props.model,
      bucket: props.dataBucket,
      key: props.key,
      enforcedGuardrail: props.enforcedGuardrail
        ? { guardrailArn: props.invoke.guardrailArn, guardrailKeyArn: props.invoke.guardrailKeyArn }
        : undefined,
    });

    this.modelCard = new ModelCard(this, 'ModelCard', {
      name: modelCardName(this.stackName),
      key: props.key,
      status: props.cardStatus,
      reviewedDigest: props.cardReviewedDigest,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      facts: {
        model: props.model,
        riskRating: props.riskRating,
        guardrailPolicy: props.guardrailPolicy,
        knowledgeBase: props.knowledgeBase,
        enforcedGuardrail: props.enforcedGuardrail,
        evaluationsUri,
      },
    });

    this.operatorPolicy = governanceOperatorPolicy(this, {
      functionArn: props.invoke.functionArn,
      guardrailArn: props.invoke.guardrailArn,
      guardrailKeyArn: props.invoke.guardrailKeyArn,
      key: props.key,
      bucket: props.dataBucket,
      evaluationRole: this.evaluationRole.role,
      model: props.model,
      // The stacks whose outputs the scripts read: the function's, the data's and this one.
      stackNames: [stackOf(props.invoke.functionArn).stackName, Stack.of(props.dataBucket).stackName, this.stackName],
    });

    // What `npm run redteam` and `npm run evaluate` read after deployment.
    new CfnOutput(this, 'EvaluationRoleArn', { value: this.evaluationRole.role.roleArn });
    new CfnOutput(this, 'OperatorPolicyArn', { value: this.operatorPolicy.managedPolicyArn });
    new CfnOutput(this, 'ModelCardName', { value: this.modelCard.name });
    // What a reviewer approves: modelCardReviewedDigest must equal it for modelCardStatus=Approved.
    new CfnOutput(this, 'ModelCardContentDigest', { value: this.modelCard.contentDigest });
  }
}

/** The stack that owns the resource a reference token (an ARN attribute) points at. */
function stackOf(token: string): Stack {
  const reference = Tokenization.reverseString(token).firstToken;
  if (!Reference.isReference(reference)) throw new Error(`not a reference to a resource: ${token}`);
  return Stack.of(reference.target);
}
