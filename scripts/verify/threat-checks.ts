/** The threat-detection checks: GuardDuty, alert delivery (alert-checks.ts), and Access Analyzer. */
import { GetAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { GetDetectorCommand } from '@aws-sdk/client-guardduty';
import { ALERTS_CHECK } from './alert-checks';
import { type CheckDefinition, fail, isOutcome, pass, skip, stack } from './context';

export const THREAT_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'guardduty',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      if (!threat.GuardDutyDetectorId) return skip('guardDuty is off');
      const detector = await context.clients.guardDuty.send(
        new GetDetectorCommand({ DetectorId: threat.GuardDutyDetectorId }),
      );
      if (detector.Status !== 'ENABLED') {
        return fail(
          `detector ${threat.GuardDutyDetectorId} is ${detector.Status ?? 'unknown'}`,
          `Enable it: aws guardduty update-detector --detector-id ${threat.GuardDutyDetectorId} --enable`,
        );
      }
      const wanted = (threat.GuardDutyFeatures ?? '').split(',').filter(Boolean);
      const enabled = new Set((detector.Features ?? []).filter((f) => f.Status === 'ENABLED').map((f) => f.Name));
      const missing = wanted.filter((f) => !enabled.has(f as never));
      if (missing.length > 0) {
        return fail(
          `features not enabled: ${missing.join(', ')}`,
          'Redeploy the ThreatDetection stack; a delegated GuardDuty administrator may manage features for this account.',
        );
      }
      return pass(`detector enabled${wanted.length > 0 ? ` with ${wanted.join(', ')}` : ''}`);
    },
  },
  ALERTS_CHECK,
  {
    id: 'access-analyzer',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const arns = [threat.ExternalAccessAnalyzerArn, threat.UnusedAccessAnalyzerArn].filter((a): a is string => !!a);
      if (arns.length === 0)
        return skip('no analyzer created by this app (accessAnalyzer/unusedAccessAnalyzer off or existing)');
      const states = await Promise.all(
        arns.map(async (arn) => {
          const analyzerName = arn.split('/').pop() ?? arn;
          const { analyzer } = await context.clients.accessAnalyzer.send(new GetAnalyzerCommand({ analyzerName }));
          return { analyzerName, status: analyzer?.status ?? 'unknown', reason: analyzer?.statusReason?.code };
        }),
      );
      const inactive = states.filter((s) => s.status !== 'ACTIVE');
      if (inactive.length > 0) {
        return fail(
          inactive.map((s) => `${s.analyzerName} is ${s.status}${s.reason ? ` (${s.reason})` : ''}`).join('; '),
          'A CREATING analyzer needs a few minutes; FAILED: see its status reason in the IAM console.',
        );
      }
      return pass(`${states.map((s) => s.analyzerName).join(', ')} ACTIVE`);
    },
  },
];
