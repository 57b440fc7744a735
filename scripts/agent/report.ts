/**
 * What `npm run agent` reports: a turn as JSON, and Bedrock's errors said
 * with what to do about them.
 */
import type { TurnResult } from './session';

/** A turn of the session: the prompt and what came of it. */
export interface TranscriptTurn extends TurnResult {
  readonly prompt: string;
}

/** The --json form of a turn (a stable field order for people reading it). */
export function turnJson(turn: TranscriptTurn) {
  return {
    prompt: turn.prompt,
    text: turn.text,
    confirmations: turn.confirmations,
    toolCalls: turn.toolCalls,
    guardrailIntervened: turn.guardrailIntervened,
  };
}

export interface ErrorContext {
  readonly stack: string;
  readonly region: string;
  readonly callerPolicyArn?: string;
}

/**
 * One line for an error from Bedrock (thrown or in the stream), or undefined
 * for any other error (credentials, a bug): run-cli reports those.
 */
export function explain(error: unknown, { stack, region, callerPolicyArn }: ErrorContext): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const said = `${error.name}: ${error.message.replace(`${error.name}: `, '')}`;
  const policy = callerPolicyArn ?? `the CallerPolicyArn output of ${stack}`;
  switch (error.name) {
    case 'AccessDeniedException':
      return `${said}. If your identity was refused, attach the Agent stack's caller policy ${policy} to the role or user you run as (aws iam attach-role-policy / attach-user-policy --policy-arn ...); it allows InvokeAgent on this agent's alias only. Otherwise the agent's own role was refused something: the message says what.`;
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
      return `${said}. Bedrock is limiting requests: wait a minute and run it again (with --session to keep the conversation); if it persists, see the Amazon Bedrock quotas in Service Quotas for ${region}.`;
    case 'ResourceNotFoundException':
      return `${said}. The agent or its alias was not found: is ${stack} deployed in ${region} and up to date? Deploy it again.`;
    case 'DependencyFailedException':
      return `${said}. The agent's tools ended the turn: the executor refuses more tool calls than one turn may make and a call that names no turn, and stops on a store fault (or it failed itself). Its audit records under records/agent-tool-calls/ and its log group in ${stack} say which.`;
    case 'BadGatewayException':
      return `${said}. Something the agent depends on (its tool executor, model or guardrail) failed: see the executor's log group in ${stack}.`;
    case 'ConflictException':
      return `${said}. The session is busy with another request: wait for it, or start a new session (omit --session).`;
    case 'ModelNotReadyException':
      return `${said}. The model is not ready yet: run it again in a few seconds.`;
    case 'ValidationException':
      return `${said}. Bedrock refused the request as sent.`;
    case 'InternalServerException':
      return `${said}. Bedrock failed: run it again.`;
    case 'EmptyResponse':
      return said;
    default:
      // The turn's own checks (loop cap, unexpected returnControl) are plain Errors.
      return error.constructor === Error ? error.message : undefined;
  }
}
