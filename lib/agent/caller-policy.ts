import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * For the trusted code that talks to the agent (`npm run agent`, or a
 * product's back end): this alias, and no other agent or alias.
 *
 * Whoever holds it chooses the session's customer (session attributes are
 * not covered by any IAM condition key of InvokeAgent), so it belongs to the
 * code that signs people in, never to the people themselves (docs/agent.md).
 */
export function callerPolicy(
  scope: Construct,
  props: { readonly aliasArn: string; readonly agentArn: string; readonly key: kms.IKey },
): iam.ManagedPolicy {
  return new iam.ManagedPolicy(scope, 'CallerPolicy', {
    description: 'Invoke the guarded agent through its alias, and no other agent.',
    statements: [
      new iam.PolicyStatement({
        sid: 'InvokeThisAgentAlias',
        actions: ['bedrock:InvokeAgent'],
        resources: [props.aliasArn],
      }),
      // AWS asks this of the principals that call the APIs of an agent with a
      // customer key, in the agent's encryption context; whether InvokeAgent
      // is among them is not stated (assumption agent-caller-key-use).
      new iam.PolicyStatement({
        sid: 'UseTheKeyForThisAgentOnly',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:bedrock:arn': props.agentArn } },
      }),
    ],
  });
}
