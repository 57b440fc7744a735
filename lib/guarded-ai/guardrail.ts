import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

import { BLOCKED_INPUT_MESSAGE, BLOCKED_OUTPUT_MESSAGE } from '../shared/guardrail-policies';
import { guardrailName } from '../shared/names';
import { INTERNAL_ID_PATTERN } from '../shared/record-ids';

/** Strength of the guardrail's content filters: higher blocks more, with more false positives. */
export type FilterStrength = 'LOW' | 'MEDIUM' | 'HIGH';

export interface GuardrailProps {
  /** Key the guardrail's configuration is encrypted with (a GuardrailKey: its users need kms:Decrypt on it). */
  readonly encryptionKey: kms.IKey;
  /** Strength of the harmful-content filters on input and output. */
  readonly filterStrength: FilterStrength;
  /** Contextual grounding threshold (0 to 0.99). */
  readonly groundingThreshold: number;
  /** Contextual relevance threshold (0 to 0.99). */
  readonly relevanceThreshold: number;
}

/** What a guardrail enforces: any of Bedrock's guardrail policies. */
export type GuardrailPolicy = Pick<
  bedrock.CfnGuardrailProps,
  | 'contentPolicyConfig'
  | 'topicPolicyConfig'
  | 'wordPolicyConfig'
  | 'sensitiveInformationPolicyConfig'
  | 'contextualGroundingPolicyConfig'
>;

export interface PublishedGuardrailProps {
  /** Unique per account and region (lib/shared/names.ts). */
  readonly name: string;
  readonly description: string;
  /** Key the guardrail's configuration is encrypted with (a GuardrailKey: its users need kms:Decrypt on it). */
  readonly encryptionKey: kms.IKey;
  readonly policy: GuardrailPolicy;
}

/**
 * A Bedrock guardrail and its published version.
 *
 * Built on the L1 resources: the alpha L2 changes version IDs between identical
 * synths. The version's description carries a digest of the policy and the
 * key's id, so the version is replaced (a new numbered version published)
 * exactly when the policy or the key changes, and identical synths produce
 * identical templates.
 */
export class PublishedGuardrail extends Construct {
  public readonly guardrail: bedrock.CfnGuardrail;
  public readonly version: bedrock.CfnGuardrailVersion;
  /** The key the guardrail is encrypted with: every user of the guardrail needs kms:Decrypt on it. */
  public readonly encryptionKey: kms.IKey;
  /** ARN of the guardrail (without version). */
  public readonly guardrailArn: string;
  /** ID of the guardrail. */
  public readonly guardrailId: string;
  /** The published version number, as a token. */
  public readonly versionNumber: string;
  /** Value of `bedrock:GuardrailIdentifier` for requests using the published version. */
  public readonly guardrailIdentifierForVersion: string;

  constructor(scope: Construct, id: string, props: PublishedGuardrailProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;

    this.guardrail = new bedrock.CfnGuardrail(this, 'Guardrail', {
      name: props.name,
      description: props.description,
      kmsKeyArn: props.encryptionKey.keyArn,
      // Tell the user what happened, never which rule matched (see the constants).
      blockedInputMessaging: BLOCKED_INPUT_MESSAGE,
      blockedOutputsMessaging: BLOCKED_OUTPUT_MESSAGE,
      ...props.policy,
    });

    this.version = new bedrock.CfnGuardrailVersion(this, 'Version', {
      guardrailIdentifier: this.guardrail.attrGuardrailId,
      // The key is named too (Description is create-only, so a new key
      // publishes a new version): a version is a snapshot, and one taken
      // under the previous key must not stay in use once callers may decrypt
      // only with the new one.
      description: `Published by CDK; policy sha256 ${digest(props.policy)}; key ${props.encryptionKey.keyId}`,
    });

    this.guardrailArn = this.guardrail.attrGuardrailArn;
    this.guardrailId = this.guardrail.attrGuardrailId;
    this.versionNumber = this.version.attrVersion;
    this.guardrailIdentifierForVersion = `${this.guardrailArn}:${this.versionNumber}`;
  }
}

/**
 * The project guardrail, which screens the invoke function's prompts and
 * answers.
 *
 * Notes, generative-AI chapters: Guardrails are the safeguards between users and
 * a foundation model (content filters, denied topics, word filters, sensitive
 * information filters, contextual grounding), and the prompt-attack filter is
 * the managed answer to prompt injection.
 */
export class Guardrail extends PublishedGuardrail {
  constructor(scope: Construct, id: string, props: GuardrailProps) {
    super(scope, id, {
      // Guardrail names are unique per account and region: derive from the stack.
      name: guardrailName(Stack.of(scope).stackName),
      description: 'Screens prompts and answers of the guarded invoke function.',
      encryptionKey: props.encryptionKey,
      policy: guardrailPolicy(props),
    });
  }
}

/** A stable digest of the policy: keys sorted, so property order never matters. */
export function digest(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
    .slice(0, 16);
}

/** Everything the guardrail enforces, in one value (also what the version digest covers). */
export function guardrailPolicy(props: Omit<GuardrailProps, 'encryptionKey'>): GuardrailPolicy {
  const strength = props.filterStrength;
  const harmful = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT'].map((type) => ({
    type,
    inputStrength: strength,
    outputStrength: strength,
  }));

  return {
    contentPolicyConfig: {
      filtersConfig: [
        ...harmful,
        // Prompt attacks (jailbreaks, injected instructions, prompt leaking)
        // only exist on the input side; output strength must be NONE. Only
        // content marked with guardContent is screened, which is why the
        // handler marks the user's text and not our own system prompt.
        { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' },
      ],
    },
    topicPolicyConfig: {
      topicsConfig: [
        {
          name: 'Personalised-investment-advice',
          type: 'DENY',
          definition:
            'Recommendations about which specific securities, funds, cryptocurrencies or other assets a particular person should buy, sell or hold, or how to allocate their own money.',
          examples: [
            'Should I move my pension into Tesla shares?',
            'Which crypto coin should I buy this week with my savings?',
            'How much of my salary should I put into the S&P 500?',
          ],
        },
        {
          // Responsible AI (notes): a model must not be the sole basis of
          // decisions with legal or similar effects on people.
          name: 'Automated-decisions-about-individuals',
          type: 'DENY',
          definition:
            'Requests to decide, score or rank whether a specific real person should be hired, fired, granted credit, insured, admitted or otherwise approved or rejected.',
          examples: [
            'Here is the CV of Jane Doe, tell me whether to reject her.',
            'Score this loan applicant from 1 to 10 and tell me if we approve.',
            'Decide which of these three tenants we should evict.',
          ],
        },
      ],
    },
    wordPolicyConfig: {
      // A small custom list (internal code names that must never be discussed)
      // plus the managed profanity list.
      wordsConfig: [{ text: 'Project Nightjar' }, { text: 'Operation Kestrel' }],
      managedWordListsConfig: [{ type: 'PROFANITY' }],
    },
    sensitiveInformationPolicyConfig: sensitiveInformationPolicy(),
    contextualGroundingPolicyConfig: {
      // Evaluated only when a request supplies a grounding source (marked with
      // the grounding_source and query qualifiers), i.e. for RAG-style answers.
      filtersConfig: [
        { type: 'GROUNDING', threshold: props.groundingThreshold },
        { type: 'RELEVANCE', threshold: props.relevanceThreshold },
      ],
    },
  };
}

/**
 * The sensitive-information policy: personal data masked in answers, secrets
 * and identifiers blocked both ways. The project guardrail enforces it on
 * prompts and answers; the ingestion guardrail (lib/ingestion/) enforces it
 * alone on documents before they are indexed, so that what is indexed is what
 * an answer may show.
 */
export function sensitiveInformationPolicy(): NonNullable<GuardrailPolicy['sensitiveInformationPolicyConfig']> {
  return {
    piiEntitiesConfig: [
      // Masked in answers: useful to talk about, never to repeat back.
      ...['NAME', 'EMAIL', 'PHONE', 'ADDRESS', 'IP_ADDRESS', 'USERNAME'].map((type) => ({
        type,
        action: 'ANONYMIZE',
        inputEnabled: false,
        outputEnabled: true,
        outputAction: 'ANONYMIZE',
      })),
      // Blocked both ways: leaking one of these is never acceptable.
      ...[
        'CREDIT_DEBIT_CARD_NUMBER',
        'CREDIT_DEBIT_CARD_CVV',
        'US_SOCIAL_SECURITY_NUMBER',
        'UK_NATIONAL_INSURANCE_NUMBER',
        'CA_SOCIAL_INSURANCE_NUMBER',
        'AWS_ACCESS_KEY',
        'AWS_SECRET_KEY',
        'PASSWORD',
      ].map((type) => ({ type, action: 'BLOCK', inputAction: 'BLOCK', outputAction: 'BLOCK' })),
    ],
    regexesConfig: [
      {
        name: 'internal-record-id',
        description: 'Identifiers of internal records; they must never leave the organisation.',
        pattern: INTERNAL_ID_PATTERN,
        action: 'BLOCK',
        inputAction: 'BLOCK',
        outputAction: 'BLOCK',
      },
    ],
  };
}
