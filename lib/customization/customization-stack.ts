import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { ModelTarget } from '../guarded-ai/model';
import { customModelCardName } from '../shared/names';
import type { ApprovedCustomModel } from './approved-model';
import { CustomModelCard } from './custom-model-card';
import { CustomizationJobRole } from './job-role';
import { customizationOperatorPolicy } from './operator-policy';
import { TrainingApproval } from './training-approval';

export interface CustomizationStackProps extends StackProps {
  /** The configured model: what is fine-tuned, and what the custom model is compared with. */
  readonly model: ModelTarget;
  /** The customization base model of the configured model (`amazon.nova-micro-v1:0:128k`). */
  readonly baseModelIdentifier: string;
  readonly key: kms.IKey;
  readonly dataBucket: s3.IBucket;
  /** The project guardrail (GuardedInvoke) with the key that encrypts guardrails alone. */
  readonly guardrail: { readonly arn: string; readonly keyArn: string };
  /**
   * The isolated network: customization jobs then run in its subnets, reaching
   * S3 through its gateway endpoint only.
   * @default - jobs run in Bedrock's own network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The custom model the customModelApproval setting approved: the stack then
   * carries its model card.
   * @default - no approved custom model
   */
  readonly approved?: ApprovedCustomModel;
  /** Stacks whose outputs `npm run customize` reads. */
  readonly outputStacks: readonly string[];
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Guarded model customization (notes: fine-tuning and the preparation and
 * governance of its data; docs/customization.md): the only way into a
 * training set, the role fine-tuning jobs work as, the policy for the people
 * who run them, and the card of an approved custom model.
 *
 * Costs nothing idle: a role, a function and a guardrail. The job, the custom
 * model (stored monthly) and its deployment exist only once `npm run
 * customize` creates them, because CloudFormation has no resource for
 * either. Built on DataProtection (key, bucket, network) and GuardedInvoke
 * (the guardrail key, and the guardrail the comparison applies).
 */
export class CustomizationStack extends Stack {
  public readonly approval: TrainingApproval;
  public readonly jobRole: CustomizationJobRole;
  public readonly operatorPolicy: iam.ManagedPolicy;
  /** The security group of the jobs' network interfaces, in the isolated network. */
  public readonly jobSecurityGroup?: ec2.SecurityGroup;
  public readonly card?: CustomModelCard;

  constructor(scope: Construct, id: string, props: CustomizationStackProps) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.approval = new TrainingApproval(this, 'Approval', {
      dataBucket: props.dataBucket,
      key: props.key,
      guardrailKeyArn: props.guardrail.keyArn,
      baseModel: props.baseModelIdentifier,
      logRetention: props.logRetention,
      removalPolicy,
    });

    const subnets = props.vpc?.isolatedSubnets;
    if (props.vpc) {
      this.jobSecurityGroup = new ec2.SecurityGroup(this, 'JobSecurityGroup', {
        vpc: props.vpc,
        description: 'Bedrock customization jobs: HTTPS to S3 through the gateway endpoint only',
        allowAllOutbound: false,
      });
      // The isolated subnets' only non-local route is the S3 gateway
      // endpoint, whose policy lets the job role reach its two prefixes.
      this.jobSecurityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'HTTPS to S3 through the gateway endpoint',
      );
    }
    this.jobRole = new CustomizationJobRole(this, 'JobRole', {
      dataBucket: props.dataBucket,
      key: props.key,
      network: subnets && this.jobSecurityGroup ? { subnets, securityGroup: this.jobSecurityGroup } : undefined,
    });

    this.operatorPolicy = customizationOperatorPolicy(this, {
      bucket: props.dataBucket,
      key: props.key,
      approvalCallStatements: this.approval.callStatements(),
      jobRole: this.jobRole.role,
      baseModelIdentifier: props.baseModelIdentifier,
      model: props.model,
      guardrail: props.guardrail,
      stackNames: [...props.outputStacks, this.stackName],
    });

    if (props.approved) {
      this.card = new CustomModelCard(this, 'CustomModelCard', {
        name: customModelCardName(this.stackName, props.approved.comparisonSha256),
        key: props.key,
        approved: props.approved,
        removalPolicy,
      });
    }

    // What `npm run customize` reads after deployment.
    new CfnOutput(this, 'ApprovalFunctionUrl', { value: this.approval.functionUrl.url });
    new CfnOutput(this, 'ApprovalFunctionName', { value: this.approval.function.functionName });
    new CfnOutput(this, 'JobRoleArn', { value: this.jobRole.role.roleArn });
    new CfnOutput(this, 'OperatorPolicyArn', { value: this.operatorPolicy.managedPolicyArn });
    new CfnOutput(this, 'BaseModelIdentifier', { value: props.baseModelIdentifier });
    // The job's subnets are DataProtection's output IsolatedSubnetIds: an
    // output here would only repeat values this stack imports.
    if (this.jobSecurityGroup) {
      new CfnOutput(this, 'JobSecurityGroupId', { value: this.jobSecurityGroup.securityGroupId });
    }
    if (props.approved) {
      new CfnOutput(this, 'ApprovedDeploymentArn', { value: props.approved.deploymentArn });
      new CfnOutput(this, 'ApprovedComparisonSha256', { value: props.approved.comparisonSha256 });
    }
  }
}
