/**
 * docs/request-context.md, generated from the table in service-requests.ts:
 * `npx tsx test/support/request-context-doc.ts` writes it,
 * test/docs/request-context.test.ts checks it is current.
 */
import * as path from 'node:path';
import { ROOT, tableCell, writeFormatted } from '../../scripts/generated-block';

/** Quoted text outside code spans, with `*` escaped: two of them would turn a policy ARN into emphasis. */
function literal(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/\*/g, '\\*')))
    .join('');
}
import { SERVICE_REQUESTS, type ServiceRequestRow, type Subject } from './service-requests';

export const REQUEST_CONTEXT_DOC = path.join(ROOT, 'docs', 'request-context.md');

const PLACEHOLDER: Subject = { source: '<source>', account: '<account>', region: '<region>' };
const rows = () => Object.entries(SERVICE_REQUESTS as Record<string, ServiceRequestRow>);
const code = (text: string) => `\`${text}\``;
/** Plain text in a cell: `<` would open an HTML tag. */
const plain = (text: string) => tableCell(text.replace(/</g, '&lt;'));

function principalOf(row: ServiceRequestRow): string {
  if (row.principal === 'caller') return "the caller's role (the service uses its credentials)";
  return code(typeof row.principal === 'function' ? row.principal(PLACEHOLDER) : row.principal);
}

function contextOf(row: ServiceRequestRow): string {
  const keys = Object.entries(row.context(PLACEHOLDER)).map(([key, value]) =>
    Array.isArray(value) ? `${code(key)} = [${value.map(code).join(', ')}]` : `${code(key)} = ${code(value)}`,
  );
  const caller = (row.callerKeys ?? []).map((key) => `caller may add: ${code(key)}`);
  const all = [...keys, ...caller];
  return all.length > 0 ? all.join('<br>') : '(none)';
}

/** What a row assumes: its sentence, or the keys no citation covers. */
function assumptionOf(row: ServiceRequestRow): string | undefined {
  if (row.assumption) return row.assumption;
  if (row.citation === null) return 'no AWS page is cited for any of its keys.';
  const keys = row.uncitedKeys ?? [];
  return keys.length > 0 ? `${keys.map(code).join(', ')} not documented on the cited page.` : undefined;
}

export function renderRequestContext(): string {
  const header = [
    '# Request context of service requests',
    '',
    'Generated from `test/support/service-requests.ts` (the table the least-privilege tests',
    'take their request context from; `PolicyWorld.serviceRequest` fills context only from it and',
    '`PolicyWorld.decide` refuses keys only AWS sets). Regenerate this file with',
    '`npx tsx test/support/request-context-doc.ts` when the table changes.',
    '',
    '`<source>` is the resource the service acts for, `<account>` its account, `<region>` its region.',
    "Besides the row's keys, the harness adds to every request `aws:SecureTransport` = true (and",
    '`s3:TlsVersion` = 1.3 for S3), `aws:PrincipalIsAWSService`/`aws:PrincipalServiceName` for service',
    'principals, and `kms:CallerAccount` for KMS requests of IAM principals. A multivalued key',
    '(`kms:EncryptionContextKeys`) is shown as the list of values the request carries. A row with no',
    'key models a request AWS documents no condition key for: a policy that requires one fails its test.',
    '',
    '| Row | Principal | Actions | On | Source | Context keys | Citation |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const table = rows().map(([id, row]) =>
    [
      code(id),
      principalOf(row),
      row.actions.map(code).join(', '),
      plain(row.resource),
      row.source === null ? '-' : plain(row.source),
      contextOf(row),
      row.citation ?? '(none)',
    ].join(' | '),
  );
  const quoted = rows().filter(([, row]) => row.quote);
  const quotes = [
    '## What the cited pages say',
    '',
    'The sentence of the cited page each row rests on, verbatim, so a row can be checked without opening',
    "the page; a parenthesis after it summarises the page's policy example.",
    '',
    ...quoted.map(
      ([id, row]) =>
        `- ${code(id)}: "${literal(row.quote ?? '')}" (${row.citation}${row.quotedFrom ? `; quoted from ${row.quotedFrom}` : ''})`,
    ),
    '',
    `Rows without a quote yet: ${rows()
      .filter(([, row]) => !row.quote)
      .map(([id]) => code(id))
      .join(', ')}.`,
  ];
  const refusing = rows().flatMap(([id, row]) => (row.refuses ? [{ id, row, refusal: row.refuses }] : []));
  const refusals = [
    '## Documented refusals',
    '',
    'Where AWS says a policy on a path may carry no Condition, or not certain keys. A resource or key',
    "policy statement for the row's principal and action that breaks one fails the row's requests in the",
    'harness (`PolicyWorld.serviceRequest`), and test/compliance/configurations.test.ts looks for such a',
    'statement in every template of every compliance configuration.',
    '',
    ...refusing.map(({ id, row, refusal }) => {
      const what =
        refusal.keys === 'any' ? 'no Condition at all' : `no ${refusal.keys.map(code).join(', ')} in a Condition`;
      return `- ${code(id)} (${principalOf(row)}, ${row.actions.map(code).join(', ')}): ${what}. "${refusal.quote}" (${refusal.citation})`;
    }),
  ];
  const grouped = new Map<string, string[]>();
  for (const [id, row] of rows()) {
    const text = assumptionOf(row);
    if (!text) continue;
    const entry = row.register ? ` Register: [${code(row.register)}](assumptions.md#${row.register}).` : '';
    grouped.set(`${text}${entry}`, [...(grouped.get(`${text}${entry}`) ?? []), id]);
  }
  const assumptions = [
    '## Assumptions',
    '',
    'Rows without a citation, keys no citation covers, and what a row assumes. Each names its entry of',
    'the register ([assumptions](assumptions.md)), which says what fails if it is wrong and which',
    '`npm run verify` check settles it, or why none does; until then a test that relies on one proves the',
    'policy only under the assumption.',
    '',
    ...[...grouped].map(([text, ids]) => `- ${ids.map(code).join(', ')}: ${text}`),
  ];
  return [
    ...header,
    ...table.map((line) => `| ${line} |`),
    '',
    ...quotes,
    '',
    ...refusals,
    '',
    ...assumptions,
    '',
  ].join('\n');
}

if (require.main === module) {
  void writeFormatted(REQUEST_CONTEXT_DOC, renderRequestContext()).then(() =>
    console.log(`Regenerated ${path.relative(ROOT, REQUEST_CONTEXT_DOC)}.`),
  );
}
