import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  type NagPack,
  type NagPackProps,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ControlTowerControls } from './control-tower';

export { ControlTowerControls };

/**
 * Context key that makes CDK fail synthesis on any validation WARNING, not only on
 * errors. The built-in "CloudFormation Validate" plugin checks every template
 * against the CloudFormation resource schemas offline, but reports a bad property
 * value (a misspelt enum, an out-of-range number) as a warning: such a template
 * synthesizes and then fails at deploy time. With this key a warning from any
 * plugin stops `cdk synth` (and makes `app.synth()` throw under jest), so
 * "zero unacknowledged findings" holds for warnings too.
 */
export const STRICT_VALIDATION_CONTEXT_KEY = '@aws-cdk/core:strictCfnValidateErrors';

/** A cdk-nag rule pack class, as the gate instantiates it. */
export type PackClass = new (scope: IConstruct, props?: NagPackProps) => NagPack;

/** The five packs, in the order their findings are reported. */
export const PACKS: readonly PackClass[] = [
  AwsSolutionsChecks,
  NIST80053R5Checks,
  HIPAASecurityChecks,
  PCIDSS321Checks,
  ServerlessChecks,
];

export interface ComplianceGateOptions {
  /**
   * Wrap each pack class before it is instantiated: how `npm run compliance`
   * counts the rules that applied, without the gate carrying that code.
   * @default - the packs as they are
   */
  readonly wrapPack?: (Pack: PackClass) => PackClass;
}

/** The plugins the gate registered: the five packs and the Control Tower controls. */
export interface ComplianceGate {
  readonly packs: readonly NagPack[];
  readonly controlTower: ControlTowerControls;
}

/**
 * Put every stack of `app` behind the compliance gate: the five cdk-nag packs, the
 * Control Tower proactive controls (run offline by cfn-guard), and schema
 * validation with warnings treated as failures.
 *
 * A finding is only ever silenced next to the resource it covers, with
 * `Validations.of(construct).acknowledge({ id, reason })`.
 *
 * Call it right after creating the App and before adding stacks: CDK only lets
 * context be set on a construct that has no children yet, which also guarantees
 * that no stack escapes the gate.
 */
export function attachComplianceGate(app: App, options: ComplianceGateOptions = {}): ComplianceGate {
  app.node.setContext(STRICT_VALIDATION_CONTEXT_KEY, true);
  const packs = PACKS.map((Pack) => new (options.wrapPack?.(Pack) ?? Pack)(app, { verbose: true }));
  // Control Tower proactive controls: the same Guard rules Control Tower applies
  // as CloudFormation hooks, checked here before anything reaches an account.
  const controlTower = new ControlTowerControls();
  Validations.of(app).addPlugins(...packs, controlTower);
  return { packs, controlTower };
}
