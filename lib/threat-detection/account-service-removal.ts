import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The removal policy of an account-level service this stack turns on (the
 * GuardDuty detector, the Macie session, the Security Hub hub): one per
 * account and region, and holding the account's findings.
 *
 * "Retain" becomes "retain except on create": kept when the stack is updated
 * or deleted, but removed when the stack's first creation fails and rolls
 * back. A service retained by a failed first deployment would otherwise make
 * the retry fail ("already exists") in exactly the sandbox the project is for.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 */
export function accountServiceRemoval(removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN): RemovalPolicy {
  return removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : removalPolicy;
}
