/**
 * npm run ask: send a prompt to the deployed function URL, signed with SigV4
 * (the caller needs the stack's invoker policy), stream the answer to the
 * terminal, show a guardrail intervention plainly, and exit 1 with the
 * server's message on errors.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import * as fs from 'node:fs';
import { stackNames } from '../lib/shared/names';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, JSON_OPTION, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { type Io, json } from './cli/output';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';

export const command = {
  name: 'ask',
  summary: 'Ask the deployed service a question; the answer streams to the terminal.',
  description:
    "Sends the prompt to the GuardedInvoke stack's function URL, signed with your credentials (you need the stack's invoker policy). With --knowledge the answer is grounded in passages retrieved from the knowledge base, and a Sources list (document, score, first lines of the passage) follows it. A guardrail intervention is shown on stderr; an error from the service exits 1 with its message.",
  positional: { name: 'prompt', description: 'The question (quote it).' },
  options: {
    template: {
      type: 'string',
      placeholder: 'name',
      choices: ['zero-shot', 'few-shot', 'chain-of-thought', 'negative'],
      description: 'Prompt template the function wraps the prompt in; the function uses zero-shot when omitted.',
    },
    temperature: { type: 'number', min: 0, max: 1, description: 'Sampling temperature.' },
    'top-p': {
      type: 'number',
      min: 0,
      max: 1,
      description: 'Nucleus sampling: keep the most likely tokens up to this probability.',
    },
    'top-k': { type: 'number', integer: true, min: 1, description: 'Sample from the k most likely tokens.' },
    'max-tokens': { type: 'number', integer: true, min: 1, description: 'Longest answer, in tokens.' },
    stop: { type: 'list', placeholder: 'text', description: 'Stop sequence (repeatable, or comma-separated).' },
    'grounding-file': { type: 'string', placeholder: 'path', description: 'Text file the answer must be grounded in.' },
    knowledge: {
      type: 'boolean',
      description:
        'Ground the answer in the knowledge base (load it with npm run ingest) and list the sources it cites.',
    },
    results: {
      type: 'number',
      placeholder: 'n',
      integer: true,
      min: 1,
      max: 20,
      description:
        "With --knowledge: how many passages to retrieve, at most the function's cap (retrievalResultsCap, default 5); the function decides when omitted.",
    },
    'no-stream': { type: 'boolean', description: 'Wait for the whole answer instead of streaming it.' },
    url: {
      type: 'string',
      placeholder: 'url',
      description: 'The function URL (default: the FunctionUrl output of <app>-GuardedInvoke).',
    },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: {
      ...JSON_OPTION,
      description:
        'Print the answer as one JSON document {text, guardrail, citations} (implies --no-stream; citations only with --knowledge).',
    },
  },
  examples: [
    'npm run ask -- "What is Amazon Bedrock?"',
    'npm run ask -- "Summarise the policy" --grounding-file policy.txt --template few-shot --profile dev',
    'npm run ask -- --knowledge "How does a document reach the knowledge base?" --results 3',
  ],
} as const satisfies CommandSpec;

export type AskParsed = Parsed<typeof command.options>;

/** The request body the function validates (lib/shared/invoke-contract.ts), from the command line. */
export function requestBody({ values, positional }: AskParsed, readFile = (p: string) => fs.readFileSync(p, 'utf8')) {
  const prompt = positional ?? '';
  if (prompt.trim() === '') throw new UsageError('the prompt is empty');
  const parameters: Record<string, unknown> = {};
  if (values.temperature !== undefined) parameters.temperature = values.temperature;
  if (values['top-p'] !== undefined) parameters.topP = values['top-p'];
  if (values['top-k'] !== undefined) parameters.topK = values['top-k'];
  if (values['max-tokens'] !== undefined) parameters.maxTokens = values['max-tokens'];
  if (values.stop.length > 0) parameters.stopSequences = values.stop;
  const body: Record<string, unknown> = { prompt };
  if (values.template) body.template = values.template;
  if (values.results !== undefined && !values.knowledge) throw new UsageError('--results needs --knowledge');
  if (values.knowledge && values['grounding-file']) {
    throw new UsageError('give --knowledge or --grounding-file, not both: each is a grounding source');
  }
  if (values.knowledge) body.knowledgeBase = true;
  if (values.results !== undefined) body.numberOfResults = values.results;
  if (values['grounding-file']) {
    try {
      body.groundingSource = readFile(values['grounding-file']);
    } catch (error) {
      throw new UsageError(`--grounding-file ${values['grounding-file']}: ${(error as Error).message}`);
    }
  }
  if (values['no-stream'] || values.json) body.stream = false;
  if (Object.keys(parameters).length > 0) body.parameters = parameters;
  return body;
}

/** Function URLs look like https://<id>.lambda-url.<region>.on.aws/ */
export function regionOf(url: string): string {
  const match = /\.lambda-url\.([a-z0-9-]+)\.on\.aws/.exec(new URL(url).hostname);
  if (!match) throw new Error(`not a Lambda function URL: ${url}`);
  return match[1];
}

export async function signedRequest(
  url: string,
  region: string,
  body: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): Promise<{ url: string; init: RequestInit }> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/json' },
      body,
    }),
  );
  return { url, init: { method: 'POST', headers: signed.headers, body } };
}

export interface Output {
  write(text: string): void;
  error(text: string): void;
}

/** A passage the answer was grounded in, as the function sends it (lambda/invoke/retrieve.ts). */
export interface Citation {
  readonly index: number;
  readonly location: string;
  readonly passage: string;
  readonly score?: number;
}

/** Lines of a passage shown under its source. */
const PASSAGE_LINES = 2;
const PASSAGE_WIDTH = 100;

/**
 * Passages are document text: drop control characters (an escape sequence in
 * an uploaded document must not drive the terminal) and cut long lines.
 */
function printable(text: string, width = Infinity): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return clean.length > width ? `${clean.slice(0, width - 1).trimEnd()}…` : clean;
}

/**
 * The Sources list: `[1] s3://bucket/knowledge/x.md (score 0.71)` and the
 * first lines of each passage. The function sends an empty list when nothing
 * matched, and also when the guardrail intervened (it withholds the passages then).
 */
export function sourcesText(citations: readonly Citation[], guardrailIntervened = false): string {
  if (citations.length === 0) {
    return guardrailIntervened
      ? '\nSources: withheld, because the guardrail intervened\n'
      : '\nSources: none; nothing in the knowledge base matched (load documents with npm run ingest)\n';
  }
  const lines = ['', 'Sources:'];
  for (const c of citations) {
    const score = typeof c.score === 'number' ? ` (score ${c.score.toFixed(2)})` : '';
    lines.push(`  [${c.index}] ${printable(c.location)}${score}`);
    const passage = (c.passage ?? '')
      .split(/\r?\n/)
      .map((line) => printable(line, PASSAGE_WIDTH))
      .filter(Boolean)
      .slice(0, PASSAGE_LINES);
    for (const line of passage) lines.push(`      ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Print a response: streamed text as it arrives, or the JSON answer, then the sources. Returns the exit code. */
export async function printResponse(response: Response, out: Output): Promise<number> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.startsWith('application/json')) {
    const payload = (await response.json().catch(() => ({}))) as {
      text?: string;
      guardrail?: { intervened: boolean; policies: string[] };
      citations?: Citation[];
      error?: { code: string; message: string; requestId: string };
    };
    if (!response.ok || payload.error) {
      out.error(`Error ${response.status}${payload.error ? ` (${payload.error.code}): ${payload.error.message}` : ''}`);
      return 1;
    }
    out.write(`${payload.text ?? ''}\n`);
    if (payload.guardrail?.intervened) out.error(guardrailNote(payload.guardrail.policies));
    if (Array.isArray(payload.citations)) {
      out.write(sourcesText(payload.citations, payload.guardrail?.intervened));
    }
    return 0;
  }
  let buffer = '';
  let code = 0;
  // The citations event comes after the last text and before the metadata; the list is printed once the answer's line is ended.
  let citations: Citation[] | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}');
      if (event === 'text') out.write(data.text);
      if (event === 'citations' && Array.isArray(data.citations)) citations = data.citations;
      if (event === 'metadata') {
        out.write('\n');
        if (data.guardrail?.intervened) out.error(guardrailNote(data.guardrail.policies));
        if (citations) out.write(sourcesText(citations, data.guardrail?.intervened));
        citations = undefined;
      }
      if (event === 'error') {
        out.write('\n');
        out.error(`Error (${data.error?.code}): ${data.error?.message}`);
        code = 1;
      }
    }
  }
  if (citations) out.write(sourcesText(citations));
  return code;
}

function guardrailNote(policies: readonly string[]): string {
  return `[guardrail intervened: ${policies.length > 0 ? policies.join(', ') : 'policy'}]`;
}

async function functionUrlFromStack(stack: string, target: AwsTarget): Promise<string> {
  const cloudformation = new CloudFormationClient({ region: target.region, credentials: target.credentials });
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
  const url = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'FunctionUrl')?.OutputValue;
  if (!url) throw new Error(`stack ${stack} has no FunctionUrl output; deploy it or pass --url`);
  return url;
}

/** Print the JSON answer as one document: {text, guardrail} or {error}. */
async function printJson(response: Response, io: Io): Promise<number> {
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  json(io, { status: response.status, ...payload });
  return response.ok && !payload.error ? 0 : 1;
}

async function main(parsed: AskParsed, io: Io): Promise<number> {
  const body = requestBody(parsed);
  const { values } = parsed;
  // With --url, the URL names the region it is signed for.
  const target = await resolveAws(values.url ? { ...values, region: values.region ?? regionOf(values.url) } : values);
  const url =
    values.url ?? (await functionUrlFromStack(stackNames(values.app ?? projectConfig().appName).guardedInvoke, target));
  const { init } = await signedRequest(url, regionOf(url), JSON.stringify(body), target.credentials);
  const response = await fetch(url, init);
  if (values.json) return printJson(response, io);
  return printResponse(response, { write: (text) => process.stdout.write(text), error: (text) => io.err(text) });
}

runCommand(module, command, main);
