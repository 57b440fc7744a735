/**
 * npm run preflight [-- --save] [--model <id>] [--reserved-concurrency <n>] [--after-deploy] [--stack <name>]
 *
 * Before deploying: is the configured model (or inference profile) offered in
 * the target region, usable on demand, streaming-capable, and is this account
 * allowed to use it? Which account-level services (one per account and region)
 * already run here, so that the stacks must attach to them instead of creating
 * a second one and rolling back? Prints the exact `-c` flags for this account;
 * `--save` merges them into cdk.context.json. After deploying: are the
 * guardrail and its published version ready? Exits 1 when anything is wrong,
 * 2 on a bad command line.
 *
 * Uses the caller's own credentials and region (the default credential chain,
 * AWS_REGION / AWS_PROFILE). Nothing here runs during synth or tests against AWS.
 */
import { AccessAnalyzerClient, ListAnalyzersCommand, type Type } from '@aws-sdk/client-accessanalyzer';
import {
  BedrockClient,
  GetFoundationModelAvailabilityCommand,
  GetFoundationModelCommand,
  GetGuardrailCommand,
  GetInferenceProfileCommand,
} from '@aws-sdk/client-bedrock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CDK_JSON_CONTEXT, ROOT } from './generated-block';
import { runCli } from './run-cli';
import { parseConfig, type ProjectConfig } from '../lib/config';
import { modelTarget, profileRegionProblem } from '../lib/guarded-ai/model';

export interface Check {
  readonly ok: boolean;
  readonly what: string;
  /** What to do about it, when not ok. */
  readonly fix?: string;
}

export interface PreflightOptions {
  readonly modelId: string;
  readonly region: string;
  readonly stackName: string;
  readonly afterDeploy: boolean;
}

export interface PreflightClients {
  readonly bedrock: Pick<BedrockClient, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
}

function explain(error: unknown, region: string, action: string): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `Your credentials may not call ${action} in ${region}: check your IAM permissions and any SCP that restricts Bedrock or this region.`;
  }
  if (name === 'ResourceNotFoundException' || name === 'ValidationException') {
    return `Not found in ${region}: pick a region where it is offered, or a cross-region inference profile (us., eu., apac., global.).`;
  }
  if (name === 'ThrottlingException') return 'Throttled: run the check again in a minute.';
  return `${action} failed (${name || 'unknown error'}): ${error instanceof Error ? error.message : String(error)}`;
}

/** The region part of an ARN (arn:partition:service:region:account:resource). */
function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

async function modelChecks(clients: PreflightClients, options: PreflightOptions): Promise<Check[]> {
  const target = modelTarget(options.modelId);
  const checks: Check[] = [];
  if (target.profileGeography) {
    const problem = profileRegionProblem(target.modelId, options.region);
    if (problem) {
      return [
        { ok: false, what: `inference profile ${target.modelId} can be called from ${options.region}`, fix: problem },
      ];
    }
    try {
      const profile = await clients.bedrock.send(
        new GetInferenceProfileCommand({ inferenceProfileIdentifier: target.modelId }),
      );
      checks.push({
        ok: profile.status === 'ACTIVE',
        what: `inference profile ${target.modelId} is ${profile.status ?? 'unknown'} in ${options.region}`,
        fix: 'Use an ACTIVE inference profile (see the Bedrock console, Cross-region inference).',
      });
      // A profile is called from one of the regions it routes to; its model
      // ARNs name them (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
      const regions = [...new Set((profile.models ?? []).map((m) => arnRegion(m.modelArn ?? '')))].filter(Boolean);
      if (regions.length > 0) {
        checks.push({
          ok: regions.includes(options.region),
          what: `inference profile ${target.modelId} includes ${options.region}`,
          fix: `It routes to ${regions.join(', ')} only: deploy to one of those regions, or choose a profile (or foundation model) offered in ${options.region}.`,
        });
      }
    } catch (error) {
      checks.push({
        ok: false,
        what: `inference profile ${target.modelId}`,
        fix: explain(error, options.region, 'bedrock:GetInferenceProfile'),
      });
      return checks;
    }
  } else {
    try {
      const { modelDetails } = await clients.bedrock.send(
        new GetFoundationModelCommand({ modelIdentifier: target.foundationModelId }),
      );
      const onDemand = modelDetails?.inferenceTypesSupported?.includes('ON_DEMAND') ?? false;
      checks.push({
        ok: modelDetails?.modelLifecycle?.status === 'ACTIVE',
        what: `model ${target.modelId} lifecycle is ${modelDetails?.modelLifecycle?.status ?? 'unknown'}`,
        fix: 'The model is being retired: choose a current model (modelId setting).',
      });
      checks.push({
        ok: onDemand,
        what: `model ${target.modelId} can be invoked on demand in ${options.region}`,
        fix: `Invoke it through an inference profile instead: set modelId to "us.${target.modelId}" (or eu., apac., global.) as offered in ${options.region}.`,
      });
      checks.push({
        ok: modelDetails?.responseStreamingSupported === true,
        what: `model ${target.modelId} supports streaming`,
        fix: 'Choose a model that supports response streaming, or call with "stream": false only.',
      });
    } catch (error) {
      checks.push({
        ok: false,
        what: `model ${target.modelId}`,
        fix: explain(error, options.region, 'bedrock:GetFoundationModel'),
      });
      return checks;
    }
  }
  try {
    const availability = await clients.bedrock.send(
      new GetFoundationModelAvailabilityCommand({ modelId: target.foundationModelId }),
    );
    checks.push({
      ok: availability.authorizationStatus === 'AUTHORIZED',
      what: `this account is authorized to use ${target.foundationModelId}`,
      fix: 'Request model access in the Bedrock console (Model access) for this region, or ask whoever manages access in your organization.',
    });
    checks.push({
      ok: availability.agreementAvailability?.status === 'AVAILABLE',
      what: `the model's end-user agreement is ${availability.agreementAvailability?.status ?? 'unknown'}`,
      fix: "Accept the model provider's agreement in the Bedrock console (Model access) before the first call.",
    });
  } catch (error) {
    checks.push({
      ok: false,
      what: `access to ${target.foundationModelId}`,
      fix: explain(error, options.region, 'bedrock:GetFoundationModelAvailability'),
    });
  }
  return checks;
}

async function deployedChecks(clients: PreflightClients, options: PreflightOptions): Promise<Check[]> {
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: options.stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    return [
      {
        ok: false,
        what: `stack ${options.stackName}`,
        fix: `Deploy it first (npx cdk deploy --all). ${explain(error, options.region, 'cloudformation:DescribeStacks')}`,
      },
    ];
  }
  const { GuardrailId, GuardrailVersion } = outputs;
  if (!GuardrailId || !GuardrailVersion) {
    return [
      {
        ok: false,
        what: `stack ${options.stackName} outputs`,
        fix: 'The stack has no GuardrailId/GuardrailVersion outputs: redeploy it.',
      },
    ];
  }
  try {
    const guardrail = await clients.bedrock.send(
      new GetGuardrailCommand({ guardrailIdentifier: GuardrailId, guardrailVersion: GuardrailVersion }),
    );
    return [
      {
        ok: guardrail.status === 'READY',
        what: `guardrail ${GuardrailId} version ${GuardrailVersion} is ${guardrail.status ?? 'unknown'}`,
        fix:
          guardrail.status === 'FAILED'
            ? `Creation failed: ${(guardrail.failureRecommendations ?? []).join(' ') || 'see the Bedrock console'}.`
            : 'Wait for it to become READY, then run this again.',
      },
    ];
  } catch (error) {
    return [
      { ok: false, what: `guardrail ${GuardrailId}`, fix: explain(error, options.region, 'bedrock:GetGuardrail') },
    ];
  }
}

export async function runPreflight(clients: PreflightClients, options: PreflightOptions): Promise<Check[]> {
  return options.afterDeploy ? deployedChecks(clients, options) : modelChecks(clients, options);
}

export function report(checks: readonly Check[]): string {
  return checks.map((c) => (c.ok ? `  ok    ${c.what}` : `  FIX   ${c.what}\n        ${c.fix ?? ''}`)).join('\n');
}

// ---------------------------------------------------------------------------
// The account: services that exist once per account and region.

/** The settings the account inspection compares with what the account runs. */
export type AccountSettings = Pick<
  ProjectConfig,
  | 'guardDuty'
  | 'guardDutyDetectorId'
  | 'macie'
  | 'accessAnalyzer'
  | 'unusedAccessAnalyzer'
  | 'securityHub'
  | 'configRecorder'
  | 'cloudTrail'
  | 'invokeReservedConcurrency'
  | 'isolatedNetwork'
  | 'availabilityZones'
>;

export interface AccountClients {
  readonly guardDuty: Pick<GuardDutyClient, 'send'>;
  readonly macie: Pick<Macie2Client, 'send'>;
  readonly accessAnalyzer: Pick<AccessAnalyzerClient, 'send'>;
  readonly securityHub: Pick<SecurityHubClient, 'send'>;
  readonly config: Pick<ConfigServiceClient, 'send'>;
  readonly cloudTrail: Pick<CloudTrailClient, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly ec2: Pick<EC2Client, 'send'>;
}

export interface AccountReport {
  readonly checks: Check[];
  /** Context values this account needs (`-c key=value`), differing from the configuration as it stands. */
  readonly flags: Record<string, string>;
  /** Advice that is not a setting to save. */
  readonly notes: string[];
}

/** Lambda keeps at least this many executions unreserved (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). */
export const MIN_UNRESERVED_CONCURRENCY = 100;

type Part = Partial<AccountReport>;

function cannotInspect(what: string, setting: string, error: unknown, region: string, action: string): Part {
  return {
    checks: [
      {
        ok: false,
        what: `could not inspect ${what}`,
        fix: `${explain(error, region, action)} Or decide yourself and set -c ${setting}=...`,
      },
    ],
  };
}

/**
 * What a one-per-account service needs: attach to the one that exists rather
 * than create a second (the stack would roll back), or create one when the
 * configuration expects one that is not there. "off" is left alone.
 */
function attachOrCreate(
  setting: 'guardDuty' | 'macie' | 'accessAnalyzer' | 'unusedAccessAnalyzer' | 'configRecorder',
  configured: 'create' | 'existing' | 'off',
  exists: boolean,
  description: string,
): Part {
  if (configured === 'off') {
    return { checks: [{ ok: true, what: `${description}: ${exists ? 'exists' : 'none'}; ${setting} is "off"` }] };
  }
  if (exists && configured === 'create') {
    return {
      flags: { [setting]: 'existing' },
      checks: [{ ok: true, what: `${description} exists: ${setting}=existing (creating a second one would fail)` }],
    };
  }
  if (!exists && configured === 'existing') {
    return {
      flags: { [setting]: 'create' },
      checks: [{ ok: true, what: `${description}: none, yet ${setting} is "existing": ${setting}=create` }],
    };
  }
  return {
    checks: [{ ok: true, what: `${description}: ${exists ? 'exists' : 'none'}; ${setting} "${configured}" fits` }],
  };
}

async function inspectGuardDuty(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  let ids: string[];
  try {
    ids = (await clients.guardDuty.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
  } catch (error) {
    return cannotInspect('GuardDuty', 'guardDuty', error, region, 'guardduty:ListDetectors');
  }
  // At most one detector per account and region.
  const id = ids[0];
  if (settings.guardDuty === 'off') return attachOrCreate('guardDuty', 'off', id !== undefined, 'GuardDuty detector');
  if (id !== undefined) {
    const flags: Record<string, string> = {};
    if (settings.guardDuty !== 'existing') flags.guardDuty = 'existing';
    if (settings.guardDutyDetectorId !== id) flags.guardDutyDetectorId = id;
    return {
      flags,
      checks: [{ ok: true, what: `GuardDuty detector ${id} exists: guardDuty=existing guardDutyDetectorId=${id}` }],
      notes:
        settings.guardDuty === 'create'
          ? [
              `GuardDuty detector ${id} already exists. If an earlier deployment of this app failed, it may be that deployment's detector: it is retained on rollback (the retained-detector trap). Attach to it with the flags below, or delete it first (aws guardduty delete-detector --detector-id ${id}) if nothing else uses it.`,
            ]
          : [],
    };
  }
  if (settings.guardDuty === 'existing') {
    return {
      flags: { guardDuty: 'create', guardDutyDetectorId: '' },
      checks: [{ ok: true, what: 'GuardDuty: no detector, yet guardDuty is "existing": guardDuty=create' }],
    };
  }
  return { checks: [{ ok: true, what: 'GuardDuty: no detector; guardDuty "create" fits' }] };
}

async function inspectMacie(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  let exists: boolean;
  try {
    const session = await clients.macie.send(new GetMacieSessionCommand({}));
    // A paused session still exists: enabling Macie again would fail.
    exists = session.status === 'ENABLED' || session.status === 'PAUSED';
  } catch (error) {
    // Macie answers "Macie is not enabled" with AccessDeniedException.
    if (error instanceof Error && error.name === 'AccessDeniedException' && /not enabled/i.test(error.message)) {
      exists = false;
    } else {
      return cannotInspect('Macie', 'macie', error, region, 'macie2:GetMacieSession');
    }
  }
  return attachOrCreate('macie', settings.macie, exists, 'Macie session');
}

async function inspectAnalyzers(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part[]> {
  const kinds: [Type, 'accessAnalyzer' | 'unusedAccessAnalyzer', string][] = [
    ['ACCOUNT', 'accessAnalyzer', 'Access Analyzer (external access, ACCOUNT)'],
    ['ACCOUNT_UNUSED_ACCESS', 'unusedAccessAnalyzer', 'Access Analyzer (unused access, ACCOUNT_UNUSED_ACCESS)'],
  ];
  return Promise.all(
    kinds.map(async ([type, setting, description]) => {
      try {
        const { analyzers } = await clients.accessAnalyzer.send(new ListAnalyzersCommand({ type }));
        return attachOrCreate(setting, settings[setting], (analyzers ?? []).length > 0, description);
      } catch (error) {
        return cannotInspect(description, setting, error, region, 'access-analyzer:ListAnalyzers');
      }
    }),
  );
}

async function inspectSecurityHub(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  try {
    await clients.securityHub.send(new DescribeHubCommand({}));
  } catch (error) {
    // "not subscribed to AWS Security Hub": the service is off.
    if (error instanceof Error && error.name === 'InvalidAccessException') {
      return { checks: [{ ok: true, what: `Security Hub: not enabled; securityHub "${settings.securityHub}" fits` }] };
    }
    return cannotInspect('Security Hub', 'securityHub', error, region, 'securityhub:DescribeHub');
  }
  return {
    flags: settings.securityHub === 'create' ? { securityHub: 'off' } : {},
    checks: [
      { ok: true, what: 'Security Hub is already enabled: securityHub=off (it stays on; this app leaves it alone)' },
    ],
  };
}

async function inspectConfigRecorder(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
  try {
    const { ConfigurationRecorders } = await clients.config.send(new DescribeConfigurationRecordersCommand({}));
    // Service-linked recorders (a servicePrincipal, recording for one AWS
    // service) do not take the one customer-managed recorder per region, and
    // do not feed Security Hub: only a customer-managed one counts.
    const recorders = (ConfigurationRecorders ?? []).filter((r) => !r.servicePrincipal);
    if (recorders.length > 0) {
      const name = recorders[0].name ?? '';
      const { ConfigurationRecordersStatus } = await clients.config.send(
        new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [name] }),
      );
      const recording = ConfigurationRecordersStatus?.[0]?.recording === true;
      return {
        flags: settings.configRecorder === 'existing' ? {} : { configRecorder: 'existing' },
        checks: [
          {
            ok: recording,
            what: `AWS Config recorder ${name} exists${recording ? ' and is recording' : ' but is stopped'}: configRecorder=existing`,
            fix: `Security Hub controls evaluate only while it records: aws configservice start-configuration-recorder --configuration-recorder-name ${name}`,
          },
        ],
      };
    }
    return attachOrCreate('configRecorder', settings.configRecorder, recorders.length > 0, 'AWS Config recorder');
  } catch (error) {
    return cannotInspect('AWS Config', 'configRecorder', error, region, 'config:DescribeConfigurationRecorders');
  }
}

async function inspectCloudTrail(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  try {
    const { trailList } = await clients.cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    const covering: string[] = [];
    for (const trail of trailList ?? []) {
      if (trail.IsOrganizationTrail) {
        covering.push(`organization trail ${trail.Name ?? ''}`);
        continue;
      }
      if (!trail.IsMultiRegionTrail || !trail.TrailARN) continue;
      // A shadow trail's status needs its ARN (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
      const status = await clients.cloudTrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN }));
      if (status.IsLogging) covering.push(`multi-region trail ${trail.Name ?? ''}`);
    }
    const what =
      covering.length > 0
        ? `CloudTrail: management events already recorded by ${covering.join(', ')}`
        : 'CloudTrail: no logging multi-region or organization trail';
    return {
      checks: [{ ok: true, what }],
      // Advice only: the first copy of management events is free, a second is
      // billed (https://aws.amazon.com/cloudtrail/pricing/).
      notes:
        covering.length > 0 && settings.cloudTrail
          ? [
              `${covering.join(', ')} already records management events: -c cloudTrail=false avoids paying for a second copy, but then nothing records the data bucket's object-level (data) events.`,
            ]
          : [],
    };
  } catch (error) {
    return cannotInspect('CloudTrail', 'cloudTrail', error, region, 'cloudtrail:DescribeTrails');
  }
}

async function inspectLambda(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  try {
    const { AccountLimit } = await clients.lambda.send(new GetAccountSettingsCommand({}));
    const limit = AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    const reserve = settings.invokeReservedConcurrency;
    const limitText = `Lambda concurrency quota ${limit}, ${unreserved} unreserved`;
    if (reserve === 0) {
      return { checks: [{ ok: true, what: `${limitText}; invokeReservedConcurrency 0 reserves none` }] };
    }
    const left = unreserved - reserve;
    return {
      checks: [
        {
          ok: left >= MIN_UNRESERVED_CONCURRENCY,
          what: `${limitText}: reserving ${reserve} leaves ${left} (Lambda requires at least ${MIN_UNRESERVED_CONCURRENCY})`,
          fix: `Lambda refuses the reservation and the stack rolls back. Deploy with -c invokeReservedConcurrency=0 (no cost cap), or ask for a higher "Concurrent executions" quota in Service Quotas (new accounts often have 10). https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html`,
        },
      ],
    };
  } catch (error) {
    return cannotInspect('Lambda concurrency', 'invokeReservedConcurrency', error, region, 'lambda:GetAccountSettings');
  }
}

async function inspectEndpointZones(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  if (!settings.isolatedNetwork) return {};
  const service = `com.amazonaws.${region}.bedrock-runtime`;
  try {
    const [{ ServiceDetails }, { AvailabilityZones }] = await Promise.all([
      clients.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [service] })),
      clients.ec2.send(
        new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
      ),
    ]);
    const served = ServiceDetails?.find((s) => s.ServiceName === service)?.AvailabilityZones ?? [];
    const zones = (AvailabilityZones ?? [])
      .filter((z) => z.State === 'available')
      .map((z) => z.ZoneName ?? '')
      .filter(Boolean);
    const chosen = settings.availabilityZones.length > 0 ? [...settings.availabilityZones] : zones.slice(0, 2);
    const missing = chosen.filter((az) => !served.includes(az));
    if (missing.length === 0) {
      return { checks: [{ ok: true, what: `${service} is offered in ${chosen.join(', ')}` }] };
    }
    const suggestion = zones.filter((az) => served.includes(az)).slice(0, 2);
    if (suggestion.length < 2) {
      return {
        checks: [
          {
            ok: false,
            what: `${service} is offered in ${served.join(', ') || 'no zone'} only`,
            fix: 'isolatedNetwork needs the endpoint in two zones: deploy to another region, or set -c isolatedNetwork=false.',
          },
        ],
      };
    }
    return {
      flags: { availabilityZones: suggestion.join(',') },
      checks: [
        {
          ok: true,
          what: `${service} is not offered in ${missing.join(', ')}: availabilityZones=${suggestion.join(',')}`,
        },
      ],
    };
  } catch (error) {
    return cannotInspect(
      'the Bedrock Runtime endpoint zones',
      'availabilityZones',
      error,
      region,
      'ec2:DescribeVpcEndpointServices',
    );
  }
}

/** Inspect the account and region: what already runs here, and what the configuration must say about it. */
export async function inspectAccount(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<AccountReport> {
  const parts = (
    await Promise.all([
      inspectGuardDuty(clients, settings, region),
      inspectMacie(clients, settings, region),
      inspectAnalyzers(clients, settings, region),
      inspectSecurityHub(clients, settings, region),
      inspectConfigRecorder(clients, settings, region),
      inspectCloudTrail(clients, settings, region),
      inspectLambda(clients, settings, region),
      inspectEndpointZones(clients, settings, region),
    ])
  ).flat();
  return {
    checks: parts.flatMap((p) => p.checks ?? []),
    flags: Object.assign({}, ...parts.map((p) => p.flags ?? {})) as Record<string, string>,
    notes: parts.flatMap((p) => p.notes ?? []),
  };
}

/** `-c key=value ...`, ready to paste after `npx cdk deploy --all`. */
export function contextFlags(flags: Record<string, string>): string {
  return Object.entries(flags)
    .map(([key, value]) => `-c ${key}=${value === '' ? '""' : value}`)
    .join(' ');
}

// ---------------------------------------------------------------------------
// Context files, read the way the CDK CLI reads them.

/** Where `--save` writes: the CDK CLI's project context file, in the project root. */
export const CONTEXT_FILE = path.join(ROOT, 'cdk.context.json');

export function readContextFile(file: string): Record<string, unknown> {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/**
 * The context the app receives. The CDK CLI looks a key up in `-c` values
 * first, then cdk.json's "context", then cdk.context.json (a value in cdk.json
 * shadows the same key in cdk.context.json).
 */
export function effectiveContext(
  cdkJson: Record<string, unknown>,
  cdkContextJson: Record<string, unknown>,
  commandLine: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...cdkContextJson, ...cdkJson, ...commandLine };
}

/**
 * Merge `flags` into the context file, keeping every other key (cached lookups
 * and earlier choices). Returns warnings for keys cdk.json sets differently,
 * whose saved value the CLI would not use.
 */
export function saveContext(file: string, flags: Record<string, string>, cdkJson: Record<string, unknown>): string[] {
  const merged = { ...readContextFile(file), ...flags };
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return Object.entries(flags)
    .filter(([key, value]) => key in cdkJson && String(cdkJson[key]) !== value)
    .map(
      ([key, value]) =>
        `cdk.json's context sets ${key}=${JSON.stringify(cdkJson[key])}, which the CDK CLI uses before cdk.context.json: remove "${key}" from cdk.json (or pass -c ${key}=${value}).`,
    );
}

// ---------------------------------------------------------------------------

const USAGE = `usage: npm run preflight -- [--save] [--model <id>] [--reserved-concurrency <n>] [--after-deploy] [--stack <name>]`;

const OPTIONS = {
  save: { type: 'boolean' },
  model: { type: 'string' },
  'reserved-concurrency': { type: 'string' },
  'after-deploy': { type: 'boolean' },
  stack: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type PreflightArgs = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

/** The command line, or the message for a bad one. */
export function parseCommandLine(argv: readonly string[]): PreflightArgs | Error {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

export function accountClients(region: string): AccountClients {
  return {
    guardDuty: new GuardDutyClient({ region }),
    macie: new Macie2Client({ region }),
    accessAnalyzer: new AccessAnalyzerClient({ region }),
    securityHub: new SecurityHubClient({ region }),
    config: new ConfigServiceClient({ region }),
    cloudTrail: new CloudTrailClient({ region }),
    lambda: new LambdaClient({ region }),
    ec2: new EC2Client({ region }),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (args instanceof Error) {
    console.error(args.message);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const commandLine: Record<string, unknown> = {};
  if (args.model) commandLine.modelId = args.model;
  if (args['reserved-concurrency'] !== undefined) commandLine.invokeReservedConcurrency = args['reserved-concurrency'];
  // The same configuration the app gets: cdk.json, cdk.context.json and these options.
  const config = parseConfig(effectiveContext(CDK_JSON_CONTEXT, readContextFile(CONTEXT_FILE), commandLine));
  const region =
    process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (await new BedrockClient({}).config.region());
  const options: PreflightOptions = {
    modelId: config.modelId,
    region,
    stackName: args.stack ?? `${config.appName}-GuardedInvoke`,
    afterDeploy: args['after-deploy'] === true,
  };
  const clients = { bedrock: new BedrockClient({ region }), cloudformation: new CloudFormationClient({ region }) };
  if (options.afterDeploy) {
    const checks = await runPreflight(clients, options);
    console.log(`Preflight in ${region} (after deploy):\n${report(checks)}`);
    return checks.every((c) => c.ok) ? 0 : 1;
  }

  const [model, account] = await Promise.all([
    runPreflight(clients, options),
    inspectAccount(accountClients(region), config, region),
  ]);
  const checks = [...model, ...account.checks];
  console.log(`Preflight in ${region} (before deploy):\n${report(checks)}`);
  for (const note of account.notes) console.log(`\nNote: ${note}`);

  const needed = Object.keys(account.flags).length > 0;
  let shadowed: string[] = [];
  if (!needed) {
    console.log('\nThe configuration fits this account: no -c flags needed.');
  } else {
    console.log(`\nThis account needs:\n  npx cdk deploy --all ${contextFlags(account.flags)}`);
    if (args.save) {
      shadowed = saveContext(CONTEXT_FILE, account.flags, CDK_JSON_CONTEXT);
      console.log(`Saved to ${CONTEXT_FILE} (gitignored; the CDK CLI reads it as context, -c overrides it).`);
      for (const warning of shadowed) console.log(`WARNING: ${warning}`);
    } else {
      console.log('Run again with --save to write them to cdk.context.json.');
    }
  }
  return checks.every((c) => c.ok) && (!needed || (args.save === true && shadowed.length === 0)) ? 0 : 1;
}

runCli(module, main);
