import { sharedSynthesis, synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { type Caller, type Decision, type PolicyDocument, PolicyWorld } from '../support/iam-harness';
import { generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that each principal of the Agent
 * stack can do its one job: the agent's service role calls one model and one
 * guardrail, the executor reads and updates items of one table and writes
 * audit records under one prefix, Bedrock may invoke the executor for this
 * agent only, and the caller policy opens this alias and nothing else.
 */
const { assembly, stacks } = synthesize({ agent: true, modelCustomization: true });
const world = new PolicyWorld(assembly, TEST_ENV);
const { region, account } = TEST_ENV;
const agentStack = stacks.agent;
if (!agentStack) throw new Error('the agent configuration has an Agent stack');
const { guardedAgent, executor, store } = agentStack;

const agentArn = world.valueOf(guardedAgent.agent.attrAgentArn, guardedAgent.agent);
const aliasArn = world.valueOf(guardedAgent.alias.attrAgentAliasArn, guardedAgent.alias);
const otherAgentArn = `arn:aws:bedrock:${region}:${account}:agent/Q7RM2KX9VD`;
const agentElsewhere = agentArn.replace(`:${account}:`, ':222222222222:');
const tableArn = world.arnOf(store.table);
const otherTable = `arn:aws:dynamodb:${region}:${account}:table/${generatedName('Billing', 'Invoices4B3C2D1E', 'AWS::DynamoDB::Table')}`;
const keyArn = world.arnOf(stacks.dataProtection.key);
const guardrailKeyArn = world.arnOf(stacks.guardedInvoke.guardrailKey.key);
const guardrailArn = world.valueOf(stacks.guardedInvoke.guardrail.guardrailArn, stacks.guardedInvoke.guardrail);
const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const functionArn = world.arnOf(executor.function);
const model = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`;

const agentRole: Caller = { role: guardedAgent.role };
const executorRole: Caller = { role: executor.role };
const decide = (caller: Caller, action: string, resource: string): Promise<Decision> =>
  world.decide({ caller, action, resource });

describe("the agent's service role", () => {
  test('Bedrock may assume it for agents of this account and region only', async () => {
    const assume = (source: string) =>
      world.serviceRequest('bedrock-assumes-agent-role', {
        action: 'sts:AssumeRole',
        resource: world.arnOf(guardedAgent.role),
        source,
      });
    await expect(assume(agentArn)).resolves.toBe('Allowed');
    await expect(assume(agentElsewhere)).resolves.toBe('ImplicitlyDenied');
    await expect(assume(`arn:aws:bedrock:${region}:${account}:knowledge-base/Q7RM2KX9VD`)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('the configured model (streaming too), and no other', async () => {
    await expect(decide(agentRole, 'bedrock:InvokeModel', model)).resolves.toBe('Allowed');
    await expect(decide(agentRole, 'bedrock:InvokeModelWithResponseStream', model)).resolves.toBe('Allowed');
    const other = `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`;
    await expect(decide(agentRole, 'bedrock:InvokeModel', other)).resolves.toBe('ImplicitlyDenied');
  });

  test('our guardrail and its key, and nothing else of either', async () => {
    await expect(decide(agentRole, 'bedrock:ApplyGuardrail', guardrailArn)).resolves.toBe('Allowed');
    await expect(
      decide(agentRole, 'bedrock:ApplyGuardrail', `arn:aws:bedrock:${region}:${account}:guardrail/abcdefghijkl`),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(decide(agentRole, 'kms:Decrypt', guardrailKeyArn)).resolves.toBe('Allowed');
    await expect(decide(agentRole, 'kms:GenerateDataKey', guardrailKeyArn)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(agentRole, 'bedrock:UpdateGuardrail', guardrailArn)).resolves.toBe('ImplicitlyDenied');
  });

  test("the project key only in an agent's encryption context, never directly", async () => {
    const agentResources = (source: string) =>
      world.serviceRequest('bedrock-uses-key-for-agent-resources', {
        caller: agentRole,
        action: 'kms:Decrypt',
        resource: keyArn,
        source,
      });
    await expect(agentResources(agentArn)).resolves.toBe('Allowed');
    await expect(agentResources(agentElsewhere)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(agentRole, 'kms:Decrypt', keyArn)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(agentRole, 'kms:GenerateDataKey', keyArn)).resolves.toBe('ImplicitlyDenied');
  });

  test('it cannot reach the store or the executor itself', async () => {
    await expect(decide(agentRole, 'dynamodb:GetItem', tableArn)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(agentRole, 'lambda:InvokeFunction', functionArn)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('the executor', () => {
  test('reads and updates items of its table, one key at a time', async () => {
    await expect(decide(executorRole, 'dynamodb:GetItem', tableArn)).resolves.toBe('Allowed');
    await expect(decide(executorRole, 'dynamodb:UpdateItem', tableArn)).resolves.toBe('Allowed');
  });

  test('no listing, no bulk reads, no new or deleted items, no other table', async () => {
    for (const action of [
      'dynamodb:Scan',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PartiQLSelect',
      'dynamodb:ExportTableToPointInTime',
    ]) {
      await expect(decide(executorRole, action, tableArn)).resolves.toBe('ImplicitlyDenied');
    }
    await expect(decide(executorRole, 'dynamodb:GetItem', otherTable)).resolves.toBe('ImplicitlyDenied');
  });

  test('the project key through DynamoDB for this table only; never directly', async () => {
    const throughTable = (table: string) =>
      world.serviceRequest('dynamodb-uses-key-for-caller', {
        caller: executorRole,
        action: 'kms:Decrypt',
        resource: keyArn,
        source: table,
      });
    await expect(throughTable(tableArn)).resolves.toBe('Allowed');
    await expect(throughTable(otherTable)).resolves.toBe('ImplicitlyDenied');
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt']) {
      await expect(decide(executorRole, action, keyArn)).resolves.toBe('ImplicitlyDenied');
    }
  });

  test("audit records under its own prefix only: not the invoke function's, no reads", async () => {
    const record = `${bucketArn}/records/agent-tool-calls/2026/12/07/r.json`;
    await expect(decide(executorRole, 's3:PutObject', record)).resolves.toBe('Allowed');
    await expect(
      decide(executorRole, 's3:PutObject', `${bucketArn}/records/invocations/2026/12/07/r.json`),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(decide(executorRole, 's3:GetObject', record)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(executorRole, 's3:ListBucket', bucketArn)).resolves.toBe('ImplicitlyDenied');
  });

  test('network interfaces only when it runs in the isolated network', async () => {
    const eni = `arn:aws:ec2:${region}:${account}:network-interface/eni-0123456789abcdef0`;
    await expect(decide(executorRole, 'ec2:CreateNetworkInterface', eni)).resolves.toBe('ImplicitlyDenied');
    // The isolated configuration's templates only: its executor policy, as the harness resolves it.
    const { assembly: isolated } = sharedSynthesis(
      matrixConfiguration(
        'isolated network in a throwaway sandbox, with the agent and model customization through an inference profile',
      ),
    );
    const isolatedWorld = new PolicyWorld(isolated, TEST_ENV);
    const resources = isolated.getStackByName(agentStack.stackName).template.Resources as Record<
      string,
      { Type: string; Properties: { PolicyDocument: PolicyDocument } }
    >;
    const policyId = Object.keys(resources).find(
      (id) => id.startsWith('ToolsPolicy') && resources[id].Type === 'AWS::IAM::ManagedPolicy',
    );
    const document = isolatedWorld.resolve(
      resources[policyId ?? ''].Properties.PolicyDocument as never,
      agentStack.stackName,
    ) as PolicyDocument;
    const role: Caller = { arn: `arn:aws:iam::${account}:role/Executor`, identityPolicies: [document] };
    await expect(
      isolatedWorld.decide({ caller: role, action: 'ec2:CreateNetworkInterface', resource: eni }),
    ).resolves.toBe('Allowed');
  });

  test('Bedrock may invoke it for this agent only (its agent ARN, not any agent or alias)', async () => {
    const invokedFor = (source: string) =>
      world.serviceRequest('bedrock-invokes-action-group-function', {
        action: 'lambda:InvokeFunction',
        resource: functionArn,
        source,
      });
    await expect(invokedFor(agentArn)).resolves.toBe('Allowed');
    await expect(invokedFor(otherAgentArn)).resolves.toBe('ImplicitlyDenied');
    await expect(invokedFor(agentElsewhere)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('the caller policy', () => {
  const caller: Caller = {
    arn: `arn:aws:iam::${account}:role/FrontEnd`,
    identityPolicies: [world.policyDocumentOf(agentStack.callerPolicy)],
  };

  test('invokes this alias, not another alias or agent, and changes nothing of the agent', async () => {
    await expect(decide(caller, 'bedrock:InvokeAgent', aliasArn)).resolves.toBe('Allowed');
    const [, agentId] = /agent\/([A-Z0-9]+)$/.exec(agentArn) ?? [];
    await expect(
      decide(caller, 'bedrock:InvokeAgent', `arn:aws:bedrock:${region}:${account}:agent-alias/${agentId}/TSTALIASID`),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      decide(caller, 'bedrock:InvokeAgent', `arn:aws:bedrock:${region}:${account}:agent-alias/Q7RM2KX9VD/A1B2C3D4E5`),
    ).resolves.toBe('ImplicitlyDenied');
    for (const action of ['bedrock:UpdateAgent', 'bedrock:PrepareAgent', 'bedrock:GetAgent']) {
      await expect(decide(caller, action, agentArn)).resolves.toBe('ImplicitlyDenied');
    }
    await expect(decide(caller, 'dynamodb:GetItem', tableArn)).resolves.toBe('ImplicitlyDenied');
  });

  test("the project key only in this agent's encryption context", async () => {
    const forAgent = (source: string) =>
      world.serviceRequest('bedrock-uses-key-for-agent-resources', {
        caller,
        action: 'kms:Decrypt',
        resource: keyArn,
        source,
      });
    await expect(forAgent(agentArn)).resolves.toBe('Allowed');
    await expect(forAgent(otherAgentArn)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(caller, 'kms:Decrypt', keyArn)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('the seed function', () => {
  const seedRole: Caller = { role: store.node.findChild('SeedRole') };

  test('adds items to the store and does nothing else with it', async () => {
    await expect(decide(seedRole, 'dynamodb:PutItem', tableArn)).resolves.toBe('Allowed');
    for (const action of ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan']) {
      await expect(decide(seedRole, action, tableArn)).resolves.toBe('ImplicitlyDenied');
    }
    await expect(decide(seedRole, 'dynamodb:PutItem', otherTable)).resolves.toBe('ImplicitlyDenied');
  });
});

test('no role of the Agent stack has an AWS managed policy', () => {
  const template = assembly.getStackByName(agentStack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const roles = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
  expect(roles.length).toBeGreaterThanOrEqual(4);
  for (const role of roles) {
    expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(':aws:policy/');
  }
});
