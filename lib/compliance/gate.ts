import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

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

/** The rule packs the gate runs, by the name each reports under. */
export const COMPLIANCE_PACKS = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
  'Serverless',
  'cfn-guard (Control Tower proactive controls)',
] as const;

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
export function attachComplianceGate(app: App): void {
  app.node.setContext(STRICT_VALIDATION_CONTEXT_KEY, true);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new NIST80053R5Checks(app, { verbose: true }),
    new HIPAASecurityChecks(app, { verbose: true }),
    new PCIDSS321Checks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
    // Control Tower proactive controls: the same Guard rules Control Tower applies
    // as CloudFormation hooks, checked here before anything reaches an account.
    new CfnGuardValidator({ controlTowerRulesEnabled: true }),
  );
}
