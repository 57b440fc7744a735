import {
  BedrockClient,
  GetFoundationModelAvailabilityCommand,
  GetFoundationModelCommand,
  GetGuardrailCommand,
  GetInferenceProfileCommand,
} from '@aws-sdk/client-bedrock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { report, runPreflight, type PreflightOptions } from '../../scripts/preflight';

const bedrock = mockClient(BedrockClient);
const cloudformation = mockClient(CloudFormationClient);
const clients = {
  bedrock: new BedrockClient({ region: 'eu-west-1' }),
  cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
};
const before: PreflightOptions = {
  modelId: 'amazon.nova-micro-v1:0',
  region: 'eu-west-1',
  stackName: 'S',
  afterDeploy: false,
};
const after: PreflightOptions = { ...before, afterDeploy: true };

const activeModel = {
  modelDetails: {
    modelArn: 'arn',
    modelId: 'amazon.nova-micro-v1:0',
    modelLifecycle: { status: 'ACTIVE' as const },
    inferenceTypesSupported: ['ON_DEMAND' as const],
    responseStreamingSupported: true,
  },
};
const authorized = {
  modelId: 'amazon.nova-micro-v1:0',
  authorizationStatus: 'AUTHORIZED' as const,
  agreementAvailability: { status: 'AVAILABLE' as const },
  entitlementAvailability: 'AVAILABLE' as const,
  regionAvailability: 'AVAILABLE' as const,
};

beforeEach(() => {
  bedrock.reset();
  cloudformation.reset();
});

describe('preflight before deploying', () => {
  test('an active, on-demand, streaming, authorized model => every check ok', async () => {
    bedrock.on(GetFoundationModelCommand).resolves(activeModel);
    bedrock.on(GetFoundationModelAvailabilityCommand).resolves(authorized);
    const checks = await runPreflight(clients, before);
    expect(checks.map((c) => c.ok)).toEqual([true, true, true, true, true]);
    expect(bedrock.commandCalls(GetFoundationModelCommand)[0].args[0].input).toEqual({
      modelIdentifier: 'amazon.nova-micro-v1:0',
    });
  });

  test('model access not granted => says to request access in the console', async () => {
    bedrock.on(GetFoundationModelCommand).resolves(activeModel);
    bedrock
      .on(GetFoundationModelAvailabilityCommand)
      .resolves({ ...authorized, authorizationStatus: 'NOT_AUTHORIZED' });
    const failed = (await runPreflight(clients, before)).filter((c) => !c.ok);
    expect(failed).toEqual([
      expect.objectContaining({ fix: expect.stringContaining('Request model access in the Bedrock console') }),
    ]);
  });

  test('not invocable on demand here => suggests the inference profile id', async () => {
    bedrock.on(GetFoundationModelCommand).resolves({
      modelDetails: { ...activeModel.modelDetails, inferenceTypesSupported: ['INFERENCE_PROFILE' as never] },
    });
    bedrock.on(GetFoundationModelAvailabilityCommand).resolves(authorized);
    const failed = (await runPreflight(clients, before)).filter((c) => !c.ok);
    expect(failed[0].fix).toContain('set modelId to "us.amazon.nova-micro-v1:0"');
  });

  test('model not offered in the region => says to pick another region or a profile', async () => {
    bedrock
      .on(GetFoundationModelCommand)
      .rejects(Object.assign(new Error('no such model'), { name: 'ResourceNotFoundException' }));
    const checks = await runPreflight(clients, before);
    expect(checks).toEqual([
      expect.objectContaining({ ok: false, fix: expect.stringContaining('Not found in eu-west-1') }),
    ]);
  });

  test('access denied (IAM or a region-restricting SCP) => names both', async () => {
    bedrock
      .on(GetFoundationModelCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const [check] = await runPreflight(clients, before);
    expect(check.fix).toMatch(/IAM permissions and any SCP/);
  });

  test('an inference profile => checks the profile, then access to its foundation model', async () => {
    bedrock.on(GetInferenceProfileCommand).resolves({ status: 'ACTIVE' } as never);
    bedrock.on(GetFoundationModelAvailabilityCommand).resolves(authorized);
    const checks = await runPreflight(clients, { ...before, modelId: 'eu.amazon.nova-micro-v1:0' });
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(bedrock.commandCalls(GetInferenceProfileCommand)[0].args[0].input).toEqual({
      inferenceProfileIdentifier: 'eu.amazon.nova-micro-v1:0',
    });
    expect(bedrock.commandCalls(GetFoundationModelAvailabilityCommand)[0].args[0].input).toEqual({
      modelId: 'amazon.nova-micro-v1:0',
    });
  });
});

describe('preflight after deploying', () => {
  const outputs = {
    Stacks: [
      {
        StackName: 'S',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE' as const,
        Outputs: [
          { OutputKey: 'GuardrailId', OutputValue: 'gr1' },
          { OutputKey: 'GuardrailVersion', OutputValue: '2' },
        ],
      },
    ],
  };

  test('guardrail version READY => ok, asked for the deployed version', async () => {
    cloudformation.on(DescribeStacksCommand).resolves(outputs);
    bedrock.on(GetGuardrailCommand).resolves({ status: 'READY' } as never);
    expect(await runPreflight(clients, after)).toEqual([expect.objectContaining({ ok: true })]);
    expect(bedrock.commandCalls(GetGuardrailCommand)[0].args[0].input).toEqual({
      guardrailIdentifier: 'gr1',
      guardrailVersion: '2',
    });
  });

  test('guardrail FAILED => passes on the service recommendations', async () => {
    cloudformation.on(DescribeStacksCommand).resolves(outputs);
    bedrock
      .on(GetGuardrailCommand)
      .resolves({ status: 'FAILED', failureRecommendations: ['Check the KMS key policy.'] } as never);
    const [check] = await runPreflight(clients, after);
    expect(check).toMatchObject({ ok: false, fix: 'Creation failed: Check the KMS key policy..' });
  });

  test('stack not deployed => says to deploy first', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('does not exist'), { name: 'ValidationError' }));
    const [check] = await runPreflight(clients, after);
    expect(check.fix).toMatch(/^Deploy it first/);
  });
});

test('report prints ok lines and FIX lines with what to do', () => {
  expect(
    report([
      { ok: true, what: 'a' },
      { ok: false, what: 'b', fix: 'do c' },
    ]),
  ).toBe('  ok    a\n  FIX   b\n        do c');
});
