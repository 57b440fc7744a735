import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { MAX_TOOL_CALLS_PER_TURN, TURN_EXPIRY_ATTRIBUTE, turnItemKey } from '../../lib/shared/agent-contract';
import { isConditionFailure } from './store';

/**
 * The bound on one turn's tool calls, counted in the store under the turn id
 * the trusted caller puts in the turn's prompt session attributes (TURN_ID).
 * Bedrock hands the caller's prompt session attributes to every tool call of
 * the turn; whether it passes on values a tool returns is not documented, so
 * the count is kept in the store, where it holds either way.
 *
 * One item per turn (turnItemKey), counted by one conditional update, so
 * turns of two sessions of the same customer never reset each other's
 * count; DynamoDB's time to live removes the item a day later. A call the
 * bound refuses changes nothing.
 */
export type TurnCount = 'allowed' | 'limit';

type Store = Pick<DynamoDBClient, 'send'>;

/** How long a turn's count is kept: far longer than any turn, short enough not to pile up. */
const TURN_ITEM_LIFETIME_SECONDS = 24 * 60 * 60;

export async function countCall(
  store: Store,
  table: string,
  customerId: string,
  turnId: string,
  nowMs: number,
): Promise<TurnCount> {
  try {
    await store.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { customerId: { S: turnItemKey(customerId, turnId) } },
        UpdateExpression: 'ADD #calls :one SET #expires = if_not_exists(#expires, :expires)',
        ConditionExpression: 'attribute_not_exists(#calls) OR #calls < :max',
        ExpressionAttributeNames: { '#calls': 'turnCalls', '#expires': TURN_EXPIRY_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':max': { N: String(MAX_TOOL_CALLS_PER_TURN) },
          ':expires': { N: String(Math.floor(nowMs / 1000) + TURN_ITEM_LIFETIME_SECONDS) },
        },
      }),
    );
    return 'allowed';
  } catch (error) {
    if (isConditionFailure(error)) return 'limit';
    throw error;
  }
}
