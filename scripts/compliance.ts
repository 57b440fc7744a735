/**
 * npm run compliance: synthesize every stack in every configuration the tests
 * cover, and report per rule pack the rules evaluated, the findings left (must
 * be none) and every acknowledgement with its resource and reason.
 *
 * Writes docs/compliance.md (the full list) and the summary table in docs/compliance-gate.md;
 * test/compliance/configurations.test.ts fails when either is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { COMPLIANCE_CONFIGURATIONS, EXAMPLE_ENV } from '../tools/configurations';
import type { ComplianceGate } from '../lib/compliance/gate';
import { readValidationReport } from '../lib/compliance/report';
import { buildProjectApp } from '../tools/build-app';
import { isCountingPack } from '../tools/counting-packs';
import { GENERATOR_OPTIONS, replaceBlock, ROOT, writeOrCheck, tableCell } from './generated-block';
import type { CommandSpec } from './cli/command';
import { runCommand } from './run-cli';

/** Where the summary table lives (between compliance-summary markers). */
export const SUMMARY_DOC = path.join(ROOT, 'docs', 'compliance-gate.md');
export const REPORT = path.join(ROOT, 'docs', 'compliance.md');

/** Acknowledgement IDs look like "AwsSolutions::AwsSolutions-S1" or "cdk-validator-cfnguard::s3_..." */
const PACK_OF_PREFIX: Record<string, string> = {
  AwsSolutions: 'AwsSolutions',
  'NIST.800.53.R5': 'NIST.800.53.R5',
  'HIPAA.Security': 'HIPAA.Security',
  'PCI.DSS.321': 'PCI.DSS.321',
  Serverless: 'Serverless',
  'cdk-validator-cfnguard': 'Control Tower (cfn-guard)',
  'CloudFormation-Validate': 'CloudFormation Validate',
};

/**
 * "cdk-validator-cfnguard::s3_..." names its plugin; cdk-nag rule IDs
 * ("AwsSolutions-IAM5[Resource::...]") are stored as annotation IDs and name
 * their pack in the rule itself.
 */
function packAndRule(id: string): { pack: string; rule: string } {
  const separator = id.indexOf('::');
  const prefix = separator > 0 ? id.slice(0, separator) : '';
  const rest = prefix in PACK_OF_PREFIX || prefix.toLowerCase() === 'annotation' ? id.slice(separator + 2) : id;
  if (prefix in PACK_OF_PREFIX) return { pack: PACK_OF_PREFIX[prefix], rule: rest };
  const nagPack = Object.keys(PACK_OF_PREFIX).find((p) => rest.startsWith(`${p}-`));
  return { pack: nagPack ? PACK_OF_PREFIX[nagPack] : 'CDK annotation', rule: rest };
}

interface Acknowledgement {
  readonly pack: string;
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
  readonly configurations: string[];
}

export interface ComplianceSummary {
  readonly packs: { pack: string; rules?: number; findings: number; acknowledged: number }[];
  readonly acknowledgements: Acknowledgement[];
}

/** A synthesized app behind the gate. */
export interface GatedSynthesis {
  readonly app: App;
  readonly gate?: ComplianceGate;
  /** Where the assembly was written (the gate's report is there even when synthesis failed on a finding). */
  readonly assembly: Pick<CloudAssembly, 'directory'>;
}

/**
 * What the summary needs of one gated synthesis, as plain data: the rules each
 * pack applied, the gate's report and every acknowledgement with the construct
 * it sits on. Kept beside the templates in the tests' shared syntheses
 * (test/support/assemblies.ts), so the report needs no construct tree.
 */
export interface GateRecord {
  readonly rules: Record<string, string[]>;
  readonly report: ReturnType<typeof readValidationReport>;
  readonly acknowledgements: { readonly id: string; readonly reason: string; readonly resource: string }[];
}

/** The record of a synthesis behind the gate (with rule counting on). */
export function gateRecordOf({ app, gate, assembly }: GatedSynthesis): GateRecord {
  const rules: Record<string, string[]> = {};
  for (const pack of (gate?.packs ?? []).filter(isCountingPack)) rules[pack.name] = [...pack.evaluatedRules];
  rules[PACK_OF_PREFIX['cdk-validator-cfnguard']] = [...(gate?.controlTower.ruleIds ?? [])];
  const acknowledgements = app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id,
          reason,
          resource: construct.node.path,
        })),
      ),
  );
  return { rules, report: readValidationReport(assembly), acknowledgements };
}

/** Synthesize one configuration behind the gate (no Lambda bundling: the report reads templates and findings). */
function synthesizeGated(overrides: Record<string, unknown>): GateRecord {
  const { app, gate } = buildProjectApp(overrides, { gate: true, countRules: true, env: EXAMPLE_ENV });
  return gateRecordOf({ app, gate, assembly: app.synth() });
}

/**
 * The compliance summary over every configuration of COMPLIANCE_CONFIGURATIONS.
 * `recordOf` lets the tests hand in the records of the syntheses they share.
 */
export function complianceSummary(
  recordOf: (overrides: Record<string, unknown>) => GateRecord = synthesizeGated,
): ComplianceSummary {
  const rules = new Map<string, Set<string>>();
  const findings = new Map<string, number>();
  const acks = new Map<string, Acknowledgement>();

  for (const [name, overrides] of COMPLIANCE_CONFIGURATIONS) {
    const record = recordOf(overrides);
    for (const [pack, applied] of Object.entries(record.rules)) {
      const set = rules.get(pack) ?? new Set<string>();
      applied.forEach((r) => set.add(r));
      rules.set(pack, set);
    }
    for (const plugin of record.report.pluginReports) {
      const pack = PACK_OF_PREFIX[plugin.pluginName] ?? plugin.pluginName;
      findings.set(pack, (findings.get(pack) ?? 0) + plugin.violations.length);
    }
    for (const { id, reason, resource } of record.acknowledgements) {
      const { pack, rule } = packAndRule(id);
      const key = `${id}@${resource}`;
      const ack = acks.get(key) ?? { pack, rule, resource, reason, configurations: [] };
      if (!ack.configurations.includes(name)) ack.configurations.push(name);
      acks.set(key, ack);
    }
  }

  const acknowledgements = [...acks.values()].sort((a, b) =>
    `${a.pack}${a.rule}${a.resource}`.localeCompare(`${b.pack}${b.rule}${b.resource}`),
  );
  const packs = [...new Set([...rules.keys(), ...acknowledgements.map((a) => a.pack)])].map((pack) => ({
    pack,
    rules: rules.get(pack)?.size,
    findings: findings.get(pack) ?? 0,
    acknowledged: acknowledgements.filter((a) => a.pack === pack).length,
  }));
  return { packs, acknowledgements };
}

export function summaryTable(summary: ComplianceSummary, reportLink = '[docs/compliance.md](compliance.md)'): string {
  return [
    `Synthesized in ${COMPLIANCE_CONFIGURATIONS.length} configurations: ${COMPLIANCE_CONFIGURATIONS.map(([n]) => n).join('; ')}.`,
    '',
    '| rule pack | rules evaluated | unacknowledged findings | acknowledgements |',
    '| --- | --- | --- | --- |',
    ...summary.packs.map((p) => `| ${p.pack} | ${p.rules ?? 'n/a'} | ${p.findings} | ${p.acknowledged} |`),
    '',
    `Rules evaluated: for the cdk-nag packs, the rules that applied to at least one resource; for the Control Tower controls, every rule shipped (each template is checked against those that name its resource types). CloudFormation Validate is CDK's built-in schema check (its acknowledgements are CDK's own). Every acknowledgement, with its resource and reason: ${reportLink}.`,
  ].join('\n');
}

export function fullReport(summary: ComplianceSummary): string {
  return [
    '# Compliance report',
    '',
    'Generated by `npm run compliance`; do not edit by hand.',
    '',
    summaryTable(summary, 'below'),
    '',
    '## Acknowledgements',
    '',
    '| pack | rule | resource | configurations | reason |',
    '| --- | --- | --- | --- | --- |',
    ...summary.acknowledgements.map(
      (a) =>
        `| ${a.pack} | \`${tableCell(a.rule)}\` | \`${a.resource}\` | ${a.configurations.length === COMPLIANCE_CONFIGURATIONS.length ? 'all' : tableCell(a.configurations.join('; '))} | ${tableCell(a.reason)} |`,
    ),
    '',
  ].join('\n');
}

export function withSummary(readme: string, summary: ComplianceSummary): string {
  return replaceBlock(readme, 'compliance-summary', summaryTable(summary));
}

export const command = {
  name: 'compliance',
  summary:
    'Regenerate docs/compliance.md and the summary in docs/compliance-gate.md: rules, findings, acknowledgements per pack.',
  description:
    'Synthesizes every stack in every configuration the tests cover and reports, per rule pack (cdk-nag and Control Tower), the rules evaluated, the findings left (must be none) and every acknowledgement with its resource and reason. Exits 1 when any finding is left. Needs no AWS account.',
  options: GENERATOR_OPTIONS,
  examples: ['npm run compliance', 'npm run compliance -- --check'],
} as const satisfies CommandSpec;

runCommand(module, command, async ({ values }, io) => {
  const summary = complianceSummary();
  io.out(summaryTable(summary));
  const files = [
    { file: REPORT, text: fullReport(summary) },
    { file: SUMMARY_DOC, text: withSummary(fs.readFileSync(SUMMARY_DOC, 'utf8'), summary) },
  ];
  const code = await writeOrCheck(files, values.check, io, command.name);
  return summary.packs.every((p) => p.findings === 0) ? code : 1;
});
