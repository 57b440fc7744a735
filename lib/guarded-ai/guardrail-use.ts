import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What a principal needs to use an encrypted guardrail: ApplyGuardrail on it
 * (also how Converse and agents are authorised to apply it), and the plain
 * kms:Decrypt on its key that AWS documents for guardrail users, with no
 * kms:ViaService value or encryption context to narrow it. The key encrypts
 * the guardrail alone, so that Decrypt opens nothing else.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html
 *
 * `applySid` names the first statement as each policy has always named it.
 */
export function guardrailUseStatements(
  guardrailArn: string,
  guardrailKeyArn: string,
  applySid = 'ApplyTheGuardrail',
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: applySid, actions: ['bedrock:ApplyGuardrail'], resources: [guardrailArn] }),
    new iam.PolicyStatement({
      sid: 'ReadTheEncryptedGuardrail',
      actions: ['kms:Decrypt'],
      resources: [guardrailKeyArn],
    }),
  ];
}
