import { z } from 'zod';
import { HIERARCHICAL_CHILD_MAX_TOKENS } from './setting-kinds';
import { type ProjectConfig, type SettingName, SETTINGS } from './settings';
import { nearest } from '../shared/edit-distance';
import { CUSTOMIZABLE_MODELS, customizationBaseModel } from '../shared/customization-contract';

/** Thrown when configuration is invalid; its message names every problem. */
export class ConfigError extends Error {
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      [
        `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((p) => `  - ${p}`),
        'Keep values with `npm run config -- set key=value` (settings.json, read on every command), or pass `-c key=value` for one command.',
      ].join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Context keys that belong to the CDK itself (feature flags such as
 * `@aws-cdk/aws-s3:...`, CLI keys such as `aws:cdk:version-reporting`, and cached
 * lookups such as `availability-zones:account=...`). They all contain a colon;
 * none of ours does, so every other key must be one of ours.
 */
function isCdkContextKey(key: string): boolean {
  return key.includes(':') || key.startsWith('@');
}

const SCHEMA = z.object(Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.schema])));

export function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/**
 * Validate raw context into a typed configuration.
 *
 * Fails fast with one message naming every unknown key and every bad value (the
 * value given and what is allowed), rather than stopping at the first.
 */
export function parseConfig(context: Record<string, unknown>): ProjectConfig {
  const ours = Object.fromEntries(Object.entries(context).filter(([k]) => !isCdkContextKey(k)));
  const problems: string[] = [];

  for (const key of Object.keys(ours)
    .filter((k) => !(k in SETTINGS))
    .sort()) {
    const near = nearest(key, Object.keys(SETTINGS));
    problems.push(
      `unknown key "${key}" (value ${show(ours[key])})${near ? `, did you mean "${near}"?` : ''}; known keys: ${Object.keys(SETTINGS).join(', ')}`,
    );
  }

  const known = Object.fromEntries(Object.entries(ours).filter(([k]) => k in SETTINGS));
  const parsed = SCHEMA.safeParse(known);
  if (!parsed.success) {
    const badKeys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    for (const key of badKeys) {
      problems.push(`${key}: got ${show(known[key])}, allowed: ${SETTINGS[key as SettingName].allowed}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems);
  }

  const config = parsed.data as ProjectConfig;
  // Rules that span settings: checked only once each value is valid on its own.
  const crossProblems = crossSettingProblems(config);
  if (crossProblems.length > 0) {
    throw new ConfigError(crossProblems);
  }
  return config;
}

/** Settings that are valid alone but contradict each other. */
function crossSettingProblems(config: ProjectConfig): string[] {
  const problems: string[] = [];
  if (config.objectLock && config.removalPolicy === 'destroy') {
    problems.push(
      'objectLock: got true with removalPolicy "destroy", allowed: objectLock true only with removalPolicy "retain" (locked object versions cannot be deleted, so the bucket could never be destroyed cleanly)',
    );
  }
  if (config.guardDuty === 'existing' && config.guardDutyDetectorId === '') {
    problems.push(
      'guardDutyDetectorId: got nothing with guardDuty "existing", allowed: the id of the existing detector (`aws guardduty list-detectors`)',
    );
  }
  if (config.guardDuty !== 'existing' && config.guardDutyDetectorId !== '') {
    problems.push(
      `guardDutyDetectorId: got ${show(config.guardDutyDetectorId)} with guardDuty ${show(config.guardDuty)}, allowed: a detector id only with guardDuty "existing"`,
    );
  }
  if (
    config.guardDutyFeatures.includes('RUNTIME_MONITORING') &&
    config.guardDutyFeatures.includes('EKS_RUNTIME_MONITORING')
  ) {
    problems.push(
      'guardDutyFeatures: got both RUNTIME_MONITORING and EKS_RUNTIME_MONITORING, allowed: one of them (RUNTIME_MONITORING includes EKS and supersedes the legacy feature)',
    );
  }
  if (config.securityHub === 'create' && config.configRecorder === 'off') {
    problems.push(
      'configRecorder: got "off" with securityHub "create", allowed: "create" or "existing" (Security Hub controls are AWS Config rules and never evaluate without a configuration recorder)',
    );
  }
  if (config.availabilityZones.length > 0 && !config.isolatedNetwork) {
    problems.push(
      `availabilityZones: got ${show(config.availabilityZones)} with isolatedNetwork false, allowed: zones only with isolatedNetwork true (they place its subnets)`,
    );
  }
  if (config.guardDutyFindingsExport && config.guardDuty === 'off') {
    problems.push(
      'guardDutyFindingsExport: got true with guardDuty "off", allowed: true only with guardDuty "create" or "existing" (findings are exported from a detector)',
    );
  }
  if (config.chunkingStrategy === 'hierarchical' && config.chunkMaxTokens > HIERARCHICAL_CHILD_MAX_TOKENS) {
    problems.push(
      `chunkMaxTokens: got ${config.chunkMaxTokens} with chunkingStrategy "hierarchical", allowed: at most ${HIERARCHICAL_CHILD_MAX_TOKENS} (it sizes the child passages; their parents are five times larger, and a passage can hold at most 8192 tokens)`,
    );
  }
  if (config.knowledgeBase && !config.malwareProtection) {
    problems.push(
      'knowledgeBase: got true with malwareProtection false, allowed: true only with malwareProtection true (a document is promoted into the knowledge base on its malware scan result; without the scan nothing would ever be indexed). Set knowledgeBase false, or malwareProtection true',
    );
  }
  problems.push(...customizationProblems(config));
  return problems;
}

/** Model customization needs the scan its approval rests on, a model Bedrock can fine-tune, and approves only with it on. */
function customizationProblems(config: ProjectConfig): string[] {
  const problems: string[] = [];
  const foundationModel = config.modelId.replace(/^(us|eu|apac|global)[.]/, '');
  if (config.modelCustomization && !config.malwareProtection) {
    problems.push(
      'modelCustomization: got true with malwareProtection false, allowed: true only with malwareProtection true (training data is approved on its malware scan result; without the scan nothing would ever be approved)',
    );
  }
  if (config.modelCustomization && customizationBaseModel(foundationModel) === undefined) {
    problems.push(
      `modelCustomization: got true with modelId ${show(config.modelId)}, allowed: true only with a model Bedrock fine-tunes: ${Object.keys(CUSTOMIZABLE_MODELS).join(', ')} (or their inference profiles)`,
    );
  }
  if (config.customModelApproval !== '' && !config.modelCustomization) {
    problems.push(
      `customModelApproval: got ${show(config.customModelApproval)} with modelCustomization false, allowed: an approval only with modelCustomization true (the Customization stack holds the custom model's card and key use)`,
    );
  }
  return problems;
}
