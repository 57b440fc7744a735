/**
 * The guardrail's vocabulary, shared by the stack (its blocked messages), the
 * invoke function (which policy categories acted) and the red-team script
 * (classifying ApplyGuardrail answers). Pure: no SDK calls, types only.
 */
import type { ApplyGuardrailResponse, GuardrailAssessment } from '@aws-sdk/client-bedrock-runtime';

/**
 * What the user sees when the guardrail refuses the prompt or withholds the
 * answer. Tell the user what happened, never which rule matched: naming the
 * policy would teach an attacker how to get around it.
 */
export const BLOCKED_INPUT_MESSAGE =
  "Your request was blocked by this service's safety policy. Please rephrase it without harmful, sensitive or out-of-scope content.";
export const BLOCKED_OUTPUT_MESSAGE =
  "The answer was withheld by this service's safety policy. Please try a different question.";

/** The policy categories the function reports in `guardrail.policies`. */
export const POLICY_CATEGORIES = [
  'prompt-attack',
  'content-filter',
  'denied-topic',
  'word-filter',
  'sensitive-information',
  'contextual-grounding',
  'automated-reasoning',
] as const;
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number];

/** An assessment's policy fields, by the category name we report. */
export const POLICY_NAMES: Record<string, PolicyCategory> = {
  topicPolicy: 'denied-topic',
  wordPolicy: 'word-filter',
  sensitiveInformationPolicy: 'sensitive-information',
  contextualGroundingPolicy: 'contextual-grounding',
  automatedReasoningPolicy: 'automated-reasoning',
};

type Item = { action?: string; detected?: boolean };

/** Every item of an assessment that carries an action, with the category it belongs to. */
function actions(assessment: GuardrailAssessment): { category: PolicyCategory; action: string }[] {
  const filters = assessment.contentPolicy?.filters ?? [];
  const sensitive = assessment.sensitiveInformationPolicy;
  const groups: [PolicyCategory, Item[]][] = [
    ['prompt-attack', filters.filter((f) => f.type === 'PROMPT_ATTACK')],
    ['content-filter', filters.filter((f) => f.type !== 'PROMPT_ATTACK')],
    [POLICY_NAMES.topicPolicy, assessment.topicPolicy?.topics ?? []],
    [
      POLICY_NAMES.wordPolicy,
      [...(assessment.wordPolicy?.customWords ?? []), ...(assessment.wordPolicy?.managedWordLists ?? [])],
    ],
    [POLICY_NAMES.sensitiveInformationPolicy, [...(sensitive?.piiEntities ?? []), ...(sensitive?.regexes ?? [])]],
    [POLICY_NAMES.contextualGroundingPolicy, assessment.contextualGroundingPolicy?.filters ?? []],
  ];
  return groups.flatMap(([category, items]) =>
    items
      .filter((i) => i.action !== undefined && i.action !== 'NONE')
      .map((i) => ({ category, action: i.action as string })),
  );
}

/** Policy categories that acted in one assessment (detections without action are not reported). */
export function firedIn(assessment: GuardrailAssessment): PolicyCategory[] {
  return [...new Set(actions(assessment).map((a) => a.category))];
}

export type GuardrailVerdict = 'blocked' | 'masked' | 'answered';

export interface Classified {
  readonly outcome: GuardrailVerdict;
  /** Categories that acted, sorted. */
  readonly policies: PolicyCategory[];
}

/**
 * What an ApplyGuardrail answer means for the user: blocked when any assessed
 * item was BLOCKED, masked when the only actions were ANONYMIZED (the text is
 * delivered with placeholders), answered when the guardrail did nothing.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
 */
export function classifyApplyGuardrail(response: Pick<ApplyGuardrailResponse, 'action' | 'assessments'>): Classified {
  const acted = (response.assessments ?? []).flatMap(actions);
  const policies = [...new Set(acted.map((a) => a.category))].sort();
  if (acted.some((a) => a.action === 'BLOCKED')) return { outcome: 'blocked', policies };
  if (acted.length > 0) return { outcome: 'masked', policies };
  // Intervened without an item we know (a policy type newer than this code): count it as a refusal.
  return { outcome: response.action === 'GUARDRAIL_INTERVENED' ? 'blocked' : 'answered', policies };
}
