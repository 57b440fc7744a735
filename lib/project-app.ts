import { App, Environment, Token } from 'aws-cdk-lib';
import { attachComplianceGate, type ComplianceGate } from './compliance/gate';
import { assertFitsRegion, parseConfig, ProjectConfig } from './config';
import { DataProtectionStack } from './data-protection/data-protection-stack';
import { GuardedInvokeStack } from './guarded-ai/guarded-invoke-stack';
import { ThreatDetectionStack } from './threat-detection/threat-detection-stack';
import { threatDetectionStackName } from './threat-detection/names';

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
   * Put the app behind the compliance gate. Only the benchmark turns it off, to
   * measure what the gate costs; `bin/` never does.
   * @default true
   */
  readonly complianceGate?: boolean;
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
 * The single recipe shared by `bin/app.ts` and the tests, so that what the tests
 * check is exactly what `cdk synth` produces.
 */
export function createProjectApp(props: ProjectAppProps = {}): ProjectApp {
  const app = new App({ context: props.context, outdir: props.outdir });
  const gate = (props.complianceGate ?? true) ? attachComplianceGate(app) : undefined;
  const config = parseConfig(app.node.getAllContext());
  const env = props.env;
  if (env?.region && !Token.isUnresolved(env.region)) assertFitsRegion(config, env.region);

  const dataProtection = new DataProtectionStack(app, `${config.appName}-DataProtection`, {
    env,
    description: 'KMS key and encrypted, access-logged S3 buckets for the guarded generative AI reference (stateful).',
    config,
  });
  const guardedInvoke = new GuardedInvokeStack(app, `${config.appName}-GuardedInvoke`, {
    env,
    description: 'Bedrock guardrail and the streaming invoke function behind it (stateless).',
    config,
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket,
    vpc: dataProtection.network?.vpc,
  });
  const threatDetection = new ThreatDetectionStack(app, threatDetectionStackName(config.appName), {
    env,
    description:
      'GuardDuty, Malware Protection for S3, Macie, IAM Access Analyzer, CloudTrail and Security Hub around the data, with alerts that reach a person (account-level services).',
    config,
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket,
  });
  return { app, gate, config, stacks: { dataProtection, guardedInvoke, threatDetection } };
}
