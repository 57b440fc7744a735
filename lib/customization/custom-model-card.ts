import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { type ModelCardContent, modelProvider, validateModelCardContent } from '../governance/model-card-content';
import { MODEL_CARD_NAME_PATTERN } from '../governance/model-card';
import { COMPARISONS_DIR, type ModelSafety } from '../shared/customization-contract';
import type { ApprovedCustomModel } from './approved-model';

export interface CustomModelCardProps {
  readonly name: string;
  readonly key: kms.IKey;
  readonly approved: ApprovedCustomModel;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The SageMaker model card of the approved custom model (notes, governance:
 * document what a model is, how it was made and how it was measured). Its
 * content comes from the approved comparison alone: the base model, the job
 * and its hyperparameters, the training manifest's digest, and both models'
 * red-team rates and evaluation scores side by side. Each new approval is a
 * new card version, so the history is the record of what was approved.
 * Draft: the card records evidence; the approval is the setting that names
 * the comparison.
 */
export class CustomModelCard extends Construct {
  public readonly card: sagemaker.CfnModelCard;

  constructor(scope: Construct, id: string, props: CustomModelCardProps) {
    super(scope, id);
    if (!MODEL_CARD_NAME_PATTERN.test(props.name)) {
      throw new Error(`model card name ${JSON.stringify(props.name)} must match ${MODEL_CARD_NAME_PATTERN}`);
    }
    const content = customModelCardContent(props.approved);
    validateModelCardContent(content);
    this.card = new sagemaker.CfnModelCard(this, 'Card', {
      modelCardName: props.name,
      modelCardStatus: 'Draft',
      securityConfig: { kmsKeyId: props.key.keyArn },
      content,
    });
    this.card.applyRemovalPolicy(props.removalPolicy);
  }
}

/** What the card says: a pure function of the approved comparison. */
export function customModelCardContent(approved: ApprovedCustomModel): ModelCardContent {
  const c = approved.comparison;
  const provider = modelProvider(c.baseModelId);
  const comparisonFile = `${COMPARISONS_DIR}/${approved.comparisonSha256}.json`;
  return {
    modelOverview: {
      modelId: c.customModelArn,
      modelName: c.customModelArn.split('/').slice(1).join('/'),
      modelCreator: `This deployment's owners, by fine-tuning ${c.baseModelId} (${provider}) with Amazon Bedrock`,
      modelOwner: "This deployment's owners",
      modelDescription: `A custom model fine-tuned from ${c.baseModelId} on approved training data (manifest SHA-256 ${c.manifestSha256}), served on demand through the deployment ${c.deploymentArn} behind the project guardrail. Approved for the invoke function by the comparison ${comparisonFile}.`,
      problemType: 'Text generation: answering questions in a conversation',
      algorithmType: 'Large language model, parameter-efficient supervised fine-tuning (Amazon Bedrock)',
    },
    trainingDetails: {
      objectiveFunction: { notes: 'Supervised fine-tuning on conversation records (user prompt, assistant answer).' },
      trainingObservations: `Training data: one JSONL file under training/approved/, copied there by the approval function only after the malware scan, the format check and the sensitive-information screen; its manifest has SHA-256 ${c.manifestSha256}.`,
      trainingJobDetails: {
        trainingArn: c.jobArn,
        trainingDatasets: [`manifest sha256 ${c.manifestSha256}`],
        userProvidedHyperParameters: Object.entries(c.hyperParameters)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => ({ name, value })),
      },
    },
    evaluationDetails: [
      {
        name: 'red-team-base-and-custom',
        evaluationObservation: `The red-team corpus through Converse with the project guardrail, on both models: ${rates('base', c.base)}; ${rates('custom', c.custom)}. Approval needs the custom model's attack block rate to be no lower than the base model's on the same corpus.`,
        datasets: ['evaluations/corpus/redteam.json'],
        // The rates as metadata (strings): aws-cdk-lib types a metric group's
        // value as an object, which a number is not.
        metadata: {
          base_run: c.base.redteamRunId,
          custom_run: c.custom.redteamRunId,
          base_block_rate: String(c.base.blockRate),
          custom_block_rate: String(c.custom.blockRate),
          base_false_refusal_rate: String(c.base.falseRefusalRate),
          custom_false_refusal_rate: String(c.custom.falseRefusalRate),
        },
      },
      ...(c.evaluation
        ? [
            {
              name: 'evaluation-base-and-custom',
              evaluationObservation: `Mean scores per metric of the project's evaluation datasets, base then custom: ${Object.keys(
                c.evaluation.base,
              )
                .sort()
                .map(
                  (m) => `${m} ${c.evaluation?.base[m]?.toFixed(3)} / ${c.evaluation?.custom[m]?.toFixed(3) ?? 'n/a'}`,
                )
                .join('; ')}.`,
              datasets: ['evaluations/datasets/'],
              metadata: { jobs: c.evaluation.jobs.join(' ').slice(0, 1000) },
            },
          ]
        : []),
    ],
  };
}

function rates(label: string, s: ModelSafety): string {
  const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
  return `${label} ${s.modelId} blocked ${pct(s.blockRate)} of ${s.attacks} attacks and wrongly refused ${pct(s.falseRefusalRate)} of ${s.nearMisses} near misses`;
}
