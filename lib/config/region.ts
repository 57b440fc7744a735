import { ConfigError, show } from './parse';
import { MODEL_ID_PATTERN } from './setting-kinds';
import type { ProjectConfig } from './settings';

/**
 * The regions from which a cross-region inference profile of each geography
 * can be called: a profile is usable only from a region it includes.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * `global.` profiles are offered in every commercial region that has them.
 */
const PROFILE_SOURCE_REGIONS: Record<string, RegExp> = {
  us: /^us-(east|west)-\d$/,
  eu: /^eu-[a-z]+-\d$/,
  apac: /^ap-[a-z]+-\d$/,
  global: /^(?!us-gov-|cn-)[a-z]{2}-[a-z]+-\d$/,
};

/** Why `modelId` cannot be called from `region`, or undefined when it can (as far as the id tells). */
export function profileRegionProblem(modelId: string, region: string): string | undefined {
  const geography = MODEL_ID_PATTERN.exec(modelId)?.[1];
  if (!geography || PROFILE_SOURCE_REGIONS[geography].test(region)) return undefined;
  return `modelId: got ${show(modelId)} for region ${show(region)}, allowed: an inference profile that includes ${region} (a "${geography}." profile is called from ${geography === 'apac' ? 'ap-*' : `${geography}-*`} regions), or a foundation-model id offered in ${region}`;
}

/**
 * Checks that need the target region, made when the app is pinned to one
 * (with credentials, `cdk synth` knows it; without, the stacks stay
 * environment-agnostic and `npm run preflight` makes the same checks).
 */
export function assertFitsRegion(config: ProjectConfig, region: string): void {
  const problems: string[] = [];
  const profile = profileRegionProblem(config.modelId, region);
  if (profile) problems.push(profile);
  const foreign = config.availabilityZones.filter((az) => !az.startsWith(region));
  if (foreign.length > 0) {
    problems.push(
      `availabilityZones: got ${show(foreign)} for region ${show(region)}, allowed: zones of ${region} (such as "${region}a")`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
