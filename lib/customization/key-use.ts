import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The key-policy statement AWS asks for when a Nova custom model is encrypted
 * with a customer key: Bedrock itself, as a service principal, decrypts and
 * generates data keys while it optimises the model for inference, only for
 * requests whose encryption context names a custom model. "The
 * PermissionsNovaProvisionedThroughput statement should be added by default to
 * the key policy with bedrock.amazonaws.com as an allowed service principal
 * with a condition that kms:EncryptionContextKeys are used"
 * (https://docs.aws.amazon.com/nova/latest/userguide/customize-fine-tune-encrypt.html).
 *
 * The condition is the one that page shows, and no other: AWS shows Bedrock
 * sending that key on this path, and no page shows it sending
 * aws:SourceAccount or aws:SourceArn here, so neither is added (an
 * undocumented key on a service principal can silently deny the service).
 * The page ties it to provisioned throughput; whether an on-demand deployment
 * needs it too is not said, and having it makes the path work either way
 * (the assumptions register, `nova-custom-model-key`).
 */
export function customModelKeyStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'BedrockOptimisesNovaCustomModels',
    principals: [new iam.ServicePrincipal('bedrock.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'aws:bedrock:custom-model' } },
  });
}
