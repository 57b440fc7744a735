/**
 * docs/assumptions.md, generated from the register in lib/shared/assumptions.ts:
 * `npx tsx test/support/assumptions-doc.ts` writes it,
 * test/docs/assumptions.test.ts checks it is current.
 */
import * as path from 'node:path';
import { ROOT, writeFormatted } from '../../scripts/generated-block';
import { ASSUMPTIONS, type Assumption, type AssumptionId } from '../../lib/shared/assumptions';

export const ASSUMPTIONS_DOC = path.join(ROOT, 'docs', 'assumptions.md');

const entries = () => Object.entries(ASSUMPTIONS) as [AssumptionId, Assumption][];
const code = (text: string) => `\`${text}\``;

const VISIBILITY: Record<Assumption['ifWrong']['visibility'], string> = {
  silent: 'silently (no error, no alarm)',
  alarmed: 'through an alarm or an alert',
  visible: 'as an error to a caller or a deployment',
};

function settlement(entry: Assumption): string {
  return 'verify' in entry.settledBy
    ? `\`npm run verify\`: ${entry.settledBy.verify.map(code).join(', ')}`
    : `not checked by verify: ${entry.settledBy.notCheckedByVerify}`;
}

function section(id: AssumptionId, entry: Assumption): string[] {
  return [
    `## ${code(id)}`,
    '',
    entry.statement,
    '',
    `- **Evidence:** ${entry.evidence}. ${entry.evidenceDetail}`,
    `- **If wrong:** ${entry.ifWrong.fails} It shows ${VISIBILITY[entry.ifWrong.visibility]}.`,
    `- **Settled by:** ${settlement(entry)}.`,
    `- **Relied on by:** ${entry.reliedOnBy}.`,
    ...(entry.rows?.length
      ? [`- **Request-context rows:** ${entry.rows.map(code).join(', ')} ([request context](request-context.md)).`]
      : []),
    ...(entry.covers?.length
      ? [
          `- **Covers:** ${entry.covers.map((c) => `${c.keys.map(code).join(', ')} from ${code(c.principal)}`).join('; ')}.`,
        ]
      : []),
    '',
  ];
}

export function renderAssumptions(): string {
  const all = entries();
  const unsettled = all.filter(([, e]) => !('verify' in e.settledBy));
  const silent = all.filter(([, e]) => e.ifWrong.visibility === 'silent');
  return [
    '# Assumptions only an account can settle',
    '',
    'Generated from `lib/shared/assumptions.ts` (the register); regenerate with',
    '`npx tsx test/support/assumptions-doc.ts`. Each entry is something the templates or the tools rely on',
    'that no AWS page states: how far the evidence goes, what fails if it is wrong and whether anyone would',
    'notice, and the `npm run verify` check that settles it in a real account (or why none does).',
    '',
    'The request-context table ([request context](request-context.md)) names an entry here for every key',
    'no citation covers, and a test (test/compliance/configurations.test.ts) fails when a policy requires',
    'of an AWS service a condition key that neither a cited row nor an entry here covers.',
    '',
    `Evidence levels: **undocumented** (no AWS page says it either way), **contradicted** (AWS pages disagree),`,
    '**community-only** (only issues, posts or public code show it), **partial** (an AWS page shows part of it).',
    '',
    '| Entry | Evidence | If wrong, it shows | Settled by |',
    '| --- | --- | --- | --- |',
    ...all.map(
      ([id, e]) =>
        `| [${code(id)}](#${id}) | ${e.evidence} | ${e.ifWrong.visibility} | ${
          'verify' in e.settledBy ? e.settledBy.verify.map(code).join(', ') : 'not checked by verify'
        } |`,
    ),
    '',
    `${all.length} entries; ${silent.length} fail silently if wrong; ${unsettled.length} are not checked by \`npm run verify\`.`,
    '',
    ...all.flatMap(([id, entry]) => section(id, entry)),
  ].join('\n');
}

if (require.main === module) {
  void writeFormatted(ASSUMPTIONS_DOC, renderAssumptions()).then(() =>
    console.log(`Regenerated ${path.relative(ROOT, ASSUMPTIONS_DOC)}.`),
  );
}
