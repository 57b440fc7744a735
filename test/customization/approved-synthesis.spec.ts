import type { CfnElement } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ApprovalError } from '../../lib/customization/approved-model';
import { modelTarget } from '../../lib/guarded-ai/model';
import { customModelCardName } from '../../lib/shared/names';
import {
  buildApp,
  sharedSynthesis,
  synthesize,
  type Synthesized,
  TEST_ENV,
  unacknowledgedFindings,
} from '../support/build-app';
import { APPROVED_CUSTOM_MODEL } from '../support/gate-matrix';
import { type Caller, PolicyWorld } from '../support/iam-harness';
import { comparison, CONFIGURED, deploymentArn, documentOf, FIXTURES, sha256 } from './fixtures/comparison';

/**
 * The customModelApproval setting end to end: the app with an approved
 * comparison (the fixture), a configuration of the gate matrix, so jest's
 * global setup synthesized it behind the compliance gate with the others.
 * The invoke function then serves the deployment, and the Customization stack
 * carries the custom model's card; an approval without its file stops synth.
 */
const { account, region } = TEST_ENV;

describe('an approved custom model, synthesized behind the gate', () => {
  const approval = sha256(documentOf(comparison));
  const APPROVED = APPROVED_CUSTOM_MODEL[1];
  let project: Synthesized;
  let assembly: CloudAssembly;
  let world: PolicyWorld;

  beforeAll(() => {
    project = synthesize(APPROVED);
    assembly = project.assembly;
    world = new PolicyWorld(assembly, TEST_ENV);
  });

  test('the matrix approves the fixture by its digest', () => {
    expect(APPROVED.customModelApproval).toBe(approval);
  });

  const templateOf = (stackName: string) =>
    assembly.getStackByName(stackName).template as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    };
  const logicalIdOf = (element: CfnElement) => element.stack.resolve(element.logicalId) as string;

  test('zero unacknowledged findings in all five packs and the Control Tower controls', () => {
    const { report } = sharedSynthesis(APPROVED).record;
    expect(unacknowledgedFindings(report)).toEqual([]);
    expect(report.pluginReports.filter((p) => p.conclusion !== 'success').map((p) => p.pluginName)).toEqual([]);
    expect(report.pluginReports.map((p) => p.pluginName)).toContain('cdk-validator-cfnguard');
  });

  test("the invoke function serves the deployment: its MODEL_ID is the deployment's ARN", () => {
    const { guardedInvoke } = project.stacks;
    const fn = templateOf(guardedInvoke.stackName).Resources[
      logicalIdOf(guardedInvoke.invoke.function.node.defaultChild as CfnElement)
    ];
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.MODEL_ID).toBe(deploymentArn);
    // The family of the model it was fine-tuned from (the request shape Converse takes).
    expect(variables.MODEL_FAMILY).toBe(modelTarget(CONFIGURED).family);
  });

  describe('the invoke role', () => {
    const fn = (): Caller => ({ role: project.stacks.guardedInvoke.invoke.role });
    const withOurGuardrail = () => {
      const { guardrail } = project.stacks.guardedInvoke;
      return { 'bedrock:GuardrailIdentifier': `${world.valueOf(guardrail.guardrailArn, guardrail)}:1` };
    };
    const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
      world.decide({ caller: fn(), action, resource, context });

    test('invokes the deployment (both APIs) with our guardrail version, and not without it', async () => {
      for (const action of ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']) {
        await expect(decide(action, deploymentArn, withOurGuardrail())).resolves.toBe('Allowed');
        await expect(decide(action, deploymentArn)).resolves.toBe('ImplicitlyDenied');
      }
      const otherDeployment = `arn:aws:bedrock:${region}:${account}:custom-model-deployment/zz99yy88xx77`;
      await expect(decide('bedrock:InvokeModel', otherDeployment, withOurGuardrail())).resolves.toBe(
        'ImplicitlyDenied',
      );
    });

    test('no longer the foundation model it was fine-tuned from', async () => {
      const foundation = `arn:aws:bedrock:${region}::foundation-model/${CONFIGURED}`;
      await expect(decide('bedrock:InvokeModel', foundation, withOurGuardrail())).resolves.toBe('ImplicitlyDenied');
    });

    test('decrypts the custom model with the project key through Bedrock only', async () => {
      const keyArn = world.arnOf(project.stacks.dataProtection.key);
      const throughBedrock = (action: string) =>
        world.serviceRequest('bedrock-uses-key-for-caller-custom-model', { caller: fn(), action, resource: keyArn });
      // Decrypt (the Bedrock page) and GenerateDataKey (the Nova page's invocation statement), through Bedrock only.
      await expect(throughBedrock('kms:Decrypt')).resolves.toBe('Allowed');
      await expect(throughBedrock('kms:GenerateDataKey')).resolves.toBe('Allowed');
      await expect(throughBedrock('kms:DescribeKey')).resolves.toBe('ImplicitlyDenied');
      await expect(decide('kms:Decrypt', keyArn)).resolves.toBe('ImplicitlyDenied');
    });
  });

  test('the Customization stack carries the draft model card of the custom model, under the project key', () => {
    const customization = project.stacks.customization;
    if (!customization) throw new Error('modelCustomization is on');
    const template = templateOf(customization.stackName);
    const cards = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SageMaker::ModelCard');
    expect(cards).toHaveLength(1);
    const card = cards[0].Properties;
    expect(card.ModelCardName).toBe(customModelCardName(customization.stackName, approval));
    // One card per approval, named after its comparison: cards are retained, so a fixed name would collide.
    expect(card.ModelCardName).toBe(`GuardedGenAi-Customization-custom-model-${approval.slice(0, 8)}`);
    expect(card.ModelCardStatus).toBe('Draft');
    expect(card.SecurityConfig).toEqual({
      KmsKeyId: { 'Fn::ImportValue': expect.stringMatching(/^GuardedGenAi-DataProtection:.*ProjectKey/) },
    });
    const content = JSON.stringify(card.Content);
    expect(content).toContain(comparison.manifestSha256);
    expect(content).toContain(comparison.jobArn);
    expect(content).toContain(`customization/comparisons/${approval}.json`);
    const details = card.Content as {
      TrainingDetails: { TrainingJobDetails: { TrainingArn: string; UserProvidedHyperParameters: unknown[] } };
      EvaluationDetails: { Name: string; Metadata?: Record<string, string> }[];
    };
    expect(details.TrainingDetails.TrainingJobDetails.TrainingArn).toBe(comparison.jobArn);
    expect(details.TrainingDetails.TrainingJobDetails.UserProvidedHyperParameters).toEqual(
      Object.entries(comparison.hyperParameters).map(([Name, Value]) => ({ Name, Value })),
    );
    // Both models' rates side by side, as metadata strings (aws-cdk-lib types a metric value as an object).
    const redTeam = details.EvaluationDetails.find((d) => d.Name === 'red-team-base-and-custom');
    expect(redTeam?.Metadata).toMatchObject({
      base_block_rate: String(comparison.base.blockRate),
      custom_block_rate: String(comparison.custom.blockRate),
      base_false_refusal_rate: String(comparison.base.falseRefusalRate),
      custom_false_refusal_rate: String(comparison.custom.falseRefusalRate),
    });
    expect(template.Outputs.ApprovedDeploymentArn.Value).toBe(deploymentArn);
    expect(template.Outputs.ApprovedComparisonSha256.Value).toBe(approval);
  });
});

test('an approval that names no comparison file stops synth with an ApprovalError that says what to do', () => {
  const missing = '0'.repeat(64);
  const build = () =>
    buildApp({ modelCustomization: true, customModelApproval: missing }, { comparisonsDir: FIXTURES });
  expect(build).toThrow(ApprovalError);
  expect(build).toThrow(
    `customModelApproval "${missing}": no comparison at customization/comparisons/${missing}.json. Run \`npm run customize -- compare\``,
  );
});
