/**
 * npm run ask -- "your prompt" [options]
 *
 *   --template zero-shot|few-shot|chain-of-thought|negative
 *   --temperature N  --top-p N  --top-k N  --max-tokens N  --stop TEXT (repeatable)
 *   --grounding-file PATH   text the answer must be grounded in
 *   --no-stream             one JSON answer instead of streamed text
 *   --url URL               the function URL (default: read from the deployed stack)
 *   --stack NAME            stack to read the URL from (default: GuardedGenAi-GuardedInvoke)
 *
 * Signs the request with SigV4 from the default credential chain (the caller
 * needs the stack's invoker policy), streams the answer to the terminal, shows
 * a guardrail intervention plainly, and exits 1 with the server's message on errors.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import * as fs from 'node:fs';
import { runCli } from './run-cli';

export interface AskOptions {
  readonly prompt: string;
  readonly body: Record<string, unknown>;
  readonly url?: string;
  readonly stack: string;
}

/** Read the command line into the request body the function expects. */
export function parseArgs(argv: readonly string[]): AskOptions {
  const parameters: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
  const stop: string[] = [];
  let prompt: string | undefined;
  let url: string | undefined;
  let stack = 'GuardedGenAi-GuardedInvoke';
  const number = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || Number.isNaN(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    switch (arg) {
      case '--template':
        body.template = next();
        break;
      case '--temperature':
        parameters.temperature = number(arg, next());
        break;
      case '--top-p':
        parameters.topP = number(arg, next());
        break;
      case '--top-k':
        parameters.topK = number(arg, next());
        break;
      case '--max-tokens':
        parameters.maxTokens = number(arg, next());
        break;
      case '--stop':
        stop.push(next());
        break;
      case '--grounding-file':
        body.groundingSource = fs.readFileSync(next(), 'utf8');
        break;
      case '--no-stream':
        body.stream = false;
        break;
      case '--url':
        url = next();
        break;
      case '--stack':
        stack = next();
        break;
      default:
        if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
        if (prompt !== undefined) throw new Error('give the prompt as one argument (quote it)');
        prompt = arg;
    }
  }
  if (!prompt) throw new Error('usage: npm run ask -- "your prompt" [--template few-shot] [--no-stream] ...');
  if (stop.length > 0) parameters.stopSequences = stop;
  if (Object.keys(parameters).length > 0) body.parameters = parameters;
  return { prompt, body: { prompt, ...body }, url, stack };
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

/** Print a response: streamed text as it arrives, or the JSON answer. Returns the exit code. */
export async function printResponse(response: Response, out: Output): Promise<number> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.startsWith('application/json')) {
    const payload = (await response.json().catch(() => ({}))) as {
      text?: string;
      guardrail?: { intervened: boolean; policies: string[] };
      error?: { code: string; message: string; requestId: string };
    };
    if (!response.ok || payload.error) {
      out.error(`Error ${response.status}${payload.error ? ` (${payload.error.code}): ${payload.error.message}` : ''}`);
      return 1;
    }
    out.write(`${payload.text ?? ''}\n`);
    if (payload.guardrail?.intervened) out.error(guardrailNote(payload.guardrail.policies));
    return 0;
  }
  let buffer = '';
  let code = 0;
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
      if (event === 'metadata') {
        out.write('\n');
        if (data.guardrail?.intervened) out.error(guardrailNote(data.guardrail.policies));
      }
      if (event === 'error') {
        out.write('\n');
        out.error(`Error (${data.error?.code}): ${data.error?.message}`);
        code = 1;
      }
    }
  }
  return code;
}

function guardrailNote(policies: readonly string[]): string {
  return `[guardrail intervened: ${policies.length > 0 ? policies.join(', ') : 'policy'}]`;
}

async function functionUrlFromStack(stack: string): Promise<string> {
  const { Stacks } = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stack }));
  const url = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'FunctionUrl')?.OutputValue;
  if (!url) throw new Error(`stack ${stack} has no FunctionUrl output; deploy it or pass --url`);
  return url;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const url = options.url ?? (await functionUrlFromStack(options.stack));
  const { init } = await signedRequest(url, regionOf(url), JSON.stringify(options.body), fromNodeProviderChain());
  const response = await fetch(url, init);
  return printResponse(response, {
    write: (text) => process.stdout.write(text),
    error: (text) => process.stderr.write(`${text}\n`),
  });
}

runCli(module, main);
