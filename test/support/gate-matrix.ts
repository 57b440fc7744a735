import { parseConfig } from '../../lib/config';
import { modelCardDigest } from '../../lib/governance/model-card';
import { governanceProps } from '../../lib/stack-props';
import { CDK_JSON_CONTEXT } from '../../tools/build-app';
import { COMPLIANCE_CONFIGURATIONS, EXAMPLE_DETECTOR_ID } from '../../tools/configurations';

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
 * Every combination of the three-state service switches (GuardDuty, Macie,
 * external-access analyzer: create / existing / off), each with the
 * unused-access analyzer, the configuration recorder and the on/off switches
 * varied along.
 */
export const SWITCH_COMBINATIONS: readonly (readonly [string, Overrides])[] = STATES.flatMap((guardDuty, g) =>
  STATES.flatMap((macie, m) =>
    STATES.map((accessAnalyzer, a) => {
      const i = g * 9 + m * 3 + a;
      const bit = (n: number) => ((i >> n) & 1) === 1;
      const configRecorder = STATES[(i + 2) % 3];
      const overrides: Overrides = {
        guardDuty,
        guardDutyDetectorId: guardDuty === 'existing' ? DETECTOR_ID : '',
        guardDutyFindingsExport: guardDuty !== 'off' && bit(0),
        macie,
        accessAnalyzer,
        unusedAccessAnalyzer: STATES[(i + 1) % 3],
        malwareProtection: bit(1),
        // The knowledge base needs the malware scan. It is on in every
        // compliance configuration; here only where GuardDuty is created, since
        // its stacks are the same whatever the other switches say and each
        // adds to every synthesis of the matrix.
        knowledgeBase: bit(1) && guardDuty === 'create',
        cloudTrail: !bit(2),
        configRecorder,
        // Security Hub needs a recorder (created here or existing).
        securityHub: bit(3) && configRecorder !== 'off' ? 'create' : 'off',
        alertEmail: bit(4) ? 'security@example.com' : '',
      };
      return [`switches ${guardDuty}/${macie}/${accessAnalyzer}`, overrides] as const;
    }),
  ),
);

/**
 * The configurations the other test suites synthesize without the gate, each
 * proven here behind it. `synthesize()` refuses any configuration missing from
 * the matrix, so this list cannot fall behind the tests.
 */
export const TEST_CONFIGURATIONS: readonly (readonly [string, Overrides])[] = [
  ['destroy, longest app name', { appName: 'A'.repeat(25), removalPolicy: 'destroy' }],
  ['longest app name', { appName: 'A'.repeat(25) }],
  ['another copy of the app', { appName: 'OtherCopy' }],
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
      securityHub: 'create',
      configRecorder: 'create',
      alertEmail: 'security@example.com',
      unusedAccessAgeDays: 30,
      removalPolicy: 'destroy',
    },
  ],
  ['e-mail alerts and exported findings', { alertEmail: 'security@example.com', guardDutyFindingsExport: true }],
  ['e-mail alerts', { alertEmail: 'security@example.com' }],
  ['low alert threshold', { alertSeverity: 2 }],
  ['unused-access analyzer off', { unusedAccessAnalyzer: 'off' }],
  ['audit records off', { auditRecords: false }],
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

const PROVEN = new Set(GATE_MATRIX.map(([, o]) => configurationKey(o)));

export function isProvenByTheGate(overrides: Overrides): boolean {
  return PROVEN.has(configurationKey(overrides));
}

/** A configuration of the matrix by its name, for the tests that use it. */
export function matrixConfiguration(name: string): Overrides {
  const found = GATE_MATRIX.find(([n]) => n === name);
  if (!found) throw new Error(`no configuration named ${JSON.stringify(name)} in test/support/gate-matrix.ts`);
  return found[1];
}
