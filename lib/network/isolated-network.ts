import { Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface IsolatedNetworkProps {
  /** Encrypts the flow-log group. */
  readonly key: kms.IKey;
  /** Objects the function may reach through the S3 gateway endpoint (bucket ARNs with key patterns). */
  readonly s3ObjectArns: readonly string[];
  readonly flowLogRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * The two Availability Zones of the subnets. Name them when the Bedrock
   * Runtime endpoint service is not offered in the region's first two
   * (`aws ec2 describe-vpc-endpoint-services --service-names
   * com.amazonaws.<region>.bedrock-runtime` lists where it is; `npm run
   * preflight` checks it).
   * @default - the first two zones of the region (Fn::GetAZs at deploy time)
   */
  readonly availabilityZones?: readonly string[];
  /**
   * Tables whose names start with this prefix (those of the agent's stack)
   * may be read and updated through a DynamoDB gateway endpoint.
   * @default - no DynamoDB endpoint
   */
  readonly dynamoDbTableNamePrefix?: string;
  /**
   * The role Bedrock customization jobs run as in this network, and the
   * objects it reads and writes through the S3 endpoint.
   * @default - no customization jobs here
   */
  readonly customizationJob?: {
    readonly roleArn: string;
    readonly bucketArn: string;
    readonly readObjectArns: readonly string[];
    readonly writeObjectArns: readonly string[];
  };
}

/**
 * A VPC with no route to the internet: private isolated subnets in two
 * Availability Zones, no internet gateway, no NAT.
 *
 * Notes, security chapter ("protect data from exfiltration": VPC, its policies,
 * PrivateLink): a function here can reach only what has an endpoint in the VPC,
 * and each endpoint's policy narrows it further to this project's resources.
 * VPC flow logs record every connection attempt, accepted or rejected.
 */
export class IsolatedNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /** The S3 gateway endpoint; the data bucket accepts writes only through it. */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /** The DynamoDB gateway endpoint, when a table name prefix is given. */
  public readonly dynamoDbEndpoint?: ec2.GatewayVpcEndpoint;
  public readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      // Two AZs named in config, or chosen by CloudFormation at deploy time
      // (Fn::GetAZs), never by a lookup at synth time.
      availabilityZones: props.availabilityZones
        ? [...props.availabilityZones]
        : [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
      natGateways: 0,
      createInternetGateway: false,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // The default security group is attached to nothing (see below).
      restrictDefaultSecurityGroup: false,
    });
    const closedDefault =
      "The default security group is attached to nothing: the function and every endpoint in this VPC use their own groups, so its default rules reach no interface. Closing it takes CDK's custom-resource Lambda (restrictDefaultSecurityGroup), which would itself run outside any VPC with a managed-policy role.";
    for (const id of [
      'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      'HIPAA.Security-VPCDefaultSecurityGroupClosed',
      'PCI.DSS.321-VPCDefaultSecurityGroupClosed',
    ]) {
      Validations.of(this.vpc).acknowledge({ id, reason: closedDefault });
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.key,
      retention: props.flowLogRetention,
      removalPolicy: props.removalPolicy,
    });
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      // Confused-deputy protection: only flow logs of this account's VPCs.
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc-flow-log/*` },
        },
      }),
    });
    const flowLogPolicy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole.withoutPolicyUpdates()),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    // Nothing else orders the two: without this, the flow log can start
    // delivering before its role may write, and those first records are lost.
    flowLog.node.addDependency(flowLogPolicy);

    // S3 through a gateway endpoint (no hourly cost), limited to the project's
    // objects: the function cannot copy data to any other bucket, not even one
    // of its own account.
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    this.s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThisProjectsObjects',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [...props.s3ObjectArns],
        conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
      }),
    );

    if (props.customizationJob) {
      // A customization job in this network reads its approved training data
      // and writes its metrics through this endpoint ("you need to create an
      // Amazon S3 VPC endpoint to allow your model customization jobs to
      // access the S3 buckets",
      // https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-s3.html):
      // its role, and only for those objects.
      const job = props.customizationJob;
      const asTheJobRole = { ArnEquals: { 'aws:PrincipalArn': job.roleArn } };
      this.s3Endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'CustomizationJobReadsApprovedData',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject'],
          resources: [...job.readObjectArns, ...job.writeObjectArns],
          conditions: asTheJobRole,
        }),
      );
      this.s3Endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'CustomizationJobWritesItsOutput',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [...job.writeObjectArns],
          conditions: asTheJobRole,
        }),
      );
      this.s3Endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'CustomizationJobListsItsData',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:ListBucket'],
          resources: [job.bucketArn],
          conditions: asTheJobRole,
        }),
      );
    }

    if (props.dynamoDbTableNamePrefix) {
      // DynamoDB through a gateway endpoint too (no hourly cost), for the
      // items of this project's tables only: a function here can read or
      // update nothing else in DynamoDB.
      this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDb', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      });
      this.dynamoDbEndpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'OnlyThisProjectsTables',
          principals: [new iam.AnyPrincipal()],
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [
            `arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/${props.dynamoDbTableNamePrefix}*`,
          ],
          conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
        }),
      );
    }
  }
}
