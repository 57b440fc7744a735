/**
 * The principals of the Customization stack and the resources they act on,
 * as a deployment in TEST_ENV would name them, for the least-privilege proofs
 * (least-privilege.spec.ts, operator-policy.spec.ts).
 */
import { synthesize, TEST_ENV } from '../support/build-app';
import { type Caller, type Decision, PolicyWorld } from '../support/iam-harness';
import { assignedId, generatedName } from '../support/physical-names';

// The same overrides as test/agent: one in-process build when both run in one worker.
export const { assembly, stacks } = synthesize({ agent: true, modelCustomization: true });
export const world = new PolicyWorld(assembly, TEST_ENV);
export const { region, account } = TEST_ENV;
function customizationStack() {
  if (!stacks.customization) throw new Error('the customization configuration has a Customization stack');
  return stacks.customization;
}
export const customization = customizationStack();
export const { approval, jobRole } = customization;

export const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
export const keyArn = world.arnOf(stacks.dataProtection.key);
export const guardrailKeyArn = world.arnOf(stacks.guardedInvoke.guardrailKey.key);
export const trainingGuardrailArn = world.valueOf(approval.guardrail.guardrailArn, approval.guardrail);
const projectGuardrail = stacks.guardedInvoke.guardrail;
export const projectGuardrailArn = world.valueOf(projectGuardrail.guardrailArn, projectGuardrail);
export const approvalFunctionArn = world.arnOf(approval.function);
export const jobRoleArn = world.arnOf(jobRole.role);

export const approver: Caller = { role: approval.role };
export const job: Caller = { role: jobRole.role };
export const operator: Caller = {
  arn: `arn:aws:iam::${account}:role/ModelCustomizer`,
  identityPolicies: [world.policyDocumentOf(customization.operatorPolicy)],
};

export const OTHER_ACCOUNT = '222222222222';
export const object = (key: string) => `${bucketArn}/${key}`;
export const intake = object('training/intake/support-faq/train.jsonl');
export const approved = object('training/approved/support-faq/train.jsonl');
export const manifest = object('training/approved/support-faq/manifest.json');
export const output = object('training/output/abcdefghijkl/step_wise_training_metrics.csv');
export const comparison = object(`evaluations/comparisons/${'a'.repeat(64)}.json`);
export const otherBucket = `arn:aws:s3:::${generatedName('Reports', 'ReportBucket3C4D5E6F', 'AWS::S3::Bucket')}`;
/** A customization job of the shape Bedrock gives it: `model-customization-job/<base model>/<12 characters>`. */
export const jobArn = (inAccount: string = account, inRegion: string = region) =>
  `arn:aws:bedrock:${inRegion}:${inAccount}:model-customization-job/amazon.nova-micro-v1:0:128k/abcdefghijkl`;
export const baseModel = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0:128k`;
export const otherGuardrail = `arn:aws:bedrock:${region}:${account}:guardrail/${assignedId('guardrail', 'someone-else')}`;
export const sseKms = {
  's3:x-amz-server-side-encryption': 'aws:kms',
  's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn,
};

export const decide = (caller: Caller, action: string, resource: string, context: Record<string, string> = {}) =>
  world.decide({ caller, action, resource, context });
export async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}
export const throughS3 = (caller: Caller, action: string, source: string) =>
  world.serviceRequest('s3-uses-key-for-caller', { caller, action, resource: keyArn, source });
export const throughBedrock = (caller: Caller, action: string) =>
  world.serviceRequest('bedrock-uses-key-for-caller-custom-model', { caller, action, resource: keyArn });
export const grantThroughBedrock = (caller: Caller) =>
  world.serviceRequest('bedrock-creates-grant-for-caller-custom-model', {
    caller,
    action: 'kms:CreateGrant',
    resource: keyArn,
  });
