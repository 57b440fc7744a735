import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { MAX_TOOL_CALLS_PER_TURN } from '../../lib/shared/agent-contract';
import { isConditionFailure } from './store';

/**
 * The bound on one turn's tool calls, counted in the customer's item under
 * the turn id the trusted caller puts in the turn's prompt session
 * attributes (TURN_ID). Bedrock hands the caller's prompt session attributes
 * to every tool call of the turn; whether it passes on values a tool returns
 * is not documented, so the count is kept in the store, where it holds
 * either way.
 *
 * Two conditional updates, each atomic: count one more call of this turn
 * while under the bound; or, if the item holds another turn (or none), start
 * this one at 1. A call the bound refuses changes nothing.
 */
export type TurnCount = 'allowed' | 'limit' | 'no-plan';

type Store = Pick<DynamoDBClient, 'send'>;

export async function countCall(store: Store, table: string, customerId: string, turnId: string): Promise<TurnCount> {
  const names = { '#customerId': 'customerId', '#turn': 'turnId', '#calls': 'turnCalls' };
  const key = { customerId: { S: customerId } };
  try {
    await store.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #calls = #calls + :one',
        ConditionExpression: 'attribute_exists(#customerId) AND #turn = :turn AND #calls < :max',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':turn': { S: turnId },
          ':max': { N: String(MAX_TOOL_CALLS_PER_TURN) },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'allowed';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (!error.Item) return 'no-plan';
    // This turn, at the bound.
    if (error.Item.turnId?.S === turnId) return 'limit';
  }
  try {
    await store.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #turn = :turn, #calls = :one',
        ConditionExpression: 'attribute_exists(#customerId) AND (attribute_not_exists(#turn) OR #turn <> :turn)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': { N: '1' }, ':turn': { S: turnId } },
      }),
    );
    return 'allowed';
  } catch (error) {
    // Another call of this turn started it in between: refuse rather than count twice.
    if (isConditionFailure(error)) return 'limit';
    throw error;
  }
}
