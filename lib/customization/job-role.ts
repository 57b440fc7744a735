import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { keyThroughS3Statement } from '../data-protection/prefix-write';
import { CUSTOMIZATION_OUTPUT_PREFIX, TRAINING_APPROVED_PREFIX } from '../shared/data-layout';
import { arnInAccount, customizationJobRoleName } from '../shared/names';

export interface CustomizationJobRoleProps {
  readonly dataBucket: s3.IBucket;
  readonly key: kms.IKey;
  /**
   * The job's subnets and security group, when it runs in the isolated
   * network: the role then may create and delete the network interfaces
   * Bedrock tags as its own there, and nowhere else.
   * @default - the job runs outside any VPC of this account
   */
  readonly network?: { readonly subnets: readonly ec2.ISubnet[]; readonly securityGroup: ec2.ISecurityGroup };
}

/** Bedrock's customization jobs of an account, in one region: what the trust policy and the ENI tags name. */
export function customizationJobArns(scope: Stack): string {
  return arnInAccount(scope, 'bedrock', 'model-customization-job/*');
}

/**
 * The role Bedrock works as while it fine-tunes (notes: fine-tuning adapts a
 * foundation model with labelled examples; here the examples are only ever
 * the approved ones). It reads training/approved/ and nothing else of the
 * bucket, writes the job's metrics under training/output/ (where the bucket
 * lets no one else write), and encrypts the custom model with the project key.
 *
 * The trust policy is the one AWS documents for model customization:
 * "Set the aws:SourceAccount value to your account ID", and the optional
 * ArnEquals or ArnLike on aws:SourceArn "to restrict the scope to specific
 * model customization jobs in your account ID"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/custom-model-job-access-security.html).
 * A job's ARN is not known before the job exists, so the pattern is every
 * customization job of this account and region.
 */
export class CustomizationJobRole extends Construct {
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: CustomizationJobRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const jobs = customizationJobArns(stack);
    this.role = new iam.Role(this, 'Role', {
      // Named: the data bucket lets only this role write under training/output/.
      roleName: customizationJobRoleName(stack.stackName),
      description: 'Bedrock model customization jobs: read approved training data, write metrics, encrypt the model',
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': jobs },
      }),
    });
    const bucket = props.dataBucket;
    const approved = bucket.arnForObjects(`${TRAINING_APPROVED_PREFIX}*`);
    const output = bucket.arnForObjects(`${CUSTOMIZATION_OUTPUT_PREFIX}*`);
    const statements = [
      new iam.PolicyStatement({ sid: 'ReadApprovedTrainingData', actions: ['s3:GetObject'], resources: [approved] }),
      // AWS's statement for the output location has all three actions.
      new iam.PolicyStatement({
        sid: 'WriteJobOutput',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [output],
      }),
      // "To restrict access to a specific folder in a bucket, add an s3:prefix
      // condition key with your folder path" (the same page).
      new iam.PolicyStatement({
        sid: 'ListOnlyApprovedDataAndOutput',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [`${TRAINING_APPROVED_PREFIX}*`, `${CUSTOMIZATION_OUTPUT_PREFIX}*`] },
        },
      }),
      keyThroughS3Statement(bucket, props.key, 'UseTheKeyThroughS3ForThisBucket'),
      // The custom model, encrypted with the project key: Bedrock creates a
      // grant for the model and scoped-down grants while the job runs, and
      // AWS recommends kms:ViaService "to limit access to the key to the
      // Amazon Bedrock service"
      // (https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html).
      new iam.PolicyStatement({
        sid: 'EncryptTheCustomModelThroughBedrock',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `bedrock.${stack.region}.amazonaws.com` } },
      }),
      ...(props.network ? vpcStatements(stack, jobs, props.network) : []),
    ];
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything a Bedrock customization job of this project may do as its role.',
      roles: [this.role],
      statements,
    });
    acknowledgeWildcardResource(
      this.policy,
      approved,
      'Each approved batch is a folder under training/approved/; the job reads nothing else of the bucket.',
    );
    acknowledgeWildcardResource(
      this.policy,
      output,
      'Bedrock names the metrics folder after the job under training/output/; the role writes nowhere else.',
    );
    if (props.network) {
      acknowledgeWildcardResource(
        this.policy,
        '*',
        'The EC2 Describe actions have no resource type; the network-interface actions are confined by the Bedrock tags and the subnets, as AWS documents for customization jobs in a VPC.',
      );
      acknowledgeWildcardResource(
        this.policy,
        arnInAccount(stack, 'ec2', 'network-interface/*'),
        'A network interface is created by the job, so its id is unknown; the request must carry the BedrockManaged and BedrockModelCustomizationJobArn tags.',
      );
    }
  }
}

/**
 * The statements AWS documents for a customization job in a VPC, with the
 * conditions it shows: "Amazon Bedrock tags ENIs that it creates with
 * BedrockManaged and BedrockModelCustomizationJobArn tags"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/custom-model-job-access-security.html#vpc-model-customization).
 */
function vpcStatements(
  stack: Stack,
  jobs: string,
  network: NonNullable<CustomizationJobRoleProps['network']>,
): iam.PolicyStatement[] {
  const subnetArns = network.subnets.map((s) => arnInAccount(stack, 'ec2', `subnet/${s.subnetId}`));
  const interfaces = arnInAccount(stack, 'ec2', 'network-interface/*');
  return [
    new iam.PolicyStatement({
      sid: 'DescribeTheNetwork',
      actions: [
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeVpcs',
        'ec2:DescribeDhcpOptions',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedInterfaces',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [interfaces],
      conditions: {
        StringEquals: { 'aws:RequestTag/BedrockManaged': ['true'] },
        ArnEquals: { 'aws:RequestTag/BedrockModelCustomizationJobArn': [jobs] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'CreateInterfacesInTheJobSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [...subnetArns, arnInAccount(stack, 'ec2', `security-group/${network.securityGroup.securityGroupId}`)],
    }),
    new iam.PolicyStatement({
      sid: 'ManageOnlyBedrockInterfaces',
      actions: [
        'ec2:CreateNetworkInterfacePermission',
        'ec2:DeleteNetworkInterface',
        'ec2:DeleteNetworkInterfacePermission',
      ],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'ec2:Subnet': subnetArns, 'ec2:ResourceTag/BedrockModelCustomizationJobArn': [jobs] },
        StringEquals: { 'ec2:ResourceTag/BedrockManaged': 'true' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'TagInterfacesWhenCreated',
      actions: ['ec2:CreateTags'],
      resources: [interfaces],
      conditions: {
        StringEquals: { 'ec2:CreateAction': ['CreateNetworkInterface'] },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['BedrockManaged', 'BedrockModelCustomizationJobArn'] },
      },
    }),
  ];
}
