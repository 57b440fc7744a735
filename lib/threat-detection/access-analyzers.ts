import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import { Construct } from 'constructs';

export interface AccessAnalyzersProps {
  /** Create the external-access analyzer. */
  readonly externalAccess: boolean;
  /**
   * Create the unused-access analyzer, reporting access unused for this many days.
   * @default - no unused-access analyzer
   */
  readonly unusedAccessAgeDays?: number;
}

/**
 * IAM Access Analyzer (notes, security chapter: least privilege is checked,
 * not assumed).
 *
 * - External access: reports any resource policy (bucket, key, role trust,
 *   topic) that lets someone outside the account in. Free.
 * - Unused access: reports roles, keys and permissions nobody has used for
 *   a while, so privileges shrink to what is really needed. Paid per role and
 *   user analysed each month.
 *
 * Analyzer names are left to CloudFormation so that a second copy of the
 * project never collides with the first.
 */
export class AccessAnalyzers extends Construct {
  public readonly externalAccess?: accessanalyzer.CfnAnalyzer;
  public readonly unusedAccess?: accessanalyzer.CfnAnalyzer;

  constructor(scope: Construct, id: string, props: AccessAnalyzersProps) {
    super(scope, id);
    if (props.externalAccess) {
      this.externalAccess = new accessanalyzer.CfnAnalyzer(this, 'ExternalAccess', { type: 'ACCOUNT' });
    }
    if (props.unusedAccessAgeDays !== undefined) {
      this.unusedAccess = new accessanalyzer.CfnAnalyzer(this, 'UnusedAccess', {
        type: 'ACCOUNT_UNUSED_ACCESS',
        analyzerConfiguration: { unusedAccessConfiguration: { unusedAccessAge: props.unusedAccessAgeDays } },
      });
    }
  }
}
