import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { InvokeFunctionProps } from './invoke-function';
import { lambdaVpcAccessStatement } from '../network/lambda-vpc-access';
import { guardrailUseStatements } from './guardrail-use';
import { logAndTraceStatements } from '../compliance/function-permissions';
import { modelArns } from './model';

/** The function's permissions, and the reason for each wildcard resource among them. */
export function invokePermissions(
  stack: Stack,
  props: InvokeFunctionProps,
  logGroupArn: string,
  auditPrefix: string,
): { statements: iam.PolicyStatement[]; wildcards: [string, string][] } {
  const wildcards: [string, string][] = [
    [
      '*',
      props.vpc
        ? 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type; the network-interface actions are granted on "*" as the Lambda guide requires (a scoped DeleteNetworkInterface can cut the function off its VPC).'
        : 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type: the API accepts only "*".',
    ],
  ];
  const { profileArn, foundationModelArns, customModelArns } = modelArns(stack, props.model);
  const withThisGuardrail = { 'bedrock:GuardrailIdentifier': props.guardrail.guardrailIdentifierForVersion };
  const statements = [
    // Converse/ConverseStream are authorised as InvokeModel/InvokeModelWithResponseStream.
    // Only the configured model, and only with our guardrail's published version.
    new iam.PolicyStatement({
      sid: 'InvokeTheModelWithTheGuardrail',
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: profileArn ? [profileArn] : [...foundationModelArns, ...(customModelArns ?? [])],
      conditions: { StringEquals: withThisGuardrail },
    }),
    // Using a guardrail in Converse is authorised as ApplyGuardrail on it;
    // the project key stays usable only through S3, for the audit records.
    ...guardrailUseStatements(props.guardrail.guardrailArn, props.guardrail.encryptionKey.keyArn),
    // The log group's Arn attribute ends in ":*", which covers its own log
    // streams (Lambda names them) and nothing outside the group.
    ...logAndTraceStatements(logGroupArn).statements,
  ];
  if (profileArn) {
    // Behind an inference profile, the request reaches the foundation model
    // in one of the profile's regions: allowed only through this profile.
    statements.splice(
      1,
      0,
      new iam.PolicyStatement({
        sid: 'InvokeTheModelThroughTheProfile',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: foundationModelArns,
        conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn, ...withThisGuardrail } },
      }),
    );
    wildcards.push([
      foundationModelArns[0],
      'An inference profile routes to this one foundation model in any region of its geography (a list that changes over time); the bedrock:InferenceProfileArn condition allows it only through our profile.',
    ]);
  }
  if (customModelArns) {
    // An approved custom model is encrypted with the project key. The Bedrock
    // page shows its callers kms:Decrypt and the Nova page kms:Decrypt and
    // kms:GenerateDataKey ("PermissionsModelInvocation"), each limited to
    // Bedrock with kms:ViaService; both, so the call works either way
    // (https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html,
    // https://docs.aws.amazon.com/nova/latest/userguide/customize-fine-tune-encrypt.html).
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadTheEncryptedCustomModelThroughBedrock',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `bedrock.${stack.region}.amazonaws.com` } },
      }),
    );
  }
  if (props.vpc) {
    statements.push(lambdaVpcAccessStatement());
  }
  if (props.knowledgeBase) {
    // Retrieval from the one knowledge base of this app: Bedrock queries the
    // vector index and decrypts with the knowledge base's own role, so the
    // function needs neither S3 Vectors nor the key for it.
    statements.push(
      new iam.PolicyStatement({
        sid: 'RetrieveFromTheKnowledgeBase',
        actions: ['bedrock:Retrieve'],
        resources: [props.knowledgeBase.arn],
      }),
    );
  }
  if (props.auditBucket) {
    statements.push(...props.auditBucket.prefixWriteStatements(auditPrefix));
    wildcards.push([
      props.auditBucket.bucket.arnForObjects(`${auditPrefix}*`),
      'The wildcard is the object-key suffix under the one audit prefix the function may write; it cannot read, list or write elsewhere.',
    ]);
  }
  return { statements, wildcards };
}
