import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What customization costs, said before anything that bills is created.
 *
 * The rules are AWS's: training is charged by the tokens processed ("The number
 * of epochs you specify increases your model customization cost by processing
 * more tokens. Each epoch processes the entire training dataset once.",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/cm-hp-nova-mm.html), a
 * custom model is stored for a monthly price, and on-demand inference of a
 * deployed custom Nova model is "charged based on usage, measured in tokens,
 * both in and out" (https://docs.aws.amazon.com/nova/latest/userguide/custom-fine-tune-odi.html).
 */

/**
 * The unit prices, from docs/prices.json (its `customization` block, with
 * the project's other unit prices and the note on where they come from).
 * UNVERIFIED estimates for us-east-1 until `verified` says otherwise: check
 * them against the pricing page before relying on them.
 */
export const CUSTOMIZATION_PRICES: {
  readonly verified: boolean;
  readonly source: string;
  /** Training, per 1,000 tokens processed (tokens of the data times epochs), by customization base model. */
  readonly trainingPer1000Tokens: Readonly<Record<string, number>>;
  /** Storing one custom model, per month, deployed or not. */
  readonly storagePerModelMonth: number;
  /** On-demand inference of a custom model, per 1,000 tokens: as its base model. */
  readonly inferencePer1000Tokens: Readonly<Record<string, { readonly input: number; readonly output: number }>>;
} = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'prices.json'), 'utf8')).customization;

export type CustomizationPrices = typeof CUSTOMIZATION_PRICES;

/**
 * Characters per token for the estimate: a rule of thumb for English text, not
 * a documented figure for Nova's tokenizer; the job's real token count is
 * what is billed.
 */
export const CHARACTERS_PER_TOKEN = 4;

export interface TrainingEstimate {
  readonly baseModel: string;
  readonly characters: number;
  readonly epochs: number;
  /** Tokens processed: the data's estimated tokens times the epochs. */
  readonly tokens: number;
  readonly pricePer1000Tokens?: number;
  readonly trainingUsd?: number;
  readonly storagePerMonthUsd: number;
  readonly pricesVerified: boolean;
}

export function trainingEstimate(
  baseModel: string,
  characters: number,
  epochs: number,
  prices: CustomizationPrices = CUSTOMIZATION_PRICES,
): TrainingEstimate {
  const tokens = Math.ceil(characters / CHARACTERS_PER_TOKEN) * epochs;
  const price = prices.trainingPer1000Tokens[baseModel];
  return {
    baseModel,
    characters,
    epochs,
    tokens,
    ...(price === undefined ? {} : { pricePer1000Tokens: price, trainingUsd: (tokens / 1000) * price }),
    storagePerMonthUsd: prices.storagePerModelMonth,
    pricesVerified: prices.verified,
  };
}

/** Dollars with enough digits for a small amount to show. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount < 0.01) return `$${amount.toPrecision(2)}`;
  return `$${amount.toFixed(2)}`;
}

const UNVERIFIED = `prices are UNVERIFIED estimates: check ${CUSTOMIZATION_PRICES.source}`;

/** The lines `start` prints before it creates the job. */
export function estimateLines(estimate: TrainingEstimate): string[] {
  const training =
    estimate.trainingUsd === undefined
      ? `no training price known for ${estimate.baseModel}`
      : `about ${usd(estimate.trainingUsd)} at ${usd(estimate.pricePer1000Tokens ?? 0)} per 1,000 tokens`;
  return [
    `Cost estimate: ${estimate.characters.toLocaleString('en-US')} characters ≈ ${Math.ceil(estimate.characters / CHARACTERS_PER_TOKEN).toLocaleString('en-US')} tokens × ${estimate.epochs} epochs = ${estimate.tokens.toLocaleString('en-US')} tokens: ${training}.`,
    `Then the custom model it makes is stored for about ${usd(estimate.storagePerMonthUsd)} a month until you delete it (npm run customize -- delete).`,
    ...(estimate.pricesVerified ? [] : [`(${UNVERIFIED}; the job bills the tokens it really counts.)`]),
  ];
}

/** The lines `deploy` prints before it creates the deployment. */
export function deploymentCostLines(baseModel: string | undefined, prices: CustomizationPrices = CUSTOMIZATION_PRICES) {
  const perToken = baseModel ? prices.inferencePer1000Tokens[baseModel] : undefined;
  return [
    `A deployment bills per token, in and out, like its base model${perToken ? ` (about ${usd(perToken.input)} per 1,000 input and ${usd(perToken.output)} per 1,000 output tokens)` : ''}; the custom model's storage (about ${usd(prices.storagePerModelMonth)} a month) is billed already, deployed or not.`,
    ...(prices.verified ? [] : [`(${UNVERIFIED}.)`]),
  ];
}
