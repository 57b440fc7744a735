import { parseConfig } from '../../lib/config';
import { modelCardDigest } from '../../lib/governance/model-card';
import { governanceProps } from '../../lib/stack-props';
import { CDK_JSON_CONTEXT } from '../../tools/build-app';
import { COMPLIANCE_CONFIGURATIONS, EXAMPLE_DETECTOR_ID, THREAT_DETECTION_OPT_INS } from '../../tools/configurations';
import * as path from 'node:path';
import { coveringSet, type Exclusion, type Switch } from './covering-set';

type Overrides = Readonly<Record<string, unknown>>;

/** A configuration's identity: its overrides with keys in order (`-c` order does not matter). */
export function configurationKey(overrides: Overrides): string {
  return JSON.stringify(Object.fromEntries(Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b))));
}

const STATES = ['create', 'existing', 'off'] as const;

/**
 * A configuration whose model card a reviewer approved: the overrides plus the
 * digest of the card they produce (what the reviewer copies from the
 * ModelCardContentDigest output).
 */
export function approvedCard(overrides: Overrides): Overrides {
  const props = governanceProps(parseConfig({ ...CDK_JSON_CONTEXT, ...overrides }));
  const digest = modelCardDigest({
    model: props.model,
    riskRating: props.riskRating,
    guardrailPolicy: props.guardrailPolicy,
    knowledgeBase: props.knowledgeBase,
    enforcedGuardrail: props.enforcedGuardrail,
    evaluationsUri: '',
  });
  return { ...overrides, modelCardStatus: 'Approved', modelCardReviewedDigest: digest };
}
const DETECTOR_ID = EXAMPLE_DETECTOR_ID;

/**
 * The switches of the threat-detection baseline and the data path, with every
 * value each can take. Proven pairwise: every value of each switch meets every
 * value of every other switch in some configuration (test/support/covering-set.ts).
 */
export const SWITCHES: readonly Switch[] = [
  { name: 'guardDuty', values: STATES },
  { name: 'macie', values: STATES },
  { name: 'accessAnalyzer', values: STATES },
  { name: 'unusedAccessAnalyzer', values: STATES },
  { name: 'configRecorder', values: STATES },
  { name: 'securityHub', values: ['create', 'off'] },
  { name: 'guardDutyFindingsExport', values: [true, false] },
  { name: 'malwareProtection', values: [true, false] },
  { name: 'knowledgeBase', values: [true, false] },
  { name: 'cloudTrail', values: [true, false] },
  { name: 'alertEmail', values: ['security@example.com', ''] },
];

/**
 * The pairs the configuration refuses (lib/config/parse.ts says why of each;
 * test/compliance/gate-matrix.test.ts checks that parseConfig refuses them).
 */
export const EXCLUSIONS: readonly Exclusion[] = [
  { when: 'securityHub', is: 'create', then: 'configRecorder', not: 'off' },
  { when: 'guardDuty', is: 'off', then: 'guardDutyFindingsExport', not: true },
  { when: 'knowledgeBase', is: true, then: 'malwareProtection', not: false },
];

/** A row of switch values as overrides (an existing detector comes with its id). */
export function switchOverrides(row: Readonly<Record<string, unknown>>): Overrides {
  return { ...row, guardDutyDetectorId: row.guardDuty === 'existing' ? DETECTOR_ID : '' };
}

/**
 * The switch configurations of the matrix: a pairwise covering set of
 * SWITCHES, a handful of configurations where every combination would be
 * 3^5 x 2^6.
 */
export const SWITCH_COMBINATIONS: readonly (readonly [string, Overrides])[] = coveringSet(SWITCHES, EXCLUSIONS).map(
  (row, i) => [`switches ${i + 1}: ${row.guardDuty}/${row.macie}/${row.accessAnalyzer}`, switchOverrides(row)] as const,
);

/**
 * The configurations the other test suites synthesize without the gate, each
 * proven here behind it. `synthesize()` refuses any configuration missing from
 * the matrix, so this list cannot fall behind the tests.
 */
/**
 * Where the tests' syntheses read the comparisons customModelApproval names:
 * the fixture of test/customization (a comparison as `npm run customize --
 * compare` writes it, for a deployment in the test account and region).
 */
export const TEST_COMPARISONS_DIR = path.join(__dirname, '..', 'customization', 'fixtures', 'comparisons');

/**
 * An approved custom model: the fixture's comparison by its SHA-256, which is
 * also its file name (test/customization/approval.spec.ts checks that the two
 * still agree).
 */
export const APPROVED_CUSTOM_MODEL = [
  'an approved custom model',
  {
    modelCustomization: true,
    customModelApproval: '931c53da5db7ddfbb26587663fd6346a4a6888572f4088d75d9b1661cb0cee94',
  },
] as const satisfies readonly [string, Overrides];

export const TEST_CONFIGURATIONS: readonly (readonly [string, Overrides])[] = [
  APPROVED_CUSTOM_MODEL,
  ['destroy, longest app name', { appName: 'A'.repeat(25), removalPolicy: 'destroy' }],
  ['longest app name', { appName: 'A'.repeat(25) }],
  ['another copy of the app', { appName: 'OtherCopy', ...THREAT_DETECTION_OPT_INS }],
  ['configuration recorder alone', { configRecorder: 'create' }],
  ['GuardDuty features as a -c string', { guardDutyFeatures: 'S3_DATA_EVENTS, EKS_RUNTIME_MONITORING' }],
  ['Security Hub with an existing recorder', { securityHub: 'create', configRecorder: 'existing' }],
  [
    'threat detection attached to existing services',
    {
      guardDuty: 'existing',
      guardDutyDetectorId: DETECTOR_ID,
      macie: 'existing',
      accessAnalyzer: 'existing',
      unusedAccessAnalyzer: 'existing',
    },
  ],
  [
    'everything on in a throwaway sandbox',
    {
      guardDutyFindingsExport: true,
      ...THREAT_DETECTION_OPT_INS,
      securityHub: 'create',
      configRecorder: 'create',
      alertEmail: 'security@example.com',
      unusedAccessAgeDays: 30,
      removalPolicy: 'destroy',
    },
  ],
  [
    'e-mail alerts, exported findings, Macie and the unused-access analyzer on',
    { alertEmail: 'security@example.com', guardDutyFindingsExport: true, ...THREAT_DETECTION_OPT_INS },
  ],
  ['e-mail alerts', { alertEmail: 'security@example.com' }],
  ['low alert threshold', { alertSeverity: 2 }],
  ['Macie and the unused-access analyzer on', THREAT_DETECTION_OPT_INS],
  [
    'e-mail alerts, Macie and the unused-access analyzer on',
    { alertEmail: 'security@example.com', ...THREAT_DETECTION_OPT_INS },
  ],
  ['audit records off', { auditRecords: false }],
  ['in-code spans on', { inCodeSpans: true }],
  ['another grounding threshold', { groundingThreshold: 0.5 }],
  ['other grounding and relevance thresholds', { groundingThreshold: 0.6, relevanceThreshold: 0.4 }],
  ['medium filter strength', { guardrailFilterStrength: 'MEDIUM' }],
  ['reserved concurrency 2', { invokeReservedConcurrency: 2 }],
  ['30-day log retention', { logRetentionDays: 30 }],
  ['larger token cap', { maxTokensCap: 2000 }],
  ['smaller daily token budget', { dailyTokenBudget: 250000 }],
  ['semantic chunking', { chunkingStrategy: 'semantic' }],
  ['no chunking', { chunkingStrategy: 'none' }],
  ['enforced guardrail without the knowledge base', { enforcedGuardrail: 'create', knowledgeBase: false }],
  ['approved model card, high risk', approvedCard({ modelRiskRating: 'High' })],
  [
    'every resource type the app makes',
    {
      isolatedNetwork: true,
      removalPolicy: 'destroy',
      configRecorder: 'create',
      securityHub: 'create',
      ...THREAT_DETECTION_OPT_INS,
      guardDutyFindingsExport: true,
      alertEmail: 'a@example.com',
    },
  ],
  [
    'object lock, shorter records retention',
    { objectLock: true, objectLockRetentionDays: 14, recordsRetentionDays: 30 },
  ],
];

/** Everything the gate is proven over: the union, without repeats. */
export const GATE_MATRIX: readonly (readonly [string, Overrides])[] = [
  ...COMPLIANCE_CONFIGURATIONS,
  ...SWITCH_COMBINATIONS,
  ...TEST_CONFIGURATIONS,
].filter(([, o], i, all) => all.findIndex(([, other]) => configurationKey(other) === configurationKey(o)) === i);

/**
 * Configurations the gate must refuse, each with the finding a test expects.
 * They are synthesized with the others (the gate's report is kept even though
 * synthesis stops), so the tests read the finding instead of synthesizing them
 * behind the gate again; no test may read their templates as if proven.
 */
export const REFUSED_CONFIGURATIONS: readonly (readonly [string, Overrides])[] = [
  ['GuardDuty without S3 protection', { guardDutyFeatures: ['LAMBDA_NETWORK_LOGS'] }],
];

/** Everything jest's global setup synthesizes once for all test files. */
export const SHARED_CONFIGURATIONS = [...GATE_MATRIX, ...REFUSED_CONFIGURATIONS];

const PROVEN = new Set(GATE_MATRIX.map(([, o]) => configurationKey(o)));
const REFUSED = new Set(REFUSED_CONFIGURATIONS.map(([, o]) => configurationKey(o)));

/** Whether the configuration is one the gate must refuse (REFUSED_CONFIGURATIONS). */
export function isRefusedByTheGate(overrides: Overrides): boolean {
  return REFUSED.has(configurationKey(overrides));
}

export function isProvenByTheGate(overrides: Overrides): boolean {
  return PROVEN.has(configurationKey(overrides));
}

/** A configuration of the matrix (or a refused one) by its name, for the tests that use it. */
export function matrixConfiguration(name: string): Overrides {
  const found = SHARED_CONFIGURATIONS.find(([n]) => n === name);
  if (!found) throw new Error(`no configuration named ${JSON.stringify(name)} in test/support/gate-matrix.ts`);
  return found[1];
}
