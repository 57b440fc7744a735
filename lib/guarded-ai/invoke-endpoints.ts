import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { XRAY_TRACING_ACTIONS } from '../shared/xray';

export interface InvokeEndpointsProps {
  readonly vpc: ec2.IVpc;
  /** Model, inference-profile and destination-model ARNs the function may invoke. */
  readonly modelArns: readonly string[];
  readonly guardrailArn: string;
  /**
   * The knowledge base the function retrieves from, through a Bedrock Agent Runtime endpoint.
   * @default - no retrieval, no endpoint
   */
  readonly knowledgeBaseArn?: string;
}

/**
 * The interface endpoint services of isolated mode, each endpoint with a
 * policy. `npm run preflight` checks every one of them (zones offered, policy
 * support) from this list, so a new endpoint is checked as soon as it is added.
 */
export const INVOKE_ENDPOINT_SERVICES = {
  BedrockRuntime: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
  BedrockAgentRuntime: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT_RUNTIME,
  XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
} as const;

/** The endpoint services isolated mode creates: Bedrock Agent Runtime only with a knowledge base. */
export function invokeEndpointServices(withKnowledgeBase: boolean): readonly ec2.InterfaceVpcEndpointAwsService[] {
  const { BedrockRuntime, BedrockAgentRuntime, XRay } = INVOKE_ENDPOINT_SERVICES;
  return withKnowledgeBase ? [BedrockRuntime, BedrockAgentRuntime, XRay] : [BedrockRuntime, XRay];
}

/**
 * The interface endpoints the isolated invoke function needs, each with a
 * policy narrowed to this project (AWS PrivateLink, notes' exfiltration
 * controls). Only what the function itself calls gets an endpoint: Bedrock
 * Runtime, X-Ray and, with a knowledge base, Bedrock Agent Runtime. It never calls KMS, CloudWatch Logs or STS directly (S3
 * and Bedrock use KMS on its behalf, Lambda ships its logs and credentials), so
 * those endpoints would cost money without carrying any traffic.
 */
export class InvokeEndpoints extends Construct {
  /** Security group of the endpoints: HTTPS in from the function only. */
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly bedrockRuntime: ec2.InterfaceVpcEndpoint;
  public readonly xray: ec2.InterfaceVpcEndpoint;
  public readonly agentRuntime?: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: InvokeEndpointsProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Interface endpoints of the guarded invoke function',
      allowAllOutbound: false,
    });
    // Created in this stack (not through vpc.addInterfaceEndpoint, which would
    // put them in the network's stack): their policies name this stack's guardrail.
    const endpoint = (name: keyof typeof INVOKE_ENDPOINT_SERVICES) =>
      new ec2.InterfaceVpcEndpoint(this, name, {
        vpc: props.vpc,
        service: INVOKE_ENDPOINT_SERVICES[name],
        privateDnsEnabled: true,
        securityGroups: [this.securityGroup],
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        open: false,
      });

    this.bedrockRuntime = endpoint('BedrockRuntime');
    this.bedrockRuntime.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OnlyOurModelThroughOurGuardrail',
        principals: [new iam.AnyPrincipal()],
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: [...props.modelArns],
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
    this.bedrockRuntime.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OnlyOurGuardrail',
        principals: [new iam.AnyPrincipal()],
        actions: ['bedrock:ApplyGuardrail'],
        resources: [props.guardrailArn],
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );

    if (props.knowledgeBaseArn) {
      // Retrieve is a Bedrock Agent Runtime call, with an endpoint of its own.
      this.agentRuntime = endpoint('BedrockAgentRuntime');
      this.agentRuntime.addToPolicy(
        new iam.PolicyStatement({
          sid: 'OnlyOurKnowledgeBase',
          principals: [new iam.AnyPrincipal()],
          actions: ['bedrock:Retrieve'],
          resources: [props.knowledgeBaseArn],
          conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
        }),
      );
    }

    this.xray = endpoint('XRay');
    this.xray.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TracesFromThisAccountOnly',
        principals: [new iam.AnyPrincipal()],
        actions: XRAY_TRACING_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
  }
}
