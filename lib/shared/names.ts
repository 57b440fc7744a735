import { Stack } from 'aws-cdk-lib';

/**
 * Names the stacks agree on, in one module that depends on none of them.
 *
 * The project key lives in the data-protection stack and the resources that
 * use it (trail, alert topic, findings export) in the threat-detection stack,
 * which depends on it. The key policy cannot refer to those resources without
 * a dependency cycle, so it names them by what is known before deployment: the
 * stack name, and names derived from it.
 */

/** The stacks of an app called `appName`. */
export function stackNames(appName: string) {
  return {
    dataProtection: `${appName}-DataProtection`,
    guardedInvoke: `${appName}-GuardedInvoke`,
    threatDetection: `${appName}-ThreatDetection`,
    knowledge: `${appName}-Knowledge`,
    ingestion: `${appName}-Ingestion`,
    operations: `${appName}-Operations`,
    governance: `${appName}-Governance`,
    agent: `${appName}-Agent`,
    customization: `${appName}-Customization`,
  } as const;
}

export function threatDetectionStackName(appName: string): string {
  return stackNames(appName).threatDetection;
}

/**
 * The trail's name: derived from its stack's name (so two copies of the
 * project never collide) and fixed, so that the key policy, the bucket policy
 * and the trail's log-delivery role can each name exactly this trail.
 */
export function trailName(threatDetectionStack: string): string {
  return `${threatDetectionStack}-audit-trail`;
}

/**
 * The alert topic's name. Fixed (rather than generated) because the key
 * policy must name it: SNS sets the topic ARN as the encryption context of
 * every KMS request it makes for the topic.
 */
export function alertTopicName(threatDetectionStack: string): string {
  return `${threatDetectionStack}-alerts`;
}

/** The dead-letter queue of the alert rules, named for the same reason (SQS's context is the queue ARN). */
export function alertDeadLetterQueueName(threatDetectionStack: string): string {
  return `${threatDetectionStack}-alert-dead-letters`;
}

/** Longest name EventBridge accepts for a rule. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html */
export const RULE_NAME_MAX_LENGTH = 64;

/**
 * An alert rule's name: `<stack>-<id>`. Given explicitly because a generated
 * name cuts the stack name short, and nothing that must recognise our rules
 * (the alarms, `npm run verify`) could then rely on it.
 */
export function alertRuleName(threatDetectionStack: string, id: string): string {
  const name = `${threatDetectionStack}-${id}`;
  if (name.length > RULE_NAME_MAX_LENGTH) {
    throw new Error(
      `alert rule name ${name} has ${name.length} characters, allowed: at most ${RULE_NAME_MAX_LENGTH} (shorten the rule id "${id}")`,
    );
  }
  return name;
}

/** What EventBridge allows in a rule name. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html */
export const RULE_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;

/** The ARN of a resource of `service` in the account and region of `scope`'s stack. */
export function arnInAccount(scope: Stack, service: string, resource: string): string {
  return `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
}

/**
 * The queue between the scan results and the promotion function, and its
 * dead-letter queue: named for the key policy (SQS's encryption context is the
 * queue ARN) and so that `npm run verify` can find them.
 */
export function promotionQueueName(ingestionStack: string): string {
  return `${ingestionStack}-promotions`;
}

export function promotionDeadLetterQueueName(ingestionStack: string): string {
  return `${ingestionStack}-promotion-dead-letters`;
}

/**
 * The promotion function's role: the only principal the data bucket lets
 * write under knowledge/, so the bucket policy (another stack, deployed
 * first) must know its ARN in advance.
 */
export function promotionRoleName(ingestionStack: string): string {
  return `${ingestionStack}-promoter`;
}

/**
 * Alarms of this app are named `<stack>-<id>`, so that the alert topic (in the
 * threat-detection stack, deployed before the stacks that own the alarms) can
 * let exactly the app's alarms publish.
 */
export function alarmName(stackName: string, id: string): string {
  return `${stackName}-${id}`;
}

/** Every alarm whose name starts with `prefix`, in the account and region of `scope`. */
export function alarmArnPattern(scope: Stack, prefix: string): string {
  return arnInAccount(scope, 'cloudwatch', `alarm:${prefix}*`);
}

/**
 * The model-evaluation service role: the only principal the data bucket lets
 * write under evaluations/results/, so the bucket policy (deployed first) must
 * know its ARN in advance.
 */
export function evaluationRoleName(governanceStack: string): string {
  return `${governanceStack}-evaluation`;
}

/**
 * The model card's name: SageMaker requires one (CloudFormation cannot
 * generate it), unique per account and region, so derived from the stack.
 */
export function modelCardName(governanceStack: string): string {
  return `${governanceStack}-model-card`;
}

/**
 * The project guardrail's name (unique per account and region, so derived from
 * its stack), by which `npm run preflight` recognises this app's own
 * account-wide enforcement.
 */
export function guardrailName(guardedInvokeStack: string): string {
  return `${guardedInvokeStack}-guardrail`;
}

/**
 * The ingestion guardrail's name (unique per account and region, so derived
 * from its stack): the sensitive-information policy alone, for documents.
 */
export function ingestionGuardrailName(ingestionStack: string): string {
  return `${ingestionStack}-guardrail`;
}

/**
 * The rule that sends the data bucket's Malware Protection scan results to
 * the promotion queue. Named, so that another stack (the operations alarms,
 * `npm run verify`) can watch its AWS/Events metrics (FailedInvocations,
 * InvocationsFailedToBeSentToDlq) by name, without importing the ingestion
 * stack. With the longest appName (25 characters) it has 48 characters.
 */
export function scanResultRuleName(ingestionStack: string): string {
  const name = `${ingestionStack}-scan-results`;
  if (name.length > RULE_NAME_MAX_LENGTH || !RULE_NAME_PATTERN.test(name)) {
    throw new Error(
      `scan-result rule name ${name} is not a valid EventBridge rule name: allowed are at most ${RULE_NAME_MAX_LENGTH} characters of [.-_A-Za-z0-9]`,
    );
  }
  return name;
}

/**
 * The guarded agent's name: unique per account and region, so derived from
 * its stack. Bedrock allows letters, digits and single `-` or `_` between
 * them, which a stack name of this app always is.
 */
export function agentName(agentStack: string): string {
  return `${agentStack}-plan-assistant`;
}

/**
 * The SSM parameter in which the GuardedInvoke stack publishes its
 * guardrail's version for the agent stack. Read when the agent stack is
 * deployed rather than imported (an export in use could never change, and a
 * new guardrail policy publishes a new version); the policy's digest is in
 * the name, so a new policy changes the agent's template and CloudFormation
 * reads the new value.
 */
export function guardrailVersionParameter(guardedInvokeStack: string, policyDigest: string): string {
  return `/${guardedInvokeStack}/guardrail-${policyDigest.slice(0, 16)}/version`;
}

/**
 * The training-data approval function's role: the only principal the data
 * bucket lets write under training/approved/, so the bucket policy (deployed
 * first) must know its ARN in advance.
 */
export function trainingApprovalRoleName(customizationStack: string): string {
  return `${customizationStack}-training-approver`;
}

/**
 * The role Bedrock's customization jobs work as: the only principal the data
 * bucket lets write under training/output/ (named for the same reason).
 */
export function customizationJobRoleName(customizationStack: string): string {
  return `${customizationStack}-customization-job`;
}

/**
 * The SageMaker model card of an approved custom model: one per approval,
 * named after the comparison it records (its first 8 hexadecimal characters).
 * Cards are retained, so a fixed name would collide with the card an earlier
 * approval left; a new approval makes a new card and keeps the old one as the
 * record of what was approved before. With the longest appName, 61 characters.
 */
export function customModelCardName(customizationStack: string, comparisonSha256: string): string {
  return `${customizationStack}-custom-model-${comparisonSha256.slice(0, 8)}`;
}

/**
 * GuardDuty Malware Protection's role for the data bucket: the only principal
 * the bucket lets set the scan-result tag that promotion and training-data
 * approval trust, so the bucket policy (deployed first) must know its ARN.
 */
export function malwareProtectionRoleName(threatDetectionStack: string): string {
  return `${threatDetectionStack}-malware-protection`;
}
