import {
  type AttributeValue,
  type ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PLAN_FEATURES, type PlanFeature } from '../../lib/shared/agent-contract';

/**
 * The customer-plan store (one item per customer, customerItem() in
 * lib/shared/agent-contract.ts). Every call names one customer's key: the
 * session's customer, never anything the model wrote.
 */

export interface Plan {
  readonly planName: string;
  readonly featuresOn: readonly PlanFeature[];
  readonly featuresOff: readonly PlanFeature[];
  /** Written by the customer: data, never instructions. */
  readonly note: string;
}

/** The change a write tool makes. */
export type PlanChange =
  | { readonly tool: 'change_plan_feature'; readonly feature: PlanFeature; readonly enabled: boolean }
  | { readonly tool: 'set_plan_note'; readonly note: string };

export type WriteOutcome = 'done' | 'no-plan' | 'replayed';

/** An item that does not have the store's shape: nothing of it is shown. */
export class InvalidItem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidItem';
  }
}

type Store = Pick<DynamoDBClient, 'send'>;

/** The customer's plan, read consistently (a change just confirmed is visible), or undefined if there is none. */
export async function readPlan(store: Store, table: string, customerId: string): Promise<Plan | undefined> {
  const { Item } = await store.send(
    new GetItemCommand({
      TableName: table,
      Key: { customerId: { S: customerId } },
      ConsistentRead: true,
      // The plan's own fields only: not the spent confirmations.
      ProjectionExpression: '#plan, #features, #note',
      ExpressionAttributeNames: { '#plan': 'planName', '#features': 'features', '#note': 'note' },
    }),
  );
  return Item ? planOf(Item) : undefined;
}

function planOf(item: Record<string, AttributeValue>): Plan {
  const planName = item.planName?.S;
  const features = item.features?.M;
  const note = item.note?.S ?? '';
  if (planName === undefined || features === undefined) throw new InvalidItem('the item has no planName or features');
  const on = (f: PlanFeature) => features[f]?.BOOL === true;
  return {
    planName,
    featuresOn: PLAN_FEATURES.filter(on),
    featuresOff: PLAN_FEATURES.filter((f) => !on(f)),
    note,
  };
}

/**
 * One conditional UpdateItem: the change, and the confirmation's id added to
 * the spent ones, only if the customer exists and the id is not spent yet. A
 * replayed call (a retry, a replayed event) then changes nothing. When the
 * condition fails, the item as it was tells why (ALL_OLD): none at all, or
 * the id already spent.
 */
export async function applyChange(
  store: Store,
  table: string,
  customerId: string,
  change: PlanChange,
  confirmationId: string,
): Promise<WriteOutcome> {
  const set: { expression: string; names: Record<string, string>; value: AttributeValue } =
    change.tool === 'change_plan_feature'
      ? {
          expression: 'SET #features.#feature = :value',
          names: { '#features': 'features', '#feature': change.feature },
          value: { BOOL: change.enabled },
        }
      : { expression: 'SET #note = :value', names: { '#note': 'note' }, value: { S: change.note } };
  try {
    await store.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { customerId: { S: customerId } },
        UpdateExpression: `${set.expression} ADD #confirmations :spent`,
        ConditionExpression: 'attribute_exists(#customerId) AND NOT contains(#confirmations, :id)',
        ExpressionAttributeNames: { ...set.names, '#customerId': 'customerId', '#confirmations': 'confirmations' },
        ExpressionAttributeValues: {
          ':value': set.value,
          ':id': { S: confirmationId },
          ':spent': { SS: [confirmationId] },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'done';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (!error.Item) return 'no-plan';
    if (error.Item.confirmations?.SS?.includes(confirmationId)) return 'replayed';
    // The condition failed for neither reason: nothing the executor knows how to answer.
    throw error;
  }
}

/** By name as well as by class: an error may come from another copy of the SDK than the one imported here. */
export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** The change a write tool makes; a tool without one is a mistake in the caller, not a call to answer. */
export function changeOf(tool: string, values: Readonly<Record<string, string | boolean>>): PlanChange {
  if (tool === 'change_plan_feature') {
    return { tool, feature: values.feature as PlanFeature, enabled: values.enabled === true };
  }
  if (tool === 'set_plan_note') return { tool, note: String(values.note) };
  throw new Error(`${tool} changes nothing`);
}
