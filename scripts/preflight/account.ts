/**
 * What inspecting the account returns: checks, the `-c` flags this account
 * needs, and advice. Services that exist once per account and region are
 * attached to when present rather than created a second time.
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Macie2Client } from '@aws-sdk/client-macie2';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { ProjectConfig } from '../../lib/config';
import { type Check, explain } from './model';

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
  | 'modelInvocationLogging'
  | 'enforcedGuardrail'
  | 'appName'
  | 'knowledgeBase'
  | 'embeddingModelId'
  | 'malwareProtection'
  | 'guardDutyFeatures'
  | 'alertEmail'
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
  readonly bedrock: Pick<BedrockClient, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
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

export type Part = Partial<AccountReport>;

export function cannotInspect(what: string, setting: string, error: unknown, region: string, action: string): Part {
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
export function attachOrCreate(
  setting:
    'guardDuty' | 'macie' | 'accessAnalyzer' | 'unusedAccessAnalyzer' | 'configRecorder' | 'modelInvocationLogging',
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
