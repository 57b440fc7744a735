import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenPrices } from './service-dashboard';

/**
 * List prices per million tokens of the models docs/prices.json knows (the
 * same file `npm run cost` reads), by foundation-model id prefix; the
 * dashboard shows no cost estimate for any other model rather than a wrong one.
 */
const PRICED_MODELS: Record<string, { input: string; output: string }> = {
  'amazon.nova-micro': { input: 'novaMicroInputPerMillionTokens', output: 'novaMicroOutputPerMillionTokens' },
};

export function tokenPricesFor(foundationModelId: string): TokenPrices | undefined {
  const entry = Object.entries(PRICED_MODELS).find(([prefix]) => foundationModelId.startsWith(prefix));
  if (!entry) return undefined;
  const prices = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'prices.json'), 'utf8')).prices;
  return { inputPerMillion: prices[entry[1].input], outputPerMillion: prices[entry[1].output] };
}
