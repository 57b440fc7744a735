/**
 * The example account and region the compliance report and the tests
 * synthesize for, so that ARNs in policies and acknowledgements are concrete
 * (an environment-agnostic app shows them as unresolved tokens).
 */
/** A well-formed GuardDuty detector id for configurations that attach to an existing detector. */
export const EXAMPLE_DETECTOR_ID = '0123456789abcdef0123456789abcdef';

export const EXAMPLE_ENV = { account: '111111111111', region: 'eu-west-1' } as const;

/**
 * Every threat-detection service left alone: an account whose security
 * services are run centrally (by an organization's delegated administrator).
 */
export const THREAT_DETECTION_OFF: Readonly<Record<string, unknown>> = {
  guardDuty: 'off',
  macie: 'off',
  malwareProtection: false,
  // Promotion into the knowledge base waits for a malware scan result.
  knowledgeBase: false,
  accessAnalyzer: 'off',
  unusedAccessAnalyzer: 'off',
  cloudTrail: false,
};

/**
 * The threat-detection services that are off by default because they bill
 * per bucket (Macie) and per role and user (the unused-access analyzer) of
 * the whole account (docs/cost.md): the tests of what they deploy turn them on.
 */
export const THREAT_DETECTION_OPT_INS: Readonly<Record<string, unknown>> = {
  macie: 'create',
  unusedAccessAnalyzer: 'create',
};

/**
 * The configurations the compliance gate is proven in: every switch that adds,
 * removes or changes resources, on its own and where they interact.
 * test/compliance/configurations.test.ts proves each behind the gate (with
 * cfn-lint), and `npm run compliance` reports on each one.
 */
export const COMPLIANCE_CONFIGURATIONS: readonly (readonly [name: string, overrides: Record<string, unknown>])[] = [
  ['default (retain)', {}],
  ['throwaway sandbox (destroy)', { removalPolicy: 'destroy' }],
  ['object lock on', { objectLock: true, objectLockRetentionDays: 7 }],
  ['inference profile', { modelId: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0' }],
  [
    'audit off, short log retention, reserved concurrency',
    { auditRecords: false, logRetentionDays: 30, invokeReservedConcurrency: 5 },
  ],
  ['isolated network', { isolatedNetwork: true }],
  ['isolated network in named zones', { isolatedNetwork: true, availabilityZones: ['eu-west-1b', 'eu-west-1c'] }],
  [
    'threat detection attached to existing services, findings exported',
    {
      guardDuty: 'existing',
      guardDutyDetectorId: EXAMPLE_DETECTOR_ID,
      guardDutyFindingsExport: true,
      macie: 'existing',
      accessAnalyzer: 'existing',
      unusedAccessAnalyzer: 'existing',
      configRecorder: 'existing',
    },
  ],
  [
    'threat detection: everything on, e-mail alerts, legacy EKS runtime feature',
    {
      guardDutyFindingsExport: true,
      guardDutyFeatures: ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EKS_RUNTIME_MONITORING'],
      ...THREAT_DETECTION_OPT_INS,
      securityHub: 'create',
      configRecorder: 'create',
      alertEmail: 'security@example.com',
      alertSeverity: 4,
    },
  ],
  ['threat detection services all off', THREAT_DETECTION_OFF],
  // Bedrock model-invocation logging configured by someone else, or not at
  // all: no logging resources, and no Bedrock statements in the bucket and key policies.
  ['model-invocation logging left as the account has it', { modelInvocationLogging: 'existing' }],
  ['model-invocation logging off', { modelInvocationLogging: 'off' }],
  ['knowledge base off', { knowledgeBase: false }],
  [
    'knowledge base: hierarchical chunking, small vectors, more passages',
    { chunkingStrategy: 'hierarchical', chunkMaxTokens: 200, embeddingDimensions: 256, retrievalResultsCap: 10 },
  ],
  // Every Bedrock call of the account goes through the project guardrail: the
  // enforcement, the guardrail's resource policy and the callers' policy.
  ['account-wide enforced guardrail', { enforcedGuardrail: 'create' }],
  // The guarded agent with model customization; and the isolated network in
  // a throwaway sandbox with both through an inference profile (the
  // executor and the customization jobs in the network, no deletion
  // protection on the store).
  ['guarded agent and model customization', { agent: true, modelCustomization: true }],
  [
    'isolated network in a throwaway sandbox, with the agent and model customization through an inference profile',
    {
      agent: true,
      modelCustomization: true,
      modelId: 'eu.amazon.nova-micro-v1:0',
      isolatedNetwork: true,
      removalPolicy: 'destroy',
    },
  ],
];
