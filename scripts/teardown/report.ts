/** What teardown will do, what it did, and what still costs money afterwards, in words. */
import type { Colour } from '../cli/output';
import type { AccountService } from './account';
import type { Outcome } from './clients';
import { customizationBills, customizationLines, type Customizations } from './custom-models';
import type { DeployedStack, Resource } from './inventory';
import type { Attachment } from './policies';
import { purgeStep } from './purge';

/** Why a retained resource of this type keeps costing money (or what else it does). */
export const BILLS: Record<string, string> = {
  'AWS::KMS::Key': 'KMS: $1 a month per key, prorated, until it is deleted',
  'AWS::S3::Bucket': 'S3 storage of every object version it holds',
  'AWS::Logs::LogGroup': 'CloudWatch Logs storage of what it holds',
  'AWS::S3Vectors::VectorBucket': 'S3 Vectors storage',
  'AWS::DynamoDB::Table': 'DynamoDB storage and point-in-time recovery, per GB',
  'AWS::S3Vectors::Index': 'S3 Vectors storage of the vectors',
  'AWS::SageMaker::ModelCard':
    'no charge, but its fixed name makes the next deployment of its stack (Governance, or Customization with an approved custom model) fail ("already exists")',
  'AWS::GuardDuty::Detector':
    'GuardDuty bills per event and GB it analyses for the whole account (after the 30-day free trial)',
  'AWS::Macie::Session': 'Macie bills per bucket it monitors in the account, and for discovery jobs',
  'AWS::SecurityHub::Hub': 'Security Hub bills per security check and finding',
  'AWS::SecurityHub::Standard': 'Security Hub bills per security check of the standard',
  'AWS::Config::ConfigurationRecorder': 'AWS Config bills per configuration item recorded',
};

/** Never removed by teardown, whatever the flags. */
export const ALWAYS_LEFT = [
  'the CDKToolkit bootstrap stack, its staging bucket and ECR repository: shared by every CDK app in this account and region (delete the CDKToolkit stack and empty its bucket yourself if nothing else uses them; the bucket bills S3 storage)',
  'service-linked roles the services created (GuardDuty, Macie, Config, Access Analyzer): free, and other deployments may use them',
];

export interface Plan {
  readonly appName: string;
  readonly region: string;
  readonly purge: boolean;
  readonly stacks: readonly DeployedStack[];
  readonly ordered: readonly DeployedStack[];
  readonly attachments: readonly Attachment[];
  readonly retained: readonly Resource[];
  readonly services: readonly AccountService[];
  /** What `npm run customize` made, which no stack owns. */
  readonly customizations: Customizations;
}

function serviceLine(s: AccountService, purge: boolean): string | undefined {
  if (s.unknown) return `${s.service}: could not tell (${s.unknown}); left alone`;
  if (!s.running) return undefined;
  if (!s.ours) return `${s.service} (${s.running}): not created by this app's stacks, left alone`;
  return `${s.service} (${s.running}): created by this app${purge ? ', turned off by --purge' : ', kept (use --purge to turn it off)'}`;
}

export function planText(plan: Plan, paint: Colour): string {
  const lines = [paint.bold(`Teardown of ${plan.appName} in ${plan.region}`), ''];
  const gone = plan.stacks.filter((s) => s.deleted).map((s) => s.name);
  if (plan.ordered.length > 0) {
    lines.push('Stacks to delete, in this order (no stack goes before the stacks that import from it):');
    plan.ordered.forEach((s, i) => lines.push(`  ${i + 1}. ${s.name} (${s.status})`));
  } else lines.push('No stack left to delete.');
  if (gone.length > 0) lines.push(`Already deleted (read for what they retained): ${[...new Set(gone)].join(', ')}`);
  lines.push('');
  const customizations = customizationLines(plan.customizations);
  if (customizations.length > 0) lines.push(...customizations, '');
  if (plan.attachments.length > 0) {
    lines.push(
      "The project's policies attached by hand (CloudFormation cannot delete them while attached), detached first:",
    );
    for (const a of plan.attachments) lines.push(`  ${a.policyArn} (${a.policy}) from ${a.kind} ${a.name}`);
    lines.push('');
  }
  if (plan.retained.length > 0) {
    lines.push(
      `Left behind by the deployed templates' DeletionPolicy${plan.purge ? ', then deleted by --purge in this order' : ' (add --purge to delete them)'}:`,
    );
    for (const r of plan.retained) {
      lines.push(`  ${purgeStep(r)}  [${r.stack}, ${r.deletionPolicy}]`);
    }
  } else lines.push('Nothing is retained: every resource is deleted with its stack.');
  const services = plan.services.map((s) => serviceLine(s, plan.purge)).filter(Boolean);
  if (services.length > 0) lines.push('', 'Account-wide services:', ...services.map((s) => `  ${s}`));
  return lines.join('\n');
}

const MARK: Record<Outcome['status'], (p: Colour) => string> = {
  done: (p) => p.ok('done  '),
  gone: (p) => p.dim('gone  '),
  left: (p) => p.warn('left  '),
  failed: (p) => p.bad('FAILED'),
};

export function outcomesText(outcomes: readonly Outcome[], paint: Colour): string {
  return outcomes.map((o) => `  ${MARK[o.status](paint)}  ${o.step}${o.detail ? `: ${o.detail}` : ''}`).join('\n');
}

/** What still costs money (or blocks a redeployment) once teardown is over, and why. */
export function stillBills(plan: Plan, outcomes: readonly Outcome[], stacksDeleted: boolean): string[] {
  const lines: string[] = [];
  if (!stacksDeleted) lines.push('every resource of the stacks that were not deleted (see FAILED above)');
  const purged = new Set(outcomes.filter((o) => o.status === 'done' || o.status === 'gone').map((o) => o.step));
  for (const r of plan.retained) {
    const outcome = outcomes.find((o) => o.step === purgeStep(r));
    if (r.type === 'AWS::KMS::Key' && outcome && purged.has(outcome.step)) {
      // Assumed, not documented by AWS: a key may bill until its deletion date (at most the 7-day window).
      lines.push(
        `${r.type} ${r.physicalId}: ${outcome.detail ?? 'pending deletion'}; at most $1 a month, prorated, until then`,
      );
      continue;
    }
    if (outcome && purged.has(outcome.step)) continue;
    const why = outcome?.bills ?? BILLS[r.type] ?? 'see its pricing page';
    lines.push(`${r.type} ${r.physicalId}: ${why}${plan.purge ? '' : ' (not purged)'}`);
  }
  lines.push(...customizationBills(plan.customizations, outcomes));
  for (const s of plan.services) {
    if (s.running && !s.ours) lines.push(`${s.service}: not this app's, left running (it bills whoever turned it on)`);
  }
  return [...lines, ...ALWAYS_LEFT];
}
