import { App, Environment, Token } from 'aws-cdk-lib';
import { attachComplianceGate, type ComplianceGate, type ComplianceGateOptions } from './compliance/gate';
import { assertFitsRegion, parseConfig, ProjectConfig } from './config';
import { DataProtectionStack } from './data-protection/data-protection-stack';
import { GuardedInvokeStack } from './guarded-ai/guarded-invoke-stack';
import { ThreatDetectionStack } from './threat-detection/threat-detection-stack';
import { stackNames } from './shared/names';
import { dataProtectionProps, guardedInvokeProps, threatDetectionProps } from './stack-props';

export interface ProjectAppProps {
  /**
   * Context for the App. `bin/` leaves it unset, so the CLI's context (cdk.json
   * and `-c`) is used; tests pass cdk.json's context plus their overrides.
   * @default - the context the CDK CLI supplies
   */
  readonly context?: Record<string, unknown>;
  /**
   * Account and region to deploy to.
   * @default - environment-agnostic stacks
   */
  readonly env?: Environment;
  /** @default - the CLI's output directory, or a temporary one */
  readonly outdir?: string;
  /**
   * Put the app behind the compliance gate. `bin/` always does;
   * tools/build-app.ts leaves it off for ordinary test syntheses, `npm run cost`
   * and the bench (the gate matrix proves every configuration the tests use).
   * @default true
   */
  readonly complianceGate?: boolean | ComplianceGateOptions;
}

export interface ProjectApp {
  readonly app: App;
  /** The compliance plugins, unless the gate was turned off. */
  readonly gate?: ComplianceGate;
  readonly config: ProjectConfig;
  readonly stacks: {
    readonly dataProtection: DataProtectionStack;
    readonly guardedInvoke: GuardedInvokeStack;
    readonly threatDetection: ThreatDetectionStack;
  };
}

/**
 * Build the whole app: validated configuration, every stack, the compliance gate.
 *
 * The single recipe shared by `bin/app.ts` and tools/build-app.ts (tests,
 * scripts, bench), so that what the tests check is exactly what `cdk synth` produces.
 */
export function createProjectApp(props: ProjectAppProps = {}): ProjectApp {
  const app = new App({ context: props.context, outdir: props.outdir });
  const gateOption = props.complianceGate ?? true;
  const gate = gateOption ? attachComplianceGate(app, gateOption === true ? {} : gateOption) : undefined;
  const config = parseConfig(app.node.getAllContext());
  const env = props.env;
  if (env?.region && !Token.isUnresolved(env.region)) assertFitsRegion(config, env.region);

  const names = stackNames(config.appName);

  const dataProtection = new DataProtectionStack(app, names.dataProtection, {
    env,
    description: 'KMS key and encrypted, access-logged S3 buckets for the guarded generative AI reference (stateful).',
    ...dataProtectionProps(config),
  });
  const guardedInvoke = new GuardedInvokeStack(app, names.guardedInvoke, {
    env,
    description: 'Bedrock guardrail and the streaming invoke function behind it (stateless).',
    ...guardedInvokeProps(config),
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket,
    vpc: dataProtection.network?.vpc,
  });
  const threatDetection = new ThreatDetectionStack(app, names.threatDetection, {
    env,
    description:
      'GuardDuty, Malware Protection for S3, Macie, IAM Access Analyzer, CloudTrail and Security Hub around the data, with alerts that reach a person (account-level services).',
    ...threatDetectionProps(config),
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket,
  });
  return { app, gate, config, stacks: { dataProtection, guardedInvoke, threatDetection } };
}
