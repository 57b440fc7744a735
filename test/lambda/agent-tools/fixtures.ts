/**
 * Shared test data for the agent's tool executor: events in the format Bedrock
 * Agents sends a function-details action group
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html),
 * the settings the stack gives the function, confirmations as the trusted
 * caller writes them, and the handler wired to mocked clients.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AGENT_AUDIT_PREFIX,
  MAX_TOOL_CALLS_PER_TURN,
  PLAN_ACTION_GROUP,
  parametersDigest,
  SESSION_CONFIRMATION,
  SESSION_CUSTOMER,
  TURN_ID,
} from '../../../lib/shared/agent-contract';
import type { ToolCallRecord } from '../../../lambda/agent-tools/audit';
import { createHandler } from '../../../lambda/agent-tools/handler';
import type { AgentToolsSettings } from '../../../lambda/agent-tools/settings';

export const ACCOUNT = '111111111111';
export const TABLE = 'GuardedGenAi-Agent-PlanStoreTable1A2B3C4D-1A2B3C4D5E6F';
export const BUCKET = `guarded-ai-data-${ACCOUNT}-eu-west-1`;
export const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const SETTINGS: AgentToolsSettings = {
  tableName: TABLE,
  audit: { bucket: BUCKET, prefix: AGENT_AUDIT_PREFIX, kmsKeyArn: KEY_ARN },
};
export const REQUEST_ID = '5f0b8e2c-3d1a-4c6e-9b7f-2a4d6e8f0a1c';
/** 2026-11-29T10:00:00Z: the audit key's day. */
export const NOW = Date.UTC(2026, 10, 29, 10, 0, 0);
export const SESSION_ID = '387436617183431';
export const INVOCATION_ID = '79e0feda-c6bc-4b20-a2ef-b5e1a0e3f2c1';
/** The turn the trusted caller names in the prompt session attributes. */
export const TURN = 'b6a1f0c2-7d3e-4f59-8a21-0c9e5d4b3a17';

export const conditionFailed = (item?: Record<string, AttributeValue>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: item });

/** The executor's turn-count updates (lambda/agent-tools/turn.ts) and its writes, told apart by the attributes they name. */
export const TURN_COUNTS = { ExpressionAttributeNames: { '#calls': 'turnCalls' } };
export const WRITES = { ExpressionAttributeNames: { '#confirmations': 'confirmations' } };
const isTurnCount = (input: unknown) =>
  (input as UpdateItemCommandInput).ExpressionAttributeNames?.['#calls'] === 'turnCalls';

export interface Parameter {
  name: string;
  type: string;
  value: string;
}

/** A call of `fn` for customer C-1001, as Bedrock sends it; `overrides` replace top-level fields. */
export function agentEvent(
  fn: string,
  parameters: Parameter[] = [],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    messageVersion: '1.0',
    agent: { name: 'GuardedGenAi-plan-agent', id: 'AGENT12345', alias: 'ALIAS12345', version: '1' },
    inputText: 'Please switch extra data on for me.',
    sessionId: SESSION_ID,
    actionGroup: PLAN_ACTION_GROUP,
    function: fn,
    parameters,
    sessionAttributes: { [SESSION_CUSTOMER]: 'C-1001' },
    promptSessionAttributes: { [TURN_ID]: TURN },
    ...overrides,
  };
}

export const feature = (value: string): Parameter => ({ name: 'feature', type: 'string', value });
export const enabled = (value: string): Parameter => ({ name: 'enabled', type: 'boolean', value });
export const note = (value: string): Parameter => ({ name: 'note', type: 'string', value });

/** The session attribute the trusted caller sets when the person confirms `fn` with `parameters`. */
export function confirmedCall(fn: string, parameters: Parameter[], invocationId = INVOCATION_ID): string {
  return JSON.stringify({ invocationId, function: fn, digest: parametersDigest(fn, parameters) });
}

/** A confirmed write for C-1001: the session carries the confirmation of exactly these parameters. */
export function confirmedEvent(fn: string, parameters: Parameter[], confirmed = parameters): Record<string, unknown> {
  return agentEvent(fn, parameters, {
    sessionAttributes: { [SESSION_CUSTOMER]: 'C-1001', [SESSION_CONFIRMATION]: confirmedCall(fn, confirmed) },
  });
}

/** The clients' mocks, made once per test file (mockClient replaces the classes' send) and reset by executor(). */
const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);

/** The handler with fresh mocks of DynamoDB and S3, a fixed clock and a log recorder. */
export function executor(settings: AgentToolsSettings | Error = SETTINGS) {
  dynamodb.reset();
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  // The per-turn count as DynamoDB keeps it: one item per turn, counted by
  // turn.ts's conditional update, evaluated here.
  const turns = new Map<string, number>();
  dynamodb.on(UpdateItemCommand, TURN_COUNTS).callsFake((input: UpdateItemCommandInput) => {
    const key = input.Key?.customerId.S ?? '';
    const calls = turns.get(key) ?? 0;
    if (calls >= MAX_TOOL_CALLS_PER_TURN) throw conditionFailed();
    turns.set(key, calls + 1);
    return {};
  });

  const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logged.push({ level, message, fields });
  const handler = createHandler({
    dynamodb: new DynamoDBClient({}),
    s3: new S3Client({}),
    settings,
    logger: { info: line('info'), warn: line('warn'), error: line('error') },
    now: () => NOW,
  });
  return {
    dynamodb,
    s3,
    logged,
    /** Calls of the store other than the turn count: what the tool itself read or wrote. */
    storeCalls: () => dynamodb.calls().filter((c) => !isTurnCount(c.args[0].input)),
    /** The tool's writes (UpdateItem), without the turn count. */
    writeCalls: () => dynamodb.commandCalls(UpdateItemCommand).filter((c) => !isTurnCount(c.args[0].input)),
    /** Invokes the handler as Lambda would, with the fixed request id. */
    call: (event: unknown, requestId = REQUEST_ID) => handler(event, { awsRequestId: requestId }),
    /** The audit records written so far, as stored. */
    records: (): ToolCallRecord[] =>
      s3.commandCalls(PutObjectCommand).map((c) => JSON.parse(String(c.args[0].input.Body)) as ToolCallRecord),
    /** Every log line, as one string. */
    logText: () => JSON.stringify(logged),
  };
}
