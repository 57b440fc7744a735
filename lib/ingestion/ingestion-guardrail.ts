import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { PublishedGuardrail, sensitiveInformationPolicy } from '../guarded-ai/guardrail';
import { ingestionGuardrailName } from '../shared/names';

/**
 * The guardrail documents are screened with before they are indexed: the
 * project guardrail's sensitive-information policy and nothing else.
 *
 * Notes, security chapter: what a knowledge base indexes can come back out in
 * an answer, so it is checked as an answer would be, for personal data and
 * secrets. The other policies of the project guardrail have no say here:
 * content filters, denied topics and words screen the answer built from a
 * document at question time, and contextual grounding needs a grounding
 * source and a query that a document does not have (AWS describes the check
 * as needing "3 components: grounding source, query and content to guard",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-contextual-grounding-check.html).
 * With those policies absent, nothing but the sensitive-information policy
 * can act on a document or be billed for it.
 *
 * In this stack, next to its only user: a policy change publishes a new
 * version, and the function learns it in the same deployment. It is
 * encrypted with the guardrail key of the guarded-invoke stack, which
 * encrypts guardrails alone, so the plain kms:Decrypt every guardrail user
 * needs opens nothing else.
 */
export function ingestionGuardrail(
  scope: Construct,
  guardrailKeyArn: string,
  description = 'Screens documents for the knowledge base: the sensitive-information policy alone.',
): PublishedGuardrail {
  return new PublishedGuardrail(scope, 'Guardrail', {
    name: ingestionGuardrailName(Stack.of(scope).stackName),
    description,
    encryptionKey: kms.Key.fromKeyArn(scope, 'GuardrailKey', guardrailKeyArn),
    policy: { sensitiveInformationPolicyConfig: sensitiveInformationPolicy() },
  });
}
