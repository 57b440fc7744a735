import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { accountServiceRemoval } from './account-service-removal';

/**
 * AWS Security Hub: one place for the findings of GuardDuty, Macie and Access
 * Analyzer, scored against a standard (notes, security chapter: centralise
 * findings and check the account against best practices).
 *
 * Enabled without the default standards, so the account pays only for the
 * checks chosen here: the AWS Foundational Security Best Practices standard,
 * added explicitly. Controls report one consolidated finding each.
 */
export class SecurityHubBaseline extends Construct {
  public readonly hub: securityhub.CfnHub;
  public readonly standard: securityhub.CfnStandard;

  /**
   * @param removalPolicy whether the hub (and its findings) survives the
   * deletion of the stack; RETAIN unless the sandbox is throwaway.
   */
  constructor(scope: Construct, id: string, removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN) {
    super(scope, id);
    const stack = Stack.of(this);
    this.hub = new securityhub.CfnHub(this, 'Hub', {
      enableDefaultStandards: false,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
    });
    this.standard = new securityhub.CfnStandard(this, 'FoundationalBestPractices', {
      standardsArn: `arn:${stack.partition}:securityhub:${stack.region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
    });
    this.standard.node.addDependency(this.hub);
    this.hub.applyRemovalPolicy(accountServiceRemoval(removalPolicy));
    this.standard.applyRemovalPolicy(accountServiceRemoval(removalPolicy));
  }
}
