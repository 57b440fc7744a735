/**
 * The services this app would create that AWS allows once per account and
 * region (GuardDuty, Macie, Access Analyzer, Security Hub, AWS Config), and the
 * trails that already record management events.
 */
import { ListAnalyzersCommand, type Type } from '@aws-sdk/client-accessanalyzer';
import { DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetMacieSessionCommand } from '@aws-sdk/client-macie2';
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { type AccountClients, type AccountSettings, attachOrCreate, cannotInspect, type Part } from './account';

export async function inspectGuardDuty(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
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
              `GuardDuty detector ${id} already exists. If an earlier deployment of this app created it and was then deleted (or switched to off), it is that deployment's detector, kept by its RetainExceptOnCreate policy (the retained-detector trap). Attach to it with the flags below, or delete it first (aws guardduty delete-detector --detector-id ${id}) if nothing else uses it.`,
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

export async function inspectMacie(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
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

export async function inspectAnalyzers(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part[]> {
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

export async function inspectSecurityHub(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
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

export async function inspectConfigRecorder(
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

export async function inspectCloudTrail(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
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
