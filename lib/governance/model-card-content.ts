import { Tokenization, type IResolvable } from 'aws-cdk-lib';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { MODEL_ID_PATTERN } from '../config';
import type { GuardrailPolicy } from '../guarded-ai/guardrail';
import type { ModelTarget } from '../guarded-ai/model';

/** The risk ratings a SageMaker model card accepts (intended_uses.risk_rating). */
export type RiskRating = 'Low' | 'Medium' | 'High' | 'Unknown';

/** What the card says, all of it from the deployment's configuration. */
export interface ModelCardFacts {
  readonly model: ModelTarget;
  readonly riskRating: RiskRating;
  /** The guardrail's policy (the value the guardrail itself is built from). */
  readonly guardrailPolicy: GuardrailPolicy;
  readonly knowledgeBase: boolean;
  readonly enforcedGuardrail: boolean;
  /** s3://<data bucket>/evaluations/ (may hold a token for the bucket name). */
  readonly evaluationsUri: string;
}

export type ModelCardContent = sagemaker.CfnModelCard.ContentProperty;

/**
 * The model card schema's documented limits, by field (snake_case as the
 * schema names them), cross-checked with the CloudFormation resource schema.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/model-cards.html#model-cards-json-schema
 */
export const MODEL_CARD_LIMITS = {
  overviewText: 1024,
  intendedUsesText: 2048,
  additionalInformationText: 2048,
  customDetailValue: 1024,
  evaluationName: 63,
  evaluationObservation: 2096,
  evaluationDatasets: 10,
  evaluationDataset: 1024,
  metadataValue: 1024,
  /** The API takes the content as one JSON string of at most 100,000 characters. */
  content: 100_000,
} as const;
const SCHEMA_URL = 'https://docs.aws.amazon.com/sagemaker/latest/dg/model-cards.html#model-cards-json-schema';
/** Keys of custom_details and evaluation metadata. */
const DETAIL_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Bedrock model-id provider prefixes and the companies they stand for. */
const PROVIDERS: Readonly<Record<string, string>> = {
  ai21: 'AI21 Labs',
  amazon: 'Amazon',
  anthropic: 'Anthropic',
  cohere: 'Cohere',
  deepseek: 'DeepSeek',
  meta: 'Meta',
  mistral: 'Mistral AI',
  openai: 'OpenAI',
  qwen: 'Qwen',
  writer: 'Writer',
};

/** The company behind a Bedrock model id (`eu.anthropic.claude-…` → Anthropic). */
export function modelProvider(modelId: string): string {
  const provider = MODEL_ID_PATTERN.exec(modelId)?.[2];
  if (!provider) throw new Error(`not a Bedrock model id: ${modelId}`);
  return PROVIDERS[provider] ?? provider;
}

/**
 * The model card content of a deployment: a pure function of its facts, so
 * identical configurations give identical templates and a new card version is
 * made exactly when what the card describes changes. The review status is
 * deliberately not an input: SageMaker refuses a content change and a status
 * change in one UpdateModelCard call.
 */
export function modelCardContent(facts: ModelCardFacts): ModelCardContent {
  const { model, guardrailPolicy: policy } = facts;
  const provider = modelProvider(model.modelId);
  const guardrail = describeGuardrail(policy);
  const through = model.profileGeography
    ? ` through the "${model.profileGeography}" cross-region inference profile ${model.modelId}, which routes each request to the same model in one of the regions of that geography`
    : ', in the region of the deployment';
  const outOfScope = guardrail.topics.map((t) => t.name.replace(/-/g, ' ').toLowerCase());
  const uri = facts.evaluationsUri;

  return {
    modelOverview: {
      modelId: model.modelId,
      modelName: model.foundationModelId,
      modelCreator: provider,
      modelOwner: `${provider} (a third-party foundation model served by Amazon Bedrock); this deployment's owners operate it`,
      modelDescription: `The foundation model ${model.foundationModelId} by ${provider}, called with the Bedrock Converse API${through}. This project neither trains nor fine-tunes it: it serves it behind a Bedrock guardrail, with least-privilege access, audit records and evaluation before and after deployment.`,
      problemType: 'Text generation: answering questions in a conversation',
      algorithmType: 'Large language model (foundation model, Amazon Bedrock)',
    },
    intendedUses: {
      purposeOfModel:
        'Answer questions from authorised users of this organisation through the guarded invoke function, every prompt and answer screened by the project guardrail.',
      intendedUses: [
        `In scope: general questions and drafting help for internal users${facts.knowledgeBase ? ', and questions answered from the documents in the knowledge base' : ''}, with a person reading and judging every answer.`,
        `Out of scope (denied topics the guardrail blocks): ${outOfScope.join('; ')}.`,
        'Also out of scope: any use as the sole basis of a decision with legal or similar effects on a person, medical or legal advice, and any use outside the organisation.',
      ].join(' '),
      factorsAffectingModelEfficiency: [
        `The guardrail's content filters (${guardrail.strengthsInBrief}) block some harmless requests (false positives) and let some harmful ones through; npm run redteam measures both.`,
        'Answers can be wrong or out of date (the model has a training cut-off and may invent facts).',
        facts.knowledgeBase
          ? `Answers from the knowledge base depend on which documents were promoted to it; ${guardrail.groundingInBrief}`
          : `There is no knowledge base, so answers come from the model alone; ${guardrail.groundingInBrief}`,
        'The output token cap and the guardrail add latency and may cut long answers short.',
      ].join(' '),
      riskRating: facts.riskRating,
      explanationsForRiskRating: `${RISK_EXPLANATIONS[facts.riskRating]} Set by the deployment's owners with the modelRiskRating setting, after reading the evaluation and red-team results.`,
    },
    additionalInformation: {
      ethicalConsiderations: [
        'The model may reproduce biases and stereotypes of its training data; answers must not be used to judge or rank people, and the guardrail denies requests for automated decisions about individuals.',
        `Personal data: ${guardrail.piiInBrief}`,
        'Prompts and answers are recorded for audit (audit records, and Bedrock invocation logs when turned on) under the project key: they may contain personal data and are retained and accessed as such.',
        'People using the service must be told they are talking to an AI system, and a person stays accountable for what is done with its answers.',
      ].join(' '),
      caveatsAndRecommendations: [
        `The guardrail is on the ${guardrail.tier} tier: its prompt-attack filter screens only the parts of a prompt tagged as user input (guardContent), and its detection covers fewer languages and attack forms than the Standard tier; test prompts in the languages your users write.`,
        'npm run redteam measures, for a labelled corpus of adversarial and benign prompts, which ones the deployed function blocks and which guardrail policy fired: a block rate per category and a false-positive rate at that moment, not a guarantee about unseen prompts.',
        facts.enforcedGuardrail
          ? 'Bedrock model-evaluation jobs call the model directly, not through the guarded function; the account-wide enforced guardrail is expected to screen their calls too (not verified), so read their scores as the model under that guardrail, not as the guarded service.'
          : 'Bedrock model-evaluation jobs call the model directly, without any guardrail, so their scores describe the model, not the guarded service.',
        'Re-run both after any change of model, guardrail or prompts, and update the risk rating and the review status in separate deployments.',
      ].join(' '),
      customDetails: {
        guardrail_content_filters: guardrail.contentFilters,
        guardrail_denied_topics: guardrail.deniedTopics,
        guardrail_word_filters: guardrail.wordFilters,
        guardrail_sensitive_information: guardrail.sensitiveInformation,
        guardrail_contextual_grounding: guardrail.grounding,
        knowledge_base: facts.knowledgeBase
          ? 'on: answers may draw on documents from the knowledge base (only those that passed the malware scan and the guardrail)'
          : 'off: the model answers from its own training only',
        enforced_guardrail: facts.enforcedGuardrail
          ? `on: every Bedrock inference call in the account and region goes through the project guardrail${facts.knowledgeBase ? " (except the knowledge base's embedding model)" : ''}, on top of any guardrail the call names`
          : 'off: only calls that name the project guardrail (the guarded invoke function) are screened',
        evaluations_location: uri,
        how_to_evaluate:
          'npm run evaluate: uploads the project dataset to evaluations/datasets/, starts a Bedrock automatic model-evaluation job with the evaluation role, and reads its results from evaluations/results/.',
        how_to_red_team:
          'npm run redteam: sends the labelled red-team corpus through the deployed function URL, compares each outcome with its label, and stores the run under evaluations/redteam/.',
      },
    },
    // The approach, not a result: the card is deployed before any job runs,
    // so it names no job ARN; results are in the evaluations location.
    evaluationDetails: [
      {
        name: 'red-team-corpus',
        evaluationObservation: `Approach: a labelled corpus of at least 200 prompts (evaluations/corpus/redteam.json in the repository), adversarial ones for each guardrail policy (prompt attack, content filters, denied topics, word filters, sensitive information, contextual grounding) and benign ones that must be answered. npm run redteam sends each through the deployed function and reports, per category, how many were blocked, by which policy, and how many benign prompts were wrongly blocked. Runs are stored under ${uri}redteam/.`,
        datasets: ['evaluations/corpus/redteam.json'],
        metadata: { command: 'npm run redteam', results_location: `${uri}redteam/` },
      },
      {
        name: 'bedrock-automatic-model-evaluation',
        evaluationObservation: `Approach: a Bedrock automatic model-evaluation job of ${model.modelId}, run by npm run evaluate with the evaluation service role, on the project's prompt dataset (evaluations/datasets/ in the repository, uploaded to ${uri}datasets/) with the built-in accuracy, robustness and toxicity metrics. Bedrock writes the scores per prompt under ${uri}results/, which only the evaluation role may write.`,
        datasets: [`${uri}datasets/`],
        metadata: { command: 'npm run evaluate', results_location: `${uri}results/` },
      },
    ],
  };
}

const RISK_EXPLANATIONS: Readonly<Record<RiskRating, string>> = {
  Low: 'Low: internal users only, a person reviews every answer, and no decision about a person rests on it.',
  Medium:
    'Medium: a general-purpose model answering free-text questions can produce wrong, biased or harmful text; the guardrail, the denied topics and human review of answers reduce but do not remove that risk.',
  High: 'High: answers reach people or processes where a wrong, biased or leaked answer would cause serious harm; human review and the evaluation results must be checked before every use.',
  Unknown: 'Unknown: the deployment has not been assessed yet; treat it as high risk until it is.',
};

/** The guardrail's policy in words, one string per policy. */
function describeGuardrail(policy: GuardrailPolicy) {
  const content = literal(policy.contentPolicyConfig, 'contentPolicyConfig');
  const filters = content ? list(content.filtersConfig, 'filtersConfig') : [];
  const tierConfig = content ? literal(content.contentFiltersTierConfig, 'contentFiltersTierConfig') : undefined;
  const tier = tierConfig?.tierName ?? 'Classic';

  const byStrength = group(filters, (f) =>
    f.inputStrength === f.outputStrength
      ? `${f.inputStrength} on prompts and answers`
      : f.outputStrength === 'NONE'
        ? `${f.inputStrength} on prompts only`
        : f.inputStrength === 'NONE'
          ? `${f.outputStrength} on answers only`
          : `${f.inputStrength} on prompts, ${f.outputStrength} on answers`,
  );
  const strengths = byStrength.map(([how, fs]) => `${fs.map((f) => f.type).join(', ')}: ${how}`);
  const contentFilters = filters.length
    ? `Content filters (strength): ${strengths.join('; ')}. ${tier} tier.`
    : 'No content filters.';

  const topicConfig = literal(policy.topicPolicyConfig, 'topicPolicyConfig');
  const topics = (topicConfig ? list(topicConfig.topicsConfig, 'topicsConfig') : []).filter((t) => t.type === 'DENY');
  const deniedTopics = topics.length
    ? `Denied on prompts and answers: ${topics.map((t) => `${t.name} (${t.definition})`).join('; ')}`
    : 'No denied topics.';

  const words = literal(policy.wordPolicyConfig, 'wordPolicyConfig');
  const custom = words?.wordsConfig ? list(words.wordsConfig, 'wordsConfig').map((w) => `"${w.text}"`) : [];
  const managed = words?.managedWordListsConfig
    ? list(words.managedWordListsConfig, 'managedWordListsConfig').map((w) => w.type)
    : [];
  const wordFilters =
    custom.length || managed.length
      ? `Blocked on prompts and answers: ${[
          ...(custom.length ? [`the words ${custom.join(', ')}`] : []),
          ...(managed.length ? [`the managed ${managed.join(', ')} list`] : []),
        ].join(' and ')}.`
      : 'No word filters.';

  const sensitive = literal(policy.sensitiveInformationPolicyConfig, 'sensitiveInformationPolicyConfig');
  const entities = sensitive?.piiEntitiesConfig ? list(sensitive.piiEntitiesConfig, 'piiEntitiesConfig') : [];
  const regexes = sensitive?.regexesConfig ? list(sensitive.regexesConfig, 'regexesConfig') : [];
  const handled = [
    ...entities.map((e) => ({ label: e.type, how: handling(e) })),
    ...regexes.map((r) => ({ label: `${r.name} (custom pattern)`, how: handling(r) })),
  ];
  const byHandling = group(handled, (h) => h.how).map(([how, hs]) => `${how}: ${hs.map((h) => h.label).join(', ')}`);
  const sensitiveInformation = byHandling.length ? `${byHandling.join('. ')}.` : 'No sensitive-information filters.';
  const masked = handled.filter((h) => h.how.startsWith('Masked')).map((h) => h.label);
  const blocked = handled.filter((h) => h.how.startsWith('Blocked')).map((h) => h.label);
  const piiInBrief = [
    masked.length ? `the guardrail masks ${masked.join(', ')} in answers` : 'the guardrail masks no personal data',
    blocked.length ? `and blocks ${blocked.length} kinds of secrets and identifiers (${blocked.join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(' ')
    .concat('.');

  const groundingConfig = literal(policy.contextualGroundingPolicyConfig, 'contextualGroundingPolicyConfig');
  const thresholds = groundingConfig ? list(groundingConfig.filtersConfig, 'filtersConfig') : [];
  const grounding = thresholds.length
    ? `Answers scoring below ${thresholds.map((t) => `${t.type} ${t.threshold}`).join(' or ')} are blocked; applied only when a request sends a grounding source.`
    : 'No contextual grounding check.';
  const groundingInBrief = thresholds.length
    ? `contextual grounding (${thresholds.map((t) => `${t.type.toLowerCase()} ${t.threshold}`).join(', ')}) is checked only when a request sends a grounding source.`
    : 'no contextual grounding check is configured.';

  return {
    tier,
    topics,
    contentFilters,
    deniedTopics,
    wordFilters,
    sensitiveInformation,
    grounding,
    piiInBrief,
    groundingInBrief,
    strengthsInBrief: strengths.join('; ') || 'none',
  };
}

type Screened = {
  readonly action: string;
  readonly inputAction?: string;
  readonly outputAction?: string;
  readonly inputEnabled?: boolean | IResolvable;
  readonly outputEnabled?: boolean | IResolvable;
};
const VERBS: Readonly<Record<string, string>> = { BLOCK: 'Blocked', ANONYMIZE: 'Masked', NONE: 'Detected only' };

/** How one sensitive-information filter treats prompts and answers, in words. */
function handling(filter: Screened): string {
  const side = (enabled: boolean | IResolvable | undefined, action: string | undefined) =>
    literal(enabled, 'inputEnabled/outputEnabled') === false ? undefined : (action ?? filter.action);
  const input = side(filter.inputEnabled, filter.inputAction);
  const output = side(filter.outputEnabled, filter.outputAction);
  const verb = (action: string) => VERBS[action] ?? action;
  if (input === output) return input ? `${verb(input)} in prompts and answers` : 'Not checked';
  if (!input) return `${verb(output as string)} in answers (prompts not checked)`;
  if (!output) return `${verb(input)} in prompts (answers not checked)`;
  return `${verb(input)} in prompts, ${verb(output).toLowerCase()} in answers`;
}

/** Items grouped by a label, groups and items in their first order. */
function group<T>(items: readonly T[], label: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(label(item), [...(groups.get(label(item)) ?? []), item]);
  return [...groups.entries()];
}

/** The card describes the policy as written: a token in it could not be put in words. */
function literal<T>(value: T | IResolvable, what: string): T {
  if (Tokenization.isResolvable(value)) throw new Error(`model card: the guardrail's ${what} must be a literal value`);
  return value;
}
function list<T>(value: readonly (T | IResolvable)[] | IResolvable, what: string): T[] {
  return literal(value, what).map((item) => literal(item, what));
}

/**
 * Check generated text against the schema's limits, so that a configuration
 * the card cannot hold fails at synth with the field named rather than at
 * deployment. Lengths of tokens are not meaningful: check content generated
 * with the longest values they can take.
 */
export function validateModelCardContent(content: ModelCardContent): void {
  const check = (field: string, value: string | undefined, limit: number) => {
    if (value !== undefined && value.length > limit) {
      throw new Error(`model card: ${field} is ${value.length} characters, over the limit of ${limit} (${SCHEMA_URL})`);
    }
  };
  const checkAll = (section: string, fields: Record<string, string | undefined>, limit: number) => {
    for (const [field, value] of Object.entries(fields)) check(`${section}.${field}`, value, limit);
  };
  const overview = literal(content.modelOverview, 'model_overview') ?? {};
  checkAll(
    'model_overview',
    {
      model_id: overview.modelId,
      model_name: overview.modelName,
      model_creator: overview.modelCreator,
      model_owner: overview.modelOwner,
      model_description: overview.modelDescription,
      problem_type: overview.problemType,
      algorithm_type: overview.algorithmType,
    },
    MODEL_CARD_LIMITS.overviewText,
  );
  const uses = literal(content.intendedUses, 'intended_uses') ?? {};
  checkAll(
    'intended_uses',
    {
      purpose_of_model: uses.purposeOfModel,
      intended_uses: uses.intendedUses,
      factors_affecting_model_efficiency: uses.factorsAffectingModelEfficiency,
      explanations_for_risk_rating: uses.explanationsForRiskRating,
    },
    MODEL_CARD_LIMITS.intendedUsesText,
  );
  const info = literal(content.additionalInformation, 'additional_information') ?? {};
  check(
    'additional_information.ethical_considerations',
    info.ethicalConsiderations,
    MODEL_CARD_LIMITS.additionalInformationText,
  );
  check(
    'additional_information.caveats_and_recommendations',
    info.caveatsAndRecommendations,
    MODEL_CARD_LIMITS.additionalInformationText,
  );
  checkDetails('additional_information.custom_details', literal(info.customDetails, 'custom_details'), check);
  for (const entry of list(content.evaluationDetails ?? [], 'evaluation_details')) {
    const at = `evaluation_details[${entry.name}]`;
    if (entry.name.length < 1) throw new Error(`model card: ${at}.name must not be empty (${SCHEMA_URL})`);
    check(`${at}.name`, entry.name, MODEL_CARD_LIMITS.evaluationName);
    check(`${at}.evaluation_observation`, entry.evaluationObservation, MODEL_CARD_LIMITS.evaluationObservation);
    const datasets = entry.datasets ?? [];
    if (datasets.length > MODEL_CARD_LIMITS.evaluationDatasets) {
      throw new Error(
        `model card: ${at}.datasets has ${datasets.length} items, over the limit of ${MODEL_CARD_LIMITS.evaluationDatasets} (${SCHEMA_URL})`,
      );
    }
    datasets.forEach((d, i) => check(`${at}.datasets[${i}]`, d, MODEL_CARD_LIMITS.evaluationDataset));
    checkDetails(`${at}.metadata`, literal(entry.metadata, 'metadata'), check);
  }
  check('content (as JSON)', JSON.stringify(content), MODEL_CARD_LIMITS.content);
}

function checkDetails(
  field: string,
  details: Record<string, string> | undefined,
  check: (field: string, value: string, limit: number) => void,
): void {
  for (const [key, value] of Object.entries(details ?? {})) {
    if (!DETAIL_KEY.test(key)) throw new Error(`model card: ${field} key ${JSON.stringify(key)} is not ${DETAIL_KEY}`);
    check(`${field}.${key}`, value, MODEL_CARD_LIMITS.customDetailValue);
  }
}
