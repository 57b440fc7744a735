/**
 * The configurations the compliance gate is proven in: every switch that adds,
 * removes or changes resources, on its own and where they interact. The gate
 * test synthesizes each one, and `npm run compliance` reports on each one.
 */
export const COMPLIANCE_CONFIGURATIONS: readonly (readonly [name: string, overrides: Record<string, unknown>])[] = [
  ['default (retain)', {}],
  ['throwaway sandbox (destroy)', { removalPolicy: 'destroy' }],
  ['object lock on', { objectLock: true, objectLockRetentionDays: 7 }],
  ['inference profile', { modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' }],
  ['audit off, short log retention', { auditRecords: false, logRetentionDays: 30 }],
  ['isolated network', { isolatedNetwork: true }],
  ['isolated network in a throwaway sandbox', { isolatedNetwork: true, removalPolicy: 'destroy' }],
];
