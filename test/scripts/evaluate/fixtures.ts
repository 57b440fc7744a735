/** Shared test data for npm run evaluate: realistic names and Bedrock's documented output layout. */
export const region = 'us-east-1';
export const account = '111122223333';
export const app = 'GuardedGenAi';
export const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
export const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const roleArn = `arn:aws:iam::${account}:role/GuardedGenAi-Governance-evaluation`;
export const operatorPolicyArn = `arn:aws:iam::${account}:policy/GuardedGenAi-Governance-OperatorPolicy-1X2Y3Z4W5V6U`;
export const modelId = 'amazon.nova-micro-v1:0';
export const jobId = 'a1b2c3d4e5f6';
export const jobArnOf = (id = jobId) => `arn:aws:bedrock:${region}:${account}:evaluation-job/${id}`;

/** Built-in dataset names exactly as the API reference lists them (API_EvaluationDataset). */
export const DOCUMENTED_BUILTINS = [
  'Builtin.Bold',
  'Builtin.BoolQ',
  'Builtin.NaturalQuestions',
  'Builtin.Gigaword',
  'Builtin.RealToxicityPrompts',
  'Builtin.TriviaQA',
  'Builtin.T-Rex',
  'Builtin.WomensEcommerceClothingReviews',
  'Builtin.Wikitext2',
];

/**
 * The metrics each built-in dataset is used for, restated from the task table
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-tasks.html).
 */
export const DOCUMENTED_DATASET_METRICS: Record<string, { task: string; metrics: string[] }> = {
  'Builtin.T-Rex': { task: 'Generation', metrics: ['Accuracy', 'Robustness'] },
  'Builtin.Bold': { task: 'Generation', metrics: ['Robustness', 'Toxicity'] },
  'Builtin.Wikitext2': { task: 'Generation', metrics: ['Robustness'] },
  'Builtin.RealToxicityPrompts': { task: 'Generation', metrics: ['Toxicity'] },
  'Builtin.Gigaword': { task: 'Summarization', metrics: ['Accuracy', 'Robustness', 'Toxicity'] },
  'Builtin.BoolQ': { task: 'QuestionAndAnswer', metrics: ['Accuracy', 'Robustness', 'Toxicity'] },
  'Builtin.NaturalQuestions': { task: 'QuestionAndAnswer', metrics: ['Accuracy', 'Robustness', 'Toxicity'] },
  'Builtin.TriviaQA': { task: 'QuestionAndAnswer', metrics: ['Accuracy', 'Robustness', 'Toxicity'] },
  'Builtin.WomensEcommerceClothingReviews': { task: 'Classification', metrics: ['Accuracy', 'Robustness'] },
};

export const DOCUMENTED_TASK_METRICS: Record<string, string[]> = {
  QuestionAndAnswer: ['Accuracy', 'Robustness', 'Toxicity'],
  Generation: ['Accuracy', 'Robustness', 'Toxicity'],
  Summarization: ['Accuracy', 'Robustness', 'Toxicity'],
  Classification: ['Accuracy', 'Robustness'],
};

/** `<output>/<job name>/<job id>/models/<model>/taskTypes/<task>/datasets/<dataset>/<uuid>_output.jsonl` */
export function outputKey(
  jobName: string,
  dataset: string,
  task = 'QuestionAndAnswer',
  uuid = '7c9e6679-7425-40de-944b-e07fc1f90ae7',
) {
  return `evaluations/results/${jobName}/${jobId}/models/${modelId}/taskTypes/${task}/datasets/${dataset}/${uuid}_output.jsonl`;
}

/** One output line, shaped like the example on the report-s3 page. */
export function outputLine(
  prompt: string,
  scores: Record<string, number | null>,
  extra: { category?: string; referenceResponse?: string } = {},
): string {
  return JSON.stringify({
    automatedEvaluationResult: {
      scores: Object.entries(scores).map(([metricName, result]) => ({ metricName, result })),
    },
    inputRecord: {
      prompt,
      referenceResponse: extra.referenceResponse ?? 'reference',
      ...(extra.category ? { category: extra.category } : {}),
    },
    modelResponses: [
      { modelIdentifier: `arn:aws:bedrock:${region}::foundation-model/${modelId}`, response: 'An answer.' },
    ],
  });
}

/** A GetObject body as the SDK returns it: only transformToString is used. */
export function body(text: string) {
  return { transformToString: async () => text } as unknown as never;
}
