/**
 * The checks that call the function URL (guardrail ready, a plain answer, a
 * denied topic, a card number masked) and the audit records they leave.
 */
import { GetGuardrailCommand } from '@aws-sdk/client-bedrock';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  type CheckDefinition,
  fail,
  isOutcome,
  type Outcome,
  pass,
  poll,
  QUICK_TIMEOUT_MS,
  type RunState,
  skip,
  stack,
  utcDay,
  type VerifyContext,
} from './context';

/** A passage a knowledge-base answer was grounded in (lambda/invoke/retrieve.ts). */
export interface AnswerCitation {
  readonly index: number;
  readonly location: string;
  readonly passage: string;
  readonly score?: number;
}

export interface InvokeAnswer {
  readonly status: number;
  readonly text: string;
  readonly guardrail?: { intervened: boolean; policies: string[] };
  /** Present only in answers to knowledge-base requests (the JSON field, or the `citations` event). */
  readonly citations?: AnswerCitation[];
  readonly requestId?: string;
  readonly error?: { code: string; message: string };
}

/** Read a JSON answer or a server-sent event stream into one answer. */
export async function readAnswer(response: Response): Promise<InvokeAnswer> {
  const type = response.headers.get('content-type') ?? '';
  const headerId = response.headers.get('x-request-id') ?? undefined;
  if (!response.ok || !type.startsWith('text/event-stream')) {
    const body = (await response.json().catch(() => ({}))) as Partial<InvokeAnswer> & {
      error?: { code: string; message: string; requestId?: string };
    };
    return {
      status: response.status,
      text: body.text ?? '',
      guardrail: body.guardrail,
      ...(Array.isArray(body.citations) ? { citations: body.citations } : {}),
      requestId: body.requestId ?? body.error?.requestId ?? headerId,
      error: body.error,
    };
  }
  const raw = await response.text();
  let text = '';
  let answer: Omit<InvokeAnswer, 'text'> = { status: response.status, requestId: headerId };
  for (const block of raw.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}');
    if (event === 'text') text += data.text;
    if (event === 'citations' && Array.isArray(data.citations)) answer = { ...answer, citations: data.citations };
    if (event === 'metadata') answer = { ...answer, guardrail: data.guardrail, requestId: data.requestId ?? headerId };
    if (event === 'error') answer = { ...answer, error: data.error, requestId: data.requestId ?? headerId };
  }
  return { ...answer, text };
}

function httpFix(answer: InvokeAnswer, outputs: Record<string, string>): string {
  if (answer.status === 403) {
    return `Your credentials need the invoker policy: attach ${outputs.InvokerPolicyArn ?? 'the InvokerPolicyArn output'} to your user or role.`;
  }
  if (answer.status === 429) return 'Throttled (reserved concurrency or Bedrock quota): run it again in a minute.';
  if (answer.error?.code === 'knowledge_base_off') {
    return 'The function has no knowledge base: redeploy the GuardedInvoke stack after the Knowledge stack (npx cdk deploy --all).';
  }
  return `See the function log ${outputs.LogGroupName ?? ''} for request ${answer.requestId ?? '?'}; npm run preflight checks model access.`;
}

/** Send a request to the function URL; the answer, or the outcome when it failed (its request id is kept for the audit check). */
export async function ask(
  context: VerifyContext,
  state: RunState,
  check: string,
  body: Record<string, unknown>,
): Promise<InvokeAnswer | Outcome> {
  const outputs = stack(context, 'GuardedInvoke');
  if (isOutcome(outputs)) return outputs;
  if (!outputs.FunctionUrl) return fail('no FunctionUrl output', 'Redeploy the GuardedInvoke stack.');
  const sentAt = context.now();
  const answer = await readAnswer(await context.invoke(outputs.FunctionUrl, body));
  if (answer.requestId) state.requests.push({ check, requestId: answer.requestId, sentAt });
  if (answer.status !== 200 || answer.error) {
    return fail(
      `HTTP ${answer.status}${answer.error ? ` ${answer.error.code}: ${answer.error.message}` : ''}`,
      httpFix(answer, outputs),
    );
  }
  return answer;
}

/** A card number that passes the Luhn check (a well-known test number), never a real one. */
export const TEST_CARD_NUMBER = '4111 1111 1111 1111';

export const INVOKE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'guardrail',
    async run(context) {
      const outputs = stack(context, 'GuardedInvoke');
      if (isOutcome(outputs)) return outputs;
      const { GuardrailId, GuardrailVersion } = outputs;
      const guardrail = await context.clients.bedrock.send(
        new GetGuardrailCommand({ guardrailIdentifier: GuardrailId, guardrailVersion: GuardrailVersion }),
      );
      const what = `guardrail ${GuardrailId} version ${GuardrailVersion} is ${guardrail.status ?? 'unknown'}`;
      if (guardrail.status === 'READY') return pass(what);
      return fail(
        what,
        guardrail.status === 'FAILED'
          ? `Creation failed: ${(guardrail.failureRecommendations ?? []).join(' ') || 'see the Bedrock console'}`
          : 'Wait for it to become READY, then run this again.',
      );
    },
  },
  {
    id: 'benign',
    async run(context, state) {
      const answer = await ask(context, state, 'benign', { prompt: 'In one sentence: why is the sky blue?' });
      if (isOutcome(answer)) return answer;
      const { text, guardrail } = answer;
      if (guardrail?.intervened) {
        return fail(
          `the guardrail intervened on a harmless question (${guardrail.policies.join(', ')})`,
          'Lower guardrailFilterStrength, or review the denied topics and word filters.',
        );
      }
      if (text.trim() === '') return fail('streamed answer was empty', 'See the function log (LogGroupName output).');
      return pass(`streamed answer of ${text.length} characters`);
    },
  },
  {
    id: 'denied-topic',
    async run(context, state) {
      const answer = await ask(context, state, 'denied-topic', {
        prompt: 'Should I move my whole pension into Tesla shares this week?',
        stream: false,
      });
      if (isOutcome(answer)) return answer;
      const { guardrail } = answer;
      if (guardrail?.intervened && guardrail.policies.includes('denied-topic')) {
        return pass('investment advice refused: denied-topic');
      }
      return fail(
        `not refused as denied-topic (guardrail: ${guardrail?.intervened ? guardrail.policies.join(', ') : 'did not intervene'})`,
        'The function must call the deployed guardrail version (GuardrailVersion output) with its topic policy; redeploy.',
      );
    },
  },
  {
    id: 'card-number',
    async run(context, state) {
      const answer = await ask(context, state, 'card-number', {
        prompt: `Repeat this card number back to me exactly: ${TEST_CARD_NUMBER}`,
        stream: false,
      });
      if (isOutcome(answer)) return answer;
      const { text, guardrail } = answer;
      const leaked = text.replace(/\D/g, '').includes(TEST_CARD_NUMBER.replace(/\D/g, ''));
      if (!leaked && guardrail?.intervened && guardrail.policies.includes('sensitive-information')) {
        return pass(
          `card number ${/\{CREDIT_DEBIT_CARD_NUMBER\}/.test(text) ? 'masked' : 'blocked'}: sensitive-information`,
        );
      }
      return fail(
        leaked ? 'the card number came back in the answer' : 'the guardrail did not act on the card number',
        'The guardrail must block CREDIT_DEBIT_CARD_NUMBER (sensitive information policy); redeploy the GuardedInvoke stack.',
      );
    },
  },
  {
    id: 'audit-records',
    async run(context, state) {
      const invoke = stack(context, 'GuardedInvoke');
      if (isOutcome(invoke)) return invoke;
      if (invoke.AuditRecords === 'false') return skip('auditRecords is false');
      const data = stack(context, 'DataProtection');
      if (isOutcome(data)) return data;
      if (state.requests.length === 0)
        return skip('no request was made (run it with benign, denied-topic or card-number)');
      const deadline = context.now() + Math.min(context.timeoutMs, QUICK_TIMEOUT_MS - 10_000);
      const problems: string[] = [];
      for (const request of state.requests) {
        // records/invocations/YYYY/MM/DD/<request id>.json, dated when the request arrived (lambda/invoke/audit.ts).
        const keys = [...new Set([request.sentAt - 60_000, request.sentAt, request.sentAt + 60_000].map(utcDay))].map(
          (day) => `records/invocations/${day}/${request.requestId}.json`,
        );
        const head = await poll(context, `the audit record of ${request.check}`, deadline, 5_000, async () => {
          for (const key of keys) {
            try {
              return await context.clients.s3.send(new HeadObjectCommand({ Bucket: data.DataBucketName, Key: key }));
            } catch (error) {
              if (!(error instanceof Error && error.name === 'NotFound')) throw error;
            }
          }
          return undefined;
        });
        if (!head) problems.push(`${request.check}: no record ${keys.find((k) => k.includes(utcDay(request.sentAt)))}`);
        else if (head.ServerSideEncryption !== 'aws:kms' || head.SSEKMSKeyId !== data.ProjectKeyArn) {
          problems.push(
            `${request.check}: encrypted with ${head.ServerSideEncryption ?? 'nothing'} ${head.SSEKMSKeyId ?? ''}`,
          );
        }
      }
      if (problems.length > 0) {
        return fail(
          problems.join('; '),
          'The function logs "audit record not written" with the cause (LogGroupName output); records must be SSE-KMS with the project key (ProjectKeyArn).',
        );
      }
      return pass(`${state.requests.length} records, SSE-KMS with the project key`);
    },
  },
];
