/** Inspect the account and region: what already runs here, and the `-c` flags the configuration needs for it. */
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountClients, AccountReport, AccountSettings } from './account';
import { inspectGuardrailEnforcement } from './enforcement';
import { alertSubscription } from './alerts';
import { inspectEndpointZones } from './endpoints';
import { inspectLambda } from './limits';
import { inspectInvocationLogging } from './logging';
import { inspectRegionalSupport } from './regional';
import {
  inspectAnalyzers,
  inspectCloudTrail,
  inspectConfigRecorder,
  inspectGuardDuty,
  inspectMacie,
  inspectSecurityHub,
} from './services';

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
      inspectInvocationLogging(clients, settings, region),
      inspectGuardrailEnforcement(clients, settings, region),
      inspectRegionalSupport(clients, settings, region),
      alertSubscription(settings),
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

/** One client per service inspected, in `region`, with the resolved credentials. */
export function accountClients(region: string, credentials?: AwsCredentialIdentityProvider): AccountClients {
  const config = { region, credentials };
  return {
    bedrock: new BedrockClient(config),
    guardDuty: new GuardDutyClient(config),
    macie: new Macie2Client(config),
    accessAnalyzer: new AccessAnalyzerClient(config),
    securityHub: new SecurityHubClient(config),
    config: new ConfigServiceClient(config),
    cloudTrail: new CloudTrailClient(config),
    lambda: new LambdaClient(config),
    ec2: new EC2Client(config),
    cloudformation: new CloudFormationClient(config),
  };
}
