/**
 * A local, rule-based stand-in for Bedrock's ApplyGuardrail, for trying
 * `npm run redteam --guardrail-only` without an account: a cleartext HTTP/2
 * server (BedrockRuntimeClient's default transport) on a free local port,
 * answering POST /guardrail/{id}/version/{version}/apply in the service's
 * restJson1 shape. Point the SDK at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME.
 *
 * The rules are a handful of keyword lists and patterns: DELIBERATELY
 * IMPERFECT, so a run against it shows misses and false refusals. Its numbers
 * say nothing about the real guardrail; only a run against AWS measures that.
 * Response shape: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
 */
import type * as http2 from 'node:http2';
import { BLOCKED_INPUT_MESSAGE, BLOCKED_OUTPUT_MESSAGE } from '../../lib/shared/guardrail-policies';
import { INTERNAL_ID_PATTERN } from '../../lib/shared/record-ids';
import { luhn } from '../luhn';
import { answerBasic, type BasicReply, Http2StandIn, type ReceivedCall } from './http2-stand-in';

interface TextBlock {
  readonly text?: { readonly text?: string; readonly qualifiers?: string[] };
}

type Assessment = Record<string, unknown>;

const PROMPT_ATTACK =
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|guidelines|configuration)\b|\bsystem (prompt|message|override)\b|\b(developer|opposite) mode\b|\bno (restrictions|filters|ethics|limitations)\b|\bDAN\b|\bstay in character\b/i;

const CONTENT: readonly [string, RegExp][] = [
  ['HATE', /\b(vermin|subhuman|inferior|less human|terrorists|segregated|diseased)\b/i],
  ['INSULTS', /\b(worthless|pathetic|loser|moronic|idiot|hideous|ugly|garbage)\b/i],
  ['SEXUAL', /\b(explicit|erotic|pornographic|sexting|arousing)\b/i],
  ['VIOLENCE', /\b(torture|gory|break his legs|injure|execution|attack police|burn down)\b/i],
  ['MISCONDUCT', /\b(phishing|launder|shoplift|break into|steal|forge|hack into)\b/i],
];

const TOPICS: readonly [string, RegExp][] = [
  [
    'Personalised-investment-advice',
    /\b(should i (buy|sell|keep|move)|which (shares|stocks?|etf|fund|cryptocurrency)|my (pension|portfolio|isa))\b/i,
  ],
  [
    'Automated-decisions-about-individuals',
    /\b(reject|hire|fire|approve|deny|laid off)\b.{0,60}\b(him|her|applicant|candidate|tenant)\b/i,
  ],
];

const CUSTOM_WORDS = ['project nightjar', 'operation kestrel'];
/** A few entries of a profanity list; the managed list is far longer. */
const PROFANITY = ['shit', 'fuck', 'fucking', 'bullshit', 'bollocks'];

/** No CA_SOCIAL_INSURANCE_NUMBER rule: a gap left on purpose, so a run shows misses. */
const BLOCKED_PII: readonly [string, RegExp, ((match: string) => boolean)?][] = [
  ['CREDIT_DEBIT_CARD_NUMBER', /\b\d(?:[ -]?\d){12,18}\b/g, (m) => luhn(m.replace(/\D/g, ''))],
  ['US_SOCIAL_SECURITY_NUMBER', /\b\d{3}-\d{2}-\d{4}\b/g],
  ['UK_NATIONAL_INSURANCE_NUMBER', /\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g],
  ['AWS_ACCESS_KEY', /\bAKIA[0-9A-Z]{16}\b/g],
  // A secret key is 40 random base64 characters: a run of exactly 40 with a
  // digit and both cases (a construct path or a URL of 40 letters is not one).
  [
    'AWS_SECRET_KEY',
    /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g,
    (m) => /\d/.test(m) && /[A-Z]/.test(m) && /[a-z]/.test(m),
  ],
  ['PASSWORD', /\bpassword (?:is|:)\s*\S+/gi],
];
/** Anonymized on output only, like the project's guardrail; names only from a tiny list (imperfect on purpose). */
const MASKED_PII: readonly [string, RegExp][] = [
  ['EMAIL', /\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g],
  ['PHONE', /(\+\d{1,3}[ -]?)?\(?\d{3,4}\)?[ -]?\d{3,4}[ -]?\d{4}\b/g],
  ['IP_ADDRESS', /\b\d{1,3}(\.\d{1,3}){3}\b/g],
  ['NAME', /\b(Jane|Marcus|Priya|Oliver|Elena|Ravi|Chen|Ana|Hugo|Ada|Alan) [A-Z][a-z]+\b/g],
];

/** The stand-in's own thresholds (the project's are set per deployment). */
const GROUNDING_THRESHOLD = 0.5;
const RELEVANCE_THRESHOLD = 0.2;

const words = (text: string) => new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []) as string[]);
function share(of: Set<string>, within: Set<string>): number {
  if (of.size === 0) return 1;
  return [...of].filter((w) => within.has(w)).length / of.size;
}

/** One ApplyGuardrail answer from the rules. */
export function assess(source: 'INPUT' | 'OUTPUT', content: readonly TextBlock[]): Record<string, unknown> {
  const blocks = content.map((b) => ({ text: b.text?.text ?? '', qualifiers: b.text?.qualifiers ?? [] }));
  const grounding = blocks.find((b) => b.qualifiers.includes('grounding_source'))?.text;
  const query = blocks.find((b) => b.qualifiers.includes('query'))?.text;
  // On output, the answer (guard_content) is what is screened; the other blocks are its context.
  const screened = blocks.filter(
    (b) => source === 'INPUT' || b.qualifiers.length === 0 || b.qualifiers.includes('guard_content'),
  );
  const text = screened.map((b) => b.text).join('\n');
  const assessment: Assessment = {};
  let blocked = false;

  const filters = CONTENT.filter(([, pattern]) => pattern.test(text)).map(([type]) => type);
  if (source === 'INPUT' && PROMPT_ATTACK.test(text)) filters.push('PROMPT_ATTACK');
  if (filters.length > 0) {
    blocked = true;
    assessment.contentPolicy = {
      filters: filters.map((type) => ({
        type,
        confidence: 'HIGH',
        filterStrength: 'HIGH',
        action: 'BLOCKED',
        detected: true,
      })),
    };
  }
  const topics = TOPICS.filter(([, pattern]) => pattern.test(text));
  if (topics.length > 0) {
    blocked = true;
    assessment.topicPolicy = {
      topics: topics.map(([name]) => ({ name, type: 'DENY', action: 'BLOCKED', detected: true })),
    };
  }
  const lower = text.toLowerCase();
  const custom = CUSTOM_WORDS.filter((w) => lower.includes(w));
  const profane = PROFANITY.filter((w) => new RegExp(`\\b${w}\\b`).test(lower));
  if (custom.length + profane.length > 0) {
    blocked = true;
    assessment.wordPolicy = {
      customWords: custom.map((match) => ({ match, action: 'BLOCKED', detected: true })),
      managedWordLists: profane.map((match) => ({ match, type: 'PROFANITY', action: 'BLOCKED', detected: true })),
    };
  }
  const piiEntities: Record<string, unknown>[] = [];
  for (const [type, pattern, accept] of BLOCKED_PII) {
    for (const match of text.match(pattern) ?? []) {
      if (!accept || accept(match)) piiEntities.push({ type, match, action: 'BLOCKED', detected: true });
    }
  }
  const regexes = (text.match(new RegExp(INTERNAL_ID_PATTERN, 'g')) ?? []).map((match) => ({
    name: 'internal-record-id',
    match,
    regex: INTERNAL_ID_PATTERN,
    action: 'BLOCKED',
    detected: true,
  }));
  let masked = text;
  if (source === 'OUTPUT') {
    for (const [type, pattern] of MASKED_PII) {
      masked = masked.replace(pattern, (match) => {
        piiEntities.push({ type, match, action: 'ANONYMIZED', detected: true });
        return `{${type}}`;
      });
    }
  }
  if (piiEntities.length + regexes.length > 0) {
    if (piiEntities.some((e) => e.action === 'BLOCKED') || regexes.length > 0) blocked = true;
    assessment.sensitiveInformationPolicy = { piiEntities, regexes };
  }
  if (source === 'OUTPUT' && grounding !== undefined) {
    const answer = words(text);
    const groundingScore = share(answer, words(grounding));
    const relevanceScore = share(words(query ?? ''), answer);
    const filter = (type: string, score: number, threshold: number) => ({
      type,
      threshold,
      score: Math.round(score * 100) / 100,
      action: score < threshold ? 'BLOCKED' : 'NONE',
      detected: score < threshold,
    });
    const checks = [
      filter('GROUNDING', groundingScore, GROUNDING_THRESHOLD),
      filter('RELEVANCE', relevanceScore, RELEVANCE_THRESHOLD),
    ];
    if (checks.some((c) => c.action === 'BLOCKED')) blocked = true;
    assessment.contextualGroundingPolicy = { filters: checks };
  }

  const intervened = Object.keys(assessment).length > 0 && (blocked || masked !== text);
  const outputs = blocked
    ? [{ text: source === 'INPUT' ? BLOCKED_INPUT_MESSAGE : BLOCKED_OUTPUT_MESSAGE }]
    : intervened
      ? [{ text: masked }]
      : [];
  return {
    action: intervened ? 'GUARDRAIL_INTERVENED' : 'NONE',
    outputs,
    assessments: [assessment],
    usage: {
      topicPolicyUnits: 1,
      contentPolicyUnits: 1,
      wordPolicyUnits: 1,
      sensitiveInformationPolicyUnits: 1,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: grounding === undefined ? 0 : 1,
    },
  };
}

const APPLY_PATH = /^\/guardrail\/[^/]+\/version\/[^/]+\/apply$/;

/** Answers every ApplyGuardrail call from the rules above (nothing is scripted). */
export class GuardrailStandIn extends Http2StandIn<BasicReply> {
  /** How many ApplyGuardrail calls it answered. */
  public get applied(): number {
    return this.calls.filter((call) => APPLY_PATH.test(call.path)).length;
  }

  protected override replyTo(call: ReceivedCall): BasicReply {
    if (!APPLY_PATH.test(call.path)) {
      const message = `the stand-in only answers ApplyGuardrail, not ${call.path}`;
      return { kind: 'error', status: 404, type: 'UnknownOperationException', message };
    }
    const { source, content } = call.body as { source?: string; content?: TextBlock[] };
    if ((source !== 'INPUT' && source !== 'OUTPUT') || !Array.isArray(content)) {
      const message = 'source (INPUT or OUTPUT) and content are required';
      return { kind: 'error', status: 400, type: 'ValidationException', message };
    }
    return { kind: 'json', body: assess(source, content) };
  }

  protected answer(stream: http2.ServerHttp2Stream, reply: BasicReply): Promise<void> {
    return answerBasic(stream, reply);
  }
}
