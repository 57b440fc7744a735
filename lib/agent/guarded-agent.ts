import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import type { ModelTarget } from '../guarded-ai/model';
import { PLAN_ACTION_GROUP } from '../shared/agent-contract';
import { agentName, arnInAccount } from '../shared/names';
import { agentPermissions } from './agent-permissions';
import { functionSchema } from './function-schema';
import { AGENT_INSTRUCTION } from './instruction';

/**
 * How long a quiet session is kept: long enough to answer a confirmation
 * prompt, short enough that a forgotten session (and its customer) does not
 * linger. Bedrock accepts 60 to 3600 seconds in every schema we read.
 */
export const IDLE_SESSION_TTL_SECONDS = 600;

/** The alias callers invoke; it always points at the newest version. */
export const ALIAS_NAME = 'live';

export interface GuardedAgentProps {
  readonly model: ModelTarget;
  /** The project guardrail and the version the agent applies. */
  readonly guardrail: { readonly id: string; readonly arn: string; readonly version: string; readonly keyArn: string };
  /** The project key: the agent's customer key. */
  readonly key: kms.IKey;
  /** The action group's Lambda function. */
  readonly executorArn: string;
}

/**
 * A Bedrock agent behind the project guardrail, with one action group of
 * customer-plan tools, and its alias.
 *
 * Notes, agents: an agent plans multi-step tasks and calls back-end systems
 * for the user. Every input and answer goes through the guardrail's
 * published version; the instruction keeps the model to the signed-in
 * customer's plan and treats tool results as data; the service role can call
 * one model and one guardrail and use the key for agent resources only.
 */
export class GuardedAgent extends Construct {
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly agent: bedrock.CfnAgent;
  public readonly alias: bedrock.CfnAgentAlias;

  constructor(scope: Construct, id: string, props: GuardedAgentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      // The trust AWS documents: Bedrock, for agents of this account and
      // region only (the agent's id does not exist before its role).
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': arnInAccount(stack, 'bedrock', 'agent/*') },
        },
      }),
      description: 'Guarded agent: one model, one guardrail, the project key for agent resources.',
    });
    const { statements, wildcards } = agentPermissions(stack, {
      model: props.model,
      guardrailArn: props.guardrail.arn,
      guardrailKeyArn: props.guardrail.keyArn,
      key: props.key,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything the guarded agent may do.',
      roles: [this.role],
      statements,
    });
    for (const [resource, reason] of wildcards) acknowledgeWildcardResource(this.policy, resource, reason);
    acknowledgeWildcardResource(
      this.policy,
      arnInAccount(stack, 'bedrock', 'agent/*'),
      "Not a resource: the encryption context of the agent's own resources (kms:EncryptionContext:aws:bedrock:arn) names agents of this account and region, since the role exists before the agent's id.",
    );

    const schema = functionSchema();
    this.agent = new bedrock.CfnAgent(this, 'Agent', {
      agentName: agentName(stack.stackName),
      description: "Reads and changes the signed-in customer's own plan, with confirmation before any change.",
      agentResourceRoleArn: this.role.roleArn,
      foundationModel: props.model.modelId,
      instruction: AGENT_INSTRUCTION,
      idleSessionTtlInSeconds: IDLE_SESSION_TTL_SECONDS,
      customerEncryptionKeyArn: props.key.keyArn,
      guardrailConfiguration: { guardrailIdentifier: props.guardrail.id, guardrailVersion: props.guardrail.version },
      // Prepared on every change, so the alias below can cut a version of it.
      autoPrepare: true,
      actionGroups: [
        {
          actionGroupName: PLAN_ACTION_GROUP,
          description: "Tools over the signed-in customer's own plan.",
          actionGroupExecutor: { lambda: props.executorArn },
          actionGroupState: 'ENABLED',
          functionSchema: schema,
        },
      ],
    });
    // Bedrock checks the role when it prepares the agent.
    this.agent.node.addDependency(this.policy);

    // A version is cut when the alias is created or changed; the digest of
    // the agent's definition in the description makes every change of the
    // agent change the alias too, so callers never talk to a stale version.
    const definition = createHash('sha256')
      .update(JSON.stringify([props.model.modelId, AGENT_INSTRUCTION, schema, IDLE_SESSION_TTL_SECONDS]))
      .digest('hex')
      .slice(0, 12);
    this.alias = new bedrock.CfnAgentAlias(this, 'Alias', {
      agentAliasName: ALIAS_NAME,
      agentId: this.agent.attrAgentId,
      description: `Newest version of the agent (definition ${definition}, guardrail version ${props.guardrail.version}).`,
    });
  }
}
