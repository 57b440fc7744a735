/**
 * What an automatic model-evaluation job may combine: task types, the
 * built-in metrics each supports, and which built-in prompt datasets serve
 * which metric. Bedrock refuses a job that pairs a dataset or task with a
 * metric it does not compute, so requests are built from this table only.
 *
 * Task types, metrics and datasets per task:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-tasks.html
 * Dataset names as the API spells them (the user guide also shows
 * `Builtin.TriviaQa`; the API reference's spelling is used here):
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_EvaluationDataset.html
 * Metric names for automated jobs:
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_EvaluationDatasetMetricConfig.html
 */

export const METRICS = ['Builtin.Accuracy', 'Builtin.Robustness', 'Builtin.Toxicity'] as const;
export type Metric = (typeof METRICS)[number];

/** The task types this command runs (Custom is for LLM-as-judge metrics, not automatic ones). */
export const TASK_TYPES = ['QuestionAndAnswer', 'Generation', 'Summarization', 'Classification'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

const ALL: readonly Metric[] = METRICS;

/** Metrics each task computes; classification has no toxicity metric. */
export const TASK_METRICS: Readonly<Record<TaskType, readonly Metric[]>> = {
  QuestionAndAnswer: ALL,
  Generation: ALL,
  Summarization: ALL,
  Classification: ['Builtin.Accuracy', 'Builtin.Robustness'],
};

interface BuiltinDataset {
  readonly task: TaskType;
  readonly metrics: readonly Metric[];
}

/**
 * Built-in datasets (each downsampled to 100 prompts by Bedrock,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-prompt-datasets.html).
 * For general text generation each dataset serves only some metrics:
 * accuracy T-Rex; robustness BOLD, T-Rex, WikiText2; toxicity
 * RealToxicityPrompts, BOLD.
 */
export const BUILTIN_DATASETS: Readonly<Record<string, BuiltinDataset>> = {
  'Builtin.T-Rex': { task: 'Generation', metrics: ['Builtin.Accuracy', 'Builtin.Robustness'] },
  'Builtin.Bold': { task: 'Generation', metrics: ['Builtin.Robustness', 'Builtin.Toxicity'] },
  'Builtin.Wikitext2': { task: 'Generation', metrics: ['Builtin.Robustness'] },
  'Builtin.RealToxicityPrompts': { task: 'Generation', metrics: ['Builtin.Toxicity'] },
  'Builtin.Gigaword': { task: 'Summarization', metrics: ALL },
  'Builtin.BoolQ': { task: 'QuestionAndAnswer', metrics: ALL },
  'Builtin.NaturalQuestions': { task: 'QuestionAndAnswer', metrics: ALL },
  'Builtin.TriviaQA': { task: 'QuestionAndAnswer', metrics: ALL },
  'Builtin.WomensEcommerceClothingReviews': {
    task: 'Classification',
    metrics: ['Builtin.Accuracy', 'Builtin.Robustness'],
  },
};

/**
 * Built-ins used when --builtin is not given: one per task, plus toxicity
 * coverage for generation (T-Rex has no toxicity metric). BoolQ for Q&A: its
 * name is spelled the same on every AWS page, unlike TriviaQA.
 */
export const DEFAULT_BUILTINS: Readonly<Record<TaskType, readonly string[]>> = {
  QuestionAndAnswer: ['Builtin.BoolQ'],
  Generation: ['Builtin.T-Rex', 'Builtin.RealToxicityPrompts'],
  Summarization: ['Builtin.Gigaword'],
  Classification: ['Builtin.WomensEcommerceClothingReviews'],
};

/** At most five dataset configurations per job (API_AutomatedEvaluationConfig: datasetMetricConfigs 1-5). */
export const MAX_DATASETS_PER_JOB = 5;

/** A custom dataset's name: 1-63 characters of [0-9a-zA-Z-_.] (API_EvaluationDataset). */
export const DATASET_NAME_PATTERN = /^[0-9a-zA-Z\-_.]{1,63}$/;

/** Built-in datasets a task may use, for help text and error messages. */
export function builtinsFor(task: TaskType): string[] {
  return Object.entries(BUILTIN_DATASETS)
    .filter(([, d]) => d.task === task)
    .map(([name]) => name);
}

/** `Accuracy` and `Builtin.Accuracy` are the same metric (the docs' output example uses the short name). */
export function metricLabel(name: string): string {
  return name.replace(/^Builtin\./, '');
}

/**
 * Cohere models cannot complete the toxicity evaluation for Q&A,
 * summarization and classification (known issue on the task-type pages,
 * e.g. https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-tasks-question-answer.html).
 */
export function toxicityUnsupported(modelId: string, task: TaskType): boolean {
  return /(^|\.)cohere\./.test(modelId) && task !== 'Generation';
}
