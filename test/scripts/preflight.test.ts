import {
  BedrockClient,
  GetFoundationModelAvailabilityCommand,
  GetFoundationModelCommand,
  GetGuardrailCommand,
  GetInferenceProfileCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListEnforcedGuardrailsConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { AccessAnalyzerClient, ListAnalyzersCommand } from '@aws-sdk/client-accessanalyzer';
import { CloudFormationClient, DescribeStacksCommand, DescribeTypeCommand } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { DescribeAvailabilityZonesCommand, DescribeVpcEndpointServicesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetMacieSessionCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountSettings } from '../../scripts/preflight/account';
import { effectiveContext, saveContext } from '../../scripts/preflight/context';
import { contextFlags, inspectAccount } from '../../scripts/preflight/inspect';
import { type PreflightOptions, report, runPreflight } from '../../scripts/preflight/model';
import { command } from '../../scripts/preflight';
import { parseCommand } from '../../scripts/cli/command';

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

  test('model access not granted => says what refuses it now that access is on by default (no console page to request it)', async () => {
    bedrock.on(GetFoundationModelCommand).resolves(activeModel);
    bedrock
      .on(GetFoundationModelAvailabilityCommand)
      .resolves({ ...authorized, authorizationStatus: 'NOT_AUTHORIZED' });
    const failed = (await runPreflight(clients, before)).filter((c) => !c.ok);
    expect(failed).toEqual([expect.objectContaining({ fix: expect.stringMatching(/on by default.*SCP deny/) })]);
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

describe('preflight: inference profile and region', () => {
  test('a us. profile from an eu- region => fails before any call, naming the region rule', async () => {
    const checks = await runPreflight(clients, { ...before, modelId: 'us.amazon.nova-micro-v1:0' });
    expect(checks).toEqual([expect.objectContaining({ ok: false, fix: expect.stringContaining('eu-west-1') })]);
    expect(bedrock.calls()).toHaveLength(0);
  });

  test('a profile whose model ARNs leave out this region => says where it routes', async () => {
    bedrock.on(GetInferenceProfileCommand).resolves({
      status: 'ACTIVE',
      models: [
        { modelArn: 'arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-micro-v1:0' },
        { modelArn: 'arn:aws:bedrock:eu-west-3::foundation-model/amazon.nova-micro-v1:0' },
      ],
    } as never);
    bedrock.on(GetFoundationModelAvailabilityCommand).resolves(authorized);
    const failed = (await runPreflight(clients, { ...before, modelId: 'eu.amazon.nova-micro-v1:0' })).filter(
      (c) => !c.ok,
    );
    expect(failed).toEqual([
      expect.objectContaining({ fix: expect.stringContaining('It routes to eu-central-1, eu-west-3 only') }),
    ]);
  });
});

describe('preflight: the account', () => {
  const guardDuty = mockClient(GuardDutyClient);
  const macie = mockClient(Macie2Client);
  const accessAnalyzer = mockClient(AccessAnalyzerClient);
  const securityHub = mockClient(SecurityHubClient);
  const config = mockClient(ConfigServiceClient);
  const cloudTrail = mockClient(CloudTrailClient);
  const lambda = mockClient(LambdaClient);
  const ec2 = mockClient(EC2Client);
  const accounts = {
    guardDuty: new GuardDutyClient({ region: 'eu-west-1' }),
    macie: new Macie2Client({ region: 'eu-west-1' }),
    accessAnalyzer: new AccessAnalyzerClient({ region: 'eu-west-1' }),
    securityHub: new SecurityHubClient({ region: 'eu-west-1' }),
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    cloudTrail: new CloudTrailClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
    ec2: new EC2Client({ region: 'eu-west-1' }),
    bedrock: new BedrockClient({ region: 'eu-west-1' }),
    cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
  };
  // The defaults of cdk.json: create everything per account, no reservation.
  const defaults: AccountSettings = {
    guardDuty: 'create',
    guardDutyDetectorId: '',
    macie: 'create',
    accessAnalyzer: 'create',
    unusedAccessAnalyzer: 'create',
    securityHub: 'off',
    configRecorder: 'off',
    cloudTrail: true,
    invokeReservedConcurrency: 0,
    isolatedNetwork: false,
    availabilityZones: [],
    modelInvocationLogging: 'create',
    enforcedGuardrail: 'off',
    appName: 'GuardedGenAi',
    knowledgeBase: true,
    embeddingModelId: 'amazon.titan-embed-text-v2:0',
    malwareProtection: true,
    guardDutyFeatures: ['S3_DATA_EVENTS', 'RDS_LOGIN_EVENTS'],
    // Set here so that the fresh-account test sees no note; an empty one is tested on its own.
    alertEmail: 'security@example.com',
  };
  const error = (name: string, message: string) => Object.assign(new Error(message), { name });
  const detectorId = '12abc34d567e8fa901bc2d34e56789f0';

  /** A new account: none of the services, the 10-execution quota new accounts get. */
  function freshAccount() {
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    macie.on(GetMacieSessionCommand).rejects(error('AccessDeniedException', 'Macie is not enabled.'));
    accessAnalyzer.on(ListAnalyzersCommand).resolves({ analyzers: [] });
    securityHub
      .on(DescribeHubCommand)
      .rejects(error('InvalidAccessException', 'Account 111122223333 is not subscribed to AWS Security Hub'));
    config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    // No logging configuration: Bedrock answers without a loggingConfig.
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [] });
    // A region that offers every resource type and the embedding model.
    cloudformation.on(DescribeTypeCommand).resolves({});
    bedrock.on(GetFoundationModelCommand).resolves({
      modelDetails: { ...activeModel.modelDetails, modelId: 'amazon.titan-embed-text-v2:0' },
    });
  }

  beforeEach(() => {
    for (const mock of [
      guardDuty,
      macie,
      accessAnalyzer,
      securityHub,
      config,
      cloudTrail,
      lambda,
      ec2,
      bedrock,
      cloudformation,
    ]) {
      mock.reset();
    }
  });

  test("someone else's model-invocation logging => modelInvocationLogging=existing (create would refuse to replace it)", async () => {
    freshAccount();
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
      loggingConfig: {
        cloudWatchConfig: {
          logGroupName: 'org-bedrock-invocations',
          roleArn: 'arn:aws:iam::111122223333:role/BedrockLogs',
        },
      },
    });
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({ modelInvocationLogging: 'existing' });
  });

  test("this app's own logging (an earlier deployment) => create still fits, no flag", async () => {
    freshAccount();
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
      loggingConfig: {
        cloudWatchConfig: {
          logGroupName: 'GuardedGenAi-Operations-InvocationLoggingLogs3E9D2C1A-Xk2pQ9rT4vW1',
          roleArn: 'arn:aws:iam::111122223333:role/GuardedGenAi-Operations-InvocationLoggingDelivery-AbC123',
        },
      },
    });
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.checks).toContainEqual(
      expect.objectContaining({ ok: true, what: expect.stringContaining("this app's own") }),
    );
  });

  test('logging that cannot be inspected => a FIX naming the permission, not a guess', async () => {
    freshAccount();
    bedrock
      .on(GetModelInvocationLoggingConfigurationCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.checks).toContainEqual(
      expect.objectContaining({
        ok: false,
        fix: expect.stringContaining('bedrock:GetModelInvocationLoggingConfiguration'),
      }),
    );
    expect(result.flags).toEqual({});
  });

  /** An account-wide enforcement of the guardrail named `name` (ours: GuardedGenAi-GuardedInvoke-guardrail). */
  function enforcedGuardrailNamed(name: string) {
    const guardrailArn = 'arn:aws:bedrock:eu-west-1:111122223333:guardrail/abcd1234efgh';
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({
      guardrailsConfig: [
        { configId: 'cfg-1', guardrailArn, guardrailId: 'abcd1234efgh', guardrailVersion: '3', owner: 'ACCOUNT' },
      ],
    });
    bedrock.on(GetGuardrailCommand, { guardrailIdentifier: guardrailArn }).resolves({
      name,
      guardrailId: 'abcd1234efgh',
      guardrailArn,
      version: 'DRAFT',
      status: 'READY',
      createdAt: new Date(),
      updatedAt: new Date(),
      blockedInputMessaging: 'no',
      blockedOutputsMessaging: 'no',
    });
  }

  test("someone else's account-wide enforced guardrail with enforcedGuardrail=create => enforcedGuardrail=off (one per account and region)", async () => {
    freshAccount();
    enforcedGuardrailNamed('org-baseline');
    const result = await inspectAccount(accounts, { ...defaults, enforcedGuardrail: 'create' }, 'eu-west-1');
    expect(result.flags).toEqual({ enforcedGuardrail: 'off' });
    expect(result.checks).toContainEqual(expect.objectContaining({ what: expect.stringContaining('not this app') }));
  });

  test("this app's own enforcement from an earlier deployment => create still fits, no flag", async () => {
    freshAccount();
    enforcedGuardrailNamed('GuardedGenAi-GuardedInvoke-guardrail');
    const result = await inspectAccount(accounts, { ...defaults, enforcedGuardrail: 'create' }, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.checks).toContainEqual(
      expect.objectContaining({ ok: true, what: expect.stringContaining("this app's own") }),
    );
  });

  test("someone else's enforcement with enforcedGuardrail=off => left alone, and a note says every answer passes it too", async () => {
    freshAccount();
    enforcedGuardrailNamed('org-baseline');
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.notes).toEqual([expect.stringContaining('already goes through guardrail')]);
  });

  test('an unreadable enforced guardrail is not taken for ours', async () => {
    freshAccount();
    const guardrailArn = 'arn:aws:bedrock:eu-west-1:111122223333:guardrail/zzzz1234efgh';
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({
      guardrailsConfig: [{ configId: 'cfg-1', guardrailArn, guardrailVersion: '1', owner: 'ACCOUNT' }],
    });
    bedrock.on(GetGuardrailCommand).rejects(error('AccessDeniedException', 'not authorized'));
    const result = await inspectAccount(accounts, { ...defaults, enforcedGuardrail: 'create' }, 'eu-west-1');
    expect(result.flags).toEqual({ enforcedGuardrail: 'off' });
  });

  test('enforcement that cannot be inspected => a FIX naming the permission', async () => {
    freshAccount();
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).rejects(error('AccessDeniedException', 'not authorized'));
    const result = await inspectAccount(accounts, { ...defaults, enforcedGuardrail: 'create' }, 'eu-west-1');
    expect(result.checks).toContainEqual(
      expect.objectContaining({
        ok: false,
        fix: expect.stringContaining('bedrock:ListEnforcedGuardrailsConfiguration'),
      }),
    );
  });

  test('enforcement that cannot be inspected with enforcedGuardrail=off => a note, not a FIX (nothing deployed depends on it)', async () => {
    freshAccount();
    bedrock.on(ListEnforcedGuardrailsConfigurationCommand).rejects(error('AccessDeniedException', 'not authorized'));
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(result.notes).toEqual([expect.stringContaining('bedrock:ListEnforcedGuardrailsConfiguration')]);
  });

  test('a fresh account => the defaults fit: no flags, no notes, all ok', async () => {
    freshAccount();
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.notes).toEqual([]);
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(ec2.calls()).toHaveLength(0);
  });

  test('an account that runs every service => attach to each, with the retained-detector hint', async () => {
    freshAccount();
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [detectorId] });
    macie.on(GetMacieSessionCommand).resolves({ status: 'PAUSED' });
    accessAnalyzer
      .on(ListAnalyzersCommand, { type: 'ACCOUNT' })
      .resolves({ analyzers: [{ name: 'ConsoleAnalyzer', type: 'ACCOUNT' } as never] })
      .on(ListAnalyzersCommand, { type: 'ACCOUNT_UNUSED_ACCESS' })
      .resolves({ analyzers: [{ name: 'Unused', type: 'ACCOUNT_UNUSED_ACCESS' } as never] });
    securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:aws:securityhub:eu-west-1:111122223333:hub/default' });
    config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [{ name: 'default' }] });
    config
      .on(DescribeConfigurationRecorderStatusCommand)
      .resolves({ ConfigurationRecordersStatus: [{ name: 'default', recording: true }] });
    const result = await inspectAccount(accounts, { ...defaults, securityHub: 'create' }, 'eu-west-1');
    expect(result.flags).toEqual({
      guardDuty: 'existing',
      guardDutyDetectorId: detectorId,
      macie: 'existing',
      accessAnalyzer: 'existing',
      unusedAccessAnalyzer: 'existing',
      securityHub: 'off',
      configRecorder: 'existing',
    });
    expect(result.notes).toEqual([expect.stringContaining('retained-detector trap')]);
    expect(contextFlags(result.flags)).toBe(
      `-c guardDuty=existing -c guardDutyDetectorId=${detectorId} -c macie=existing -c accessAnalyzer=existing -c unusedAccessAnalyzer=existing -c securityHub=off -c configRecorder=existing`,
    );
  });

  test('a stopped recorder is still the one recorder of the region, and a FIX says how to start it', async () => {
    freshAccount();
    config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [{ name: 'default' }] });
    config
      .on(DescribeConfigurationRecorderStatusCommand)
      .resolves({ ConfigurationRecordersStatus: [{ name: 'default', recording: false }] });
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({ configRecorder: 'existing' });
    expect(result.checks.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({
        fix: expect.stringContaining('start-configuration-recorder --configuration-recorder-name default'),
      }),
    ]);
  });

  test('a service-linked recorder (recording for one AWS service) does not count as the customer recorder', async () => {
    freshAccount();
    config.on(DescribeConfigurationRecordersCommand).resolves({
      ConfigurationRecorders: [
        { name: 'AWSConfigurationRecorderForSomething', servicePrincipal: 'something.amazonaws.com' },
      ],
    });
    const result = await inspectAccount(accounts, { ...defaults, configRecorder: 'create' }, 'eu-west-1');
    expect(result.flags).toEqual({});
  });

  test('"existing" configured where nothing exists => create instead', async () => {
    freshAccount();
    const result = await inspectAccount(
      accounts,
      { ...defaults, guardDuty: 'existing', guardDutyDetectorId: detectorId, macie: 'existing' },
      'eu-west-1',
    );
    expect(result.flags).toEqual({ guardDuty: 'create', guardDutyDetectorId: '', macie: 'create' });
  });

  test('a service switched off is left alone even when it exists', async () => {
    freshAccount();
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [detectorId] });
    const result = await inspectAccount(accounts, { ...defaults, guardDuty: 'off' }, 'eu-west-1');
    expect(result.flags).toEqual({});
  });

  test('Macie refusing for another reason => cannot inspect, a FIX, not a guess', async () => {
    freshAccount();
    macie.on(GetMacieSessionCommand).rejects(error('AccessDeniedException', 'User is not authorized'));
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.checks.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({ what: 'could not inspect Macie', fix: expect.stringContaining('-c macie=') }),
    ]);
  });

  test('a logging multi-region trail => advice about cloudTrail=false, never a flag', async () => {
    freshAccount();
    const TrailARN = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management';
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'management', TrailARN, IsMultiRegionTrail: true, HomeRegion: 'us-east-1' }] });
    cloudTrail.on(GetTrailStatusCommand, { Name: TrailARN }).resolves({ IsLogging: true });
    const result = await inspectAccount(accounts, defaults, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.notes).toEqual([expect.stringMatching(/cloudTrail=false avoids paying.*data bucket's object-level/)]);
  });

  test('a stopped multi-region trail => no advice', async () => {
    freshAccount();
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 't', TrailARN: 'arn:t', IsMultiRegionTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    expect((await inspectAccount(accounts, defaults, 'eu-west-1')).notes).toEqual([]);
  });

  test('a reservation on a 10-execution account => FIX naming the quota and the 100 minimum', async () => {
    freshAccount();
    const result = await inspectAccount(accounts, { ...defaults, invokeReservedConcurrency: 5 }, 'eu-west-1');
    expect(result.checks.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({
        what: expect.stringContaining('quota 10, 10 unreserved: reserving 5 leaves 5 (Lambda requires at least 100)'),
        fix: expect.stringContaining('-c invokeReservedConcurrency=0'),
      }),
    ]);
  });

  test('a reservation that leaves exactly 100 unreserved => ok', async () => {
    freshAccount();
    lambda
      .on(GetAccountSettingsCommand)
      .resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 105 } });
    const result = await inspectAccount(accounts, { ...defaults, invokeReservedConcurrency: 5 }, 'eu-west-1');
    expect(result.checks.every((c) => c.ok)).toBe(true);
  });

  describe('isolated mode: every interface endpoint the GuardedInvoke stack creates', () => {
    const isolated = { ...defaults, isolatedNetwork: true };
    const names = ['bedrock-runtime', 'bedrock-agent-runtime', 'xray'].map((s) => `com.amazonaws.eu-west-1.${s}`);
    /** Each service offered in `zones` (letters), with endpoint policies unless said otherwise. */
    function services(zones: Record<string, string>, noPolicy: string[] = []) {
      for (const [short, letters] of Object.entries(zones)) {
        const ServiceName = `com.amazonaws.eu-west-1.${short}`;
        ec2.on(DescribeVpcEndpointServicesCommand, { ServiceNames: [ServiceName] }).resolves({
          ServiceDetails: [
            {
              ServiceName,
              AvailabilityZones: [...letters].map((z) => `eu-west-1${z}`),
              VpcEndpointPolicySupported: !noPolicy.includes(short),
            },
          ],
        });
      }
      ec2.on(DescribeAvailabilityZonesCommand).resolves({
        AvailabilityZones: ['a', 'b', 'c'].map((z) => ({ ZoneName: `eu-west-1${z}`, State: 'available' as const })),
      });
    }
    const queried = () =>
      ec2
        .commandCalls(DescribeVpcEndpointServicesCommand)
        .flatMap((c) => c.args[0].input.ServiceNames ?? [])
        .sort();

    test('all served in the first two zones => ok, no flag, and every service was asked', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'abc', 'bedrock-agent-runtime': 'abc', xray: 'abc' });
      const result = await inspectAccount(accounts, isolated, 'eu-west-1');
      expect(result.flags).toEqual({});
      expect(result.checks.every((c) => c.ok)).toBe(true);
      expect(queried()).toEqual([...names].sort());
    });

    test('without a knowledge base => no bedrock-agent-runtime endpoint, so it is not asked about', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'abc', xray: 'abc' });
      await inspectAccount(accounts, { ...isolated, knowledgeBase: false }, 'eu-west-1');
      expect(queried()).toEqual([names[0], names[2]].sort());
    });

    test('bedrock-runtime skips the first zone => suggests two zones that serve every endpoint', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'bc', 'bedrock-agent-runtime': 'abc', xray: 'abc' });
      const result = await inspectAccount(accounts, isolated, 'eu-west-1');
      expect(result.flags).toEqual({ availabilityZones: 'eu-west-1b,eu-west-1c' });
    });

    test('the zones are the intersection: an endpoint other than bedrock-runtime decides too', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'abc', 'bedrock-agent-runtime': 'ac', xray: 'abc' });
      const result = await inspectAccount(accounts, isolated, 'eu-west-1');
      // Only a and c serve all three.
      expect(result.flags).toEqual({ availabilityZones: 'eu-west-1a,eu-west-1c' });
      expect(result.checks).toContainEqual(
        expect.objectContaining({
          what: expect.stringContaining('eu-west-1b (no com.amazonaws.eu-west-1.bedrock-agent-runtime)'),
        }),
      );
    });

    test('configured zones are checked as given', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'abc', 'bedrock-agent-runtime': 'abc', xray: 'ab' });
      const result = await inspectAccount(
        accounts,
        { ...isolated, availabilityZones: ['eu-west-1a', 'eu-west-1c'] },
        'eu-west-1',
      );
      expect(result.flags).toEqual({ availabilityZones: 'eu-west-1a,eu-west-1b' });
    });

    test('no two zones serve them all => FIX naming isolatedNetwork=false', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'ab', 'bedrock-agent-runtime': 'bc', xray: 'abc' });
      const result = await inspectAccount(accounts, isolated, 'eu-west-1');
      expect(result.flags).toEqual({});
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({ fix: expect.stringContaining('-c isolatedNetwork=false') }),
      ]);
    });

    test('a service without endpoint-policy support => FIX (each endpoint carries a policy)', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'abc', 'bedrock-agent-runtime': 'abc', xray: 'abc' }, ['bedrock-agent-runtime']);
      const result = await inspectAccount(accounts, isolated, 'eu-west-1');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({
          what: expect.stringContaining('bedrock-agent-runtime does not support endpoint policies'),
        }),
      ]);
    });

    test('a service the region does not offer (InvalidServiceName) => FIX naming it', async () => {
      freshAccount();
      services({ 'bedrock-runtime': 'abc', xray: 'abc' });
      ec2
        .on(DescribeVpcEndpointServicesCommand, { ServiceNames: [names[1]] })
        .rejects(error('InvalidServiceName', `The Vpc Endpoint Service '${names[1]}' does not exist`));
      const result = await inspectAccount(accounts, isolated, 'eu-west-1');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({
          what: `${names[1]} not offered in eu-west-1`,
          fix: expect.stringContaining('-c knowledgeBase=false'),
        }),
      ]);
    });
  });

  describe('what the region offers, for what the configuration switches on', () => {
    const notFound = () => error('TypeNotFoundException', 'The type does not exist');
    const typesAsked = () =>
      cloudformation
        .commandCalls(DescribeTypeCommand)
        .map((c) => c.args[0].input.TypeName)
        .sort();

    test('the defaults ask the registry for the knowledge base and malware-protection types only', async () => {
      freshAccount();
      await inspectAccount(accounts, defaults, 'eu-west-1');
      expect(typesAsked()).toEqual([
        'AWS::Bedrock::KnowledgeBase',
        'AWS::GuardDuty::MalwareProtectionPlan',
        'AWS::S3Vectors::Index',
        'AWS::S3Vectors::VectorBucket',
      ]);
      expect(cloudformation.commandCalls(DescribeTypeCommand)[0].args[0].input).toMatchObject({ Type: 'RESOURCE' });
    });

    test('no S3 Vectors in the region => FIX naming -c knowledgeBase=false', async () => {
      freshAccount();
      cloudformation.on(DescribeTypeCommand, { TypeName: 'AWS::S3Vectors::VectorBucket' }).rejects(notFound());
      const result = await inspectAccount(accounts, defaults, 'eu-west-1');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({
          what: 'CloudFormation does not offer AWS::S3Vectors::VectorBucket in eu-west-1',
          fix: expect.stringContaining('-c knowledgeBase=false'),
        }),
      ]);
    });

    test('enforcedGuardrail=create where the type is missing => FIX naming -c enforcedGuardrail=off', async () => {
      freshAccount();
      cloudformation
        .on(DescribeTypeCommand, { TypeName: 'AWS::Bedrock::EnforcedGuardrailConfiguration' })
        .rejects(notFound());
      const result = await inspectAccount(accounts, { ...defaults, enforcedGuardrail: 'create' }, 'eu-west-1');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({ fix: expect.stringContaining('-c enforcedGuardrail=off') }),
      ]);
    });

    test('everything regional switched off => nothing asked', async () => {
      freshAccount();
      await inspectAccount(accounts, { ...defaults, knowledgeBase: false, malwareProtection: false }, 'eu-west-1');
      expect(typesAsked()).toEqual([]);
      expect(bedrock.commandCalls(GetFoundationModelCommand)).toHaveLength(0);
    });

    test('a registry that cannot be read => could not inspect, naming the permission', async () => {
      freshAccount();
      cloudformation.on(DescribeTypeCommand).rejects(error('AccessDenied', 'not authorized'));
      const result = await inspectAccount(accounts, { ...defaults, knowledgeBase: false }, 'eu-west-1');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({ fix: expect.stringContaining('cloudformation:DescribeType') }),
      ]);
    });

    test('the embedding model not offered here => FIX naming -c knowledgeBase=false', async () => {
      freshAccount();
      bedrock
        .on(GetFoundationModelCommand, { modelIdentifier: 'amazon.titan-embed-text-v2:0' })
        .rejects(error('ResourceNotFoundException', 'no such model'));
      const result = await inspectAccount(accounts, defaults, 'eu-west-1');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({
          what: 'embedding model amazon.titan-embed-text-v2:0 in eu-west-1',
          fix: expect.stringContaining('-c knowledgeBase=false'),
        }),
      ]);
    });

    test('a region without model evaluation => a note about npm run evaluate, not a failure', async () => {
      freshAccount();
      const result = await inspectAccount(accounts, defaults, 'ap-southeast-1');
      expect(result.checks.every((c) => c.ok)).toBe(true);
      expect(result.notes).toEqual([expect.stringContaining('npm run evaluate may be refused here')]);
    });

    test('RDS protection in Taipei, where AWS documents it unsupported => guardDutyFeatures without it', async () => {
      freshAccount();
      const result = await inspectAccount(accounts, defaults, 'ap-east-2');
      expect(result.flags).toEqual({ guardDutyFeatures: 'S3_DATA_EVENTS' });
      // Attached to an existing detector, the stack sets no features: nothing to change.
      const attached = await inspectAccount(
        accounts,
        { ...defaults, guardDuty: 'existing', guardDutyDetectorId: detectorId },
        'ap-east-2',
      );
      expect(attached.flags).not.toHaveProperty('guardDutyFeatures');
    });

    test('GovCloud => a note to check the features against that partition guide', async () => {
      freshAccount();
      const result = await inspectAccount(accounts, defaults, 'us-gov-west-1');
      expect(result.notes).toContainEqual(expect.stringContaining("partition's own guide"));
    });
  });

  test('no alertEmail => a note that nobody receives alerts, with the flag that fixes it', async () => {
    freshAccount();
    const result = await inspectAccount(accounts, { ...defaults, alertEmail: '' }, 'eu-west-1');
    expect(result.flags).toEqual({});
    expect(result.notes).toEqual([expect.stringContaining('-c alertEmail=you@example.com')]);
    expect(result.checks.every((c) => c.ok)).toBe(true);
  });
});

describe('preflight: context files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--save merges into cdk.context.json and keeps every other key', () => {
    const file = path.join(dir, 'cdk.context.json');
    const lookup = 'availability-zones:account=111122223333:region=eu-west-1';
    fs.writeFileSync(file, JSON.stringify({ [lookup]: ['eu-west-1a'], macie: 'off', alertEmail: 'a@example.com' }));
    const warnings = saveContext(file, { macie: 'existing', securityHub: 'off' }, {});
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      [lookup]: ['eu-west-1a'],
      macie: 'existing',
      alertEmail: 'a@example.com',
      securityHub: 'off',
    });
    expect(warnings).toEqual([]);
  });

  test('--save creates the file when there is none, and warns about keys cdk.json shadows', () => {
    const file = path.join(dir, 'cdk.context.json');
    const warnings = saveContext(
      file,
      { guardDuty: 'existing', macie: 'create' },
      { guardDuty: 'create', macie: 'create' },
    );
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ guardDuty: 'existing', macie: 'create' });
    expect(warnings).toEqual([expect.stringContaining('remove "guardDuty" from cdk.json')]);
  });

  test('precedence as the CDK CLI applies it: -c, then cdk.json, then cdk.context.json', () => {
    expect(
      effectiveContext({ a: 'cdk.json', b: 'cdk.json' }, { a: 'context', b: 'context', c: 'context' }, { b: '-c' }),
    ).toEqual({ a: 'cdk.json', b: '-c', c: 'context' });
  });
});

describe('preflight: command line', () => {
  test('known options are read, with their types', () => {
    const { values } = parseCommand(command, [
      '--save',
      '--reserved-concurrency',
      '5',
      '--model',
      'eu.amazon.nova-micro-v1:0',
    ]);
    expect(values).toMatchObject({ save: true, 'reserved-concurrency': 5, model: 'eu.amazon.nova-micro-v1:0' });
  });

  test('a typo => a usage error that names the option it resembles', () => {
    expect(() => parseCommand(command, ['--sav'])).toThrow('unknown option --sav (did you mean --save?)');
    expect(() => parseCommand(command, ['--reserved-concurrency=-1'])).toThrow(/at least 0, got -1/);
  });
});
