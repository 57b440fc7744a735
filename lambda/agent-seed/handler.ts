import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { customerItem, FICTIONAL_CUSTOMERS } from '../../lib/shared/agent-contract';
import {
  type CustomResourceDependencies,
  type CustomResourceEvent,
  CustomResourceFailure,
  customResource,
  InvalidPropertiesError,
  type OnEventResult,
} from '../shared/custom-resource';
import { describeError } from '../shared/retry';
import { errorName, isTransientSdkError } from '../shared/sdk-errors';

/**
 * CloudFormation custom resource that seeds the customer-plan store with the
 * fictional customers (lib/shared/agent-contract.ts), behind aws-cdk-lib's
 * Provider framework (lambda/shared/custom-resource.ts).
 *
 * - Create and Update: put each customer that is not there yet. A customer
 *   already there is left alone: a person may have changed that plan since
 *   (through the agent), and a deployment must not undo it.
 * - Delete: nothing. The table is retained or deleted with its stack, and
 *   removing customers here would only race that.
 */

/** Longest one DynamoDB call may take: the client's connection plus request timeouts (index.ts). */
export const CALL_TIMEOUT_MS = 5_000;

/** DynamoDB's errors that a later attempt can get past. */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'LimitExceededException',
]);

/** A DynamoDB table name (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html). */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export interface HandlerDependencies extends CustomResourceDependencies {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
}

/** The physical id: one seeding per table, the same on every update. */
export function physicalId(tableName: string): string {
  return `${tableName}-seed`;
}

function tableNameOf(event: CustomResourceEvent): string {
  const name = event.ResourceProperties?.TableName;
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    throw new InvalidPropertiesError('TableName must be the name of a DynamoDB table');
  }
  return name;
}

export function createHandler(deps: HandlerDependencies) {
  const { retrying, handler } = customResource(deps);
  const { dynamodb, logger } = deps;
  const isTransient = (error: unknown) => isTransientSdkError(error, TRANSIENT);

  /** Puts one customer unless it is there: 'added' or 'present'. */
  async function seed(table: string, index: number, deadline: number): Promise<'added' | 'present'> {
    const customer = FICTIONAL_CUSTOMERS[index];
    try {
      await retrying(
        deadline,
        isTransient,
        () =>
          dynamodb.send(
            new PutItemCommand({
              TableName: table,
              Item: customerItem(customer),
              ConditionExpression: 'attribute_not_exists(#customerId)',
              ExpressionAttributeNames: { '#customerId': 'customerId' },
            }),
          ),
        { customerId: customer.customerId },
      );
      return 'added';
    } catch (error) {
      // withRetry wraps the last error; a failed condition is never retried, so it is the first.
      const cause = (error as { lastError?: unknown }).lastError ?? error;
      if (errorName(cause) === 'ConditionalCheckFailedException') return 'present';
      throw new CustomResourceFailure(`PutItem of ${customer.customerId} failed: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  return handler(CALL_TIMEOUT_MS, async (event: CustomResourceEvent, type, deadline): Promise<OnEventResult> => {
    // The framework answers a Delete with the event's own id.
    if (type === 'Delete') return {};
    const table = tableNameOf(event);
    const outcomes: ('added' | 'present')[] = [];
    for (let i = 0; i < FICTIONAL_CUSTOMERS.length; i++) outcomes.push(await seed(table, i, deadline));
    logger.info('Customer-plan store seeded', {
      table,
      added: FICTIONAL_CUSTOMERS.filter((_, i) => outcomes[i] === 'added').map((c) => c.customerId),
      present: FICTIONAL_CUSTOMERS.filter((_, i) => outcomes[i] === 'present').map((c) => c.customerId),
    });
    return { PhysicalResourceId: physicalId(table) };
  });
}
