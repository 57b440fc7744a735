import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { guardrailUseStatements } from '../guarded-ai/guardrail-use';
import { modelArns, type ModelTarget } from '../guarded-ai/model';
import { arnInAccount } from '../shared/names';

export interface AgentPermissionsProps {
  readonly model: ModelTarget;
  readonly guardrailArn: string;
  /** The key that encrypts the guardrail alone. */
  readonly guardrailKeyArn: string;
  /** The project key: the agent's customer key. */
  readonly key: kms.IKey;
}

/**
 * What the agent's service role may do, as AWS documents it for agents
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/agents-permissions.html),
 * and the reason for each wildcard resource among the statements.
 */
export function agentPermissions(
  stack: Stack,
  props: AgentPermissionsProps,
): { statements: iam.PolicyStatement[]; wildcards: [string, string][] } {
  const { profileArn, foundationModelArns } = modelArns(stack, props.model);
  // Any agent of this account and region: the role exists before the agent
  // (CloudFormation cannot name the agent's id in the policy of the role it
  // is created with). The trust policy narrows the same way.
  const agents = arnInAccount(stack, 'bedrock', 'agent/*');
  const wildcards: [string, string][] = [];
  const statements = [
    // Streaming the final answer needs InvokeModelWithResponseStream as well.
    new iam.PolicyStatement({
      sid: 'InvokeTheModel',
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: profileArn ? [profileArn] : foundationModelArns,
    }),
    ...guardrailUseStatements(props.guardrailArn, props.guardrailKeyArn),
    // The agent's instruction and tool schema are encrypted with the project
    // key, in the agent's own encryption context.
    new iam.PolicyStatement({
      sid: 'UseTheKeyForAgentResources',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.key.keyArn],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:bedrock:arn': agents } },
    }),
  ];
  if (profileArn) {
    // Through an inference profile: AWS adds these reads, and the routed
    // request reaches the foundation model in a region of the profile's
    // geography, allowed only through this profile.
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadTheProfile',
        actions: ['bedrock:GetInferenceProfile', 'bedrock:GetFoundationModel'],
        resources: [profileArn, ...foundationModelArns],
      }),
      new iam.PolicyStatement({
        sid: 'InvokeTheModelThroughTheProfile',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: foundationModelArns,
        conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
      }),
    );
    wildcards.push([
      foundationModelArns[0],
      'An inference profile routes to this one foundation model in any region of its geography (a list that changes over time); the bedrock:InferenceProfileArn condition allows the invocation only through our profile.',
    ]);
  }
  return { statements, wildcards };
}
