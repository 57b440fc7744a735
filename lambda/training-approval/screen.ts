import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ApprovalCheck } from '../../lib/shared/customization-contract';
import type { RecordText } from '../../lib/shared/training-data';
import { CHUNK_CHARS, checkText, type GuardrailSettings } from '../promote/check';
import type { Logger } from '../promote/errors';

/**
 * The sensitive-information screen of every record's text, with the
 * customization stack's guardrail (its sensitive-information policy alone),
 * through the promotion function's text check (lambda/promote/check.ts).
 * Anything but a clean verdict refuses: a model trained on personal data,
 * masked or not, learns to say it, and masked text would teach it to answer
 * with the guardrail's {EMAIL} tags.
 */

/** Between the records of a group: a blank line, so that two records never read as one word. */
export const RECORD_SEPARATOR = '\n\n';

/** Records sent to the guardrail together: lines firstLine to lastLine of the file. */
export interface Group {
  readonly firstLine: number;
  readonly lastLine: number;
  readonly records: number;
  readonly text: string;
}

/**
 * Records grouped, in file order, into texts of at most `max` characters,
 * cut only between records, so that a finding names whole records and most
 * requests carry a full 25 text units. A record longer than `max` is a group
 * of its own; checkText cuts it into overlapping pieces.
 */
export function groupRecords(records: readonly RecordText[], max = CHUNK_CHARS): Group[] {
  const groups: Group[] = [];
  let open: { firstLine: number; lastLine: number; texts: string[]; length: number } | undefined;
  const close = () => {
    if (!open) return;
    const { firstLine, lastLine, texts } = open;
    groups.push({ firstLine, lastLine, records: texts.length, text: texts.join(RECORD_SEPARATOR) });
    open = undefined;
  };
  for (const record of records) {
    if (open && open.length + RECORD_SEPARATOR.length + record.text.length > max) close();
    if (!open) {
      open = { firstLine: record.line, lastLine: record.line, texts: [record.text], length: record.text.length };
      continue;
    }
    open.texts.push(record.text);
    open.lastLine = record.line;
    open.length += RECORD_SEPARATOR.length + record.text.length;
  }
  close();
  return groups;
}

/** A group the guardrail did not pass, by entity types and regex names only, never the matched text. */
export interface Finding {
  readonly firstLine: number;
  readonly lastLine: number;
  readonly kind: 'blocked' | 'masked' | 'incomplete';
  readonly entityTypes: readonly string[];
  readonly regexNames: readonly string[];
}

/** Findings listed in the check's detail; the rest are counted. */
export const MAX_LISTED_FINDINGS = 20;

export interface Screened {
  /** The sensitive-information check, passed only when every group is clean. */
  readonly check: ApprovalCheck;
  readonly findings: readonly Finding[];
}

function lines(finding: Pick<Finding, 'firstLine' | 'lastLine'>): string {
  return finding.firstLine === finding.lastLine
    ? `line ${finding.firstLine}`
    : `lines ${finding.firstLine}-${finding.lastLine}`;
}

export function describeFinding(finding: Finding): string {
  if (finding.kind === 'incomplete') return `${lines(finding)}: the guardrail evaluated only part of the text`;
  const found = [...finding.entityTypes, ...finding.regexNames.map((name) => `regex ${name}`)];
  return `${lines(finding)}: ${found.join(', ') || 'sensitive information'}`;
}

/**
 * Screen every group, all of them even after a finding, so that one answer
 * lists everything to fix. A RetryLater (time running out) or an AWS error
 * (throttling after the SDK's retries) propagates: the handler answers 503.
 */
export async function screenRecords(
  bedrock: Pick<BedrockRuntimeClient, 'send'>,
  settings: GuardrailSettings,
  records: readonly RecordText[],
  logger: Logger,
  context: Record<string, unknown> = {},
): Promise<Screened> {
  const groups = groupRecords(records);
  const findings: Finding[] = [];
  for (const group of groups) {
    const verdict = await checkText(bedrock, settings, group.text, logger);
    if (verdict.kind === 'clean') continue;
    const finding: Finding =
      verdict.kind === 'incomplete'
        ? { firstLine: group.firstLine, lastLine: group.lastLine, kind: 'incomplete', entityTypes: [], regexNames: [] }
        : {
            firstLine: group.firstLine,
            lastLine: group.lastLine,
            kind: verdict.kind,
            entityTypes: verdict.entityTypes,
            regexNames: verdict.regexNames,
          };
    findings.push(finding);
    logger.warn('Sensitive information in training records', { ...context, ...finding });
  }
  const guardrail = `guardrail ${settings.guardrailArn} version ${settings.guardrailVersion}`;
  if (findings.length === 0) {
    return {
      findings,
      check: {
        name: 'sensitive-information',
        passed: true,
        detail: `${records.length} records, in ${groups.length} groups of whole records, screened by the ${guardrail}: nothing detected`,
      },
    };
  }
  const listed = findings.slice(0, MAX_LISTED_FINDINGS).map(describeFinding);
  if (findings.length > listed.length) listed.push(`and ${findings.length - listed.length} more`);
  return {
    findings,
    check: {
      name: 'sensitive-information',
      passed: false,
      detail: `the ${guardrail} found sensitive information in ${listed.join('; ')}`,
    },
  };
}
