import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { grantsOnlyForAwsResources, projectKmsKey } from '../data-protection/project-key';

export interface GuardrailKeyProps {
  /**
   * Whether the key survives the deletion of its stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The key that encrypts the project guardrail, and nothing else.
 *
 * Every user of a guardrail encrypted with a customer managed key needs a
 * plain kms:Decrypt on that key, which AWS documents with no kms:ViaService
 * value or encryption context to narrow it
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html).
 * With the account-wide enforced guardrail that is every Bedrock caller of the
 * account; on the project key it would let each of them decrypt whatever
 * project data it can fetch by other means. On a key of its own, that Decrypt
 * opens the guardrail's configuration only.
 *
 * The key policy is CDK's default (the account root, delegating to IAM):
 * Bedrock uses the key with the caller's own credentials, so, like the project
 * key (lib/data-protection/project-key.ts), it needs no service statement.
 * The only addition is the project key's rule on grants (Control Tower
 * CT.KMS.PR.3): Bedrock creates its grants for an AWS resource, a person
 * creates none.
 */
export class GuardrailKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: GuardrailKeyProps = {}) {
    super(scope, id);
    this.key = projectKmsKey(this, 'Key', {
      description: `Encrypts only the guardrail of ${Stack.of(this).stackName}: every Bedrock caller of the account may be given kms:Decrypt on it`,
      removalPolicy: props.removalPolicy,
    });

    this.key.addToResourcePolicy(grantsOnlyForAwsResources());
  }
}
