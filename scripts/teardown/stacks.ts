/**
 * Delete the stacks one at a time, in dependency order, waiting for each.
 *
 * CloudFormation's own DeleteStack rather than `cdk destroy`: the order comes
 * from the deployed stacks (inventory.ts), not from synthesizing the app with
 * today's local settings, and each failure can be reported with its reason.
 * A stack already DELETE_FAILED is deleted again (a second run after a fix).
 */
import { DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describeError, type Outcome, type TeardownClients } from './clients';
import type { DeployedStack } from './inventory';

export interface WaitOptions {
  readonly sleep: (ms: number) => Promise<void>;
  /** Between two DescribeStacks calls. */
  readonly pollMs: number;
  /** Give up waiting after this long (the delete itself goes on). */
  readonly timeoutMs: number;
}

export const DEFAULT_WAIT: WaitOptions = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  pollMs: 10_000,
  timeoutMs: 60 * 60_000,
};

async function statusOf(clients: TeardownClients, stackId: string): Promise<{ status: string; reason?: string }> {
  const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackId }));
  return { status: Stacks?.[0]?.StackStatus ?? 'DELETE_COMPLETE', reason: Stacks?.[0]?.StackStatusReason };
}

/** The first reasons CloudFormation gave for resources it could not delete. */
async function failureReasons(clients: TeardownClients, stackId: string): Promise<string> {
  const { StackEvents } = await clients.cloudformation.send(new DescribeStackEventsCommand({ StackName: stackId }));
  const failed = (StackEvents ?? [])
    .filter((e) => e.ResourceStatus === 'DELETE_FAILED' && e.LogicalResourceId !== e.StackName)
    .slice(0, 3)
    .map((e) => `${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatusReason ?? 'no reason given'}`);
  return failed.join('; ');
}

async function deleteOne(
  clients: TeardownClients,
  stack: DeployedStack,
  wait: WaitOptions,
  progress: (text: string) => void,
): Promise<Outcome> {
  const step = `delete stack ${stack.name}`;
  const busy = /_IN_PROGRESS$/.test(stack.status) && stack.status !== 'DELETE_IN_PROGRESS';
  if (busy) {
    return {
      step,
      status: 'failed',
      detail: `the stack is ${stack.status}; wait until it finishes (aws cloudformation describe-stacks --stack-name ${stack.name}), then run teardown again.`,
    };
  }
  try {
    if (stack.status !== 'DELETE_IN_PROGRESS') {
      await clients.cloudformation.send(new DeleteStackCommand({ StackName: stack.id }));
    }
    progress(`deleting ${stack.name}`);
    for (let waited = 0; ; waited += wait.pollMs) {
      const { status, reason } = await statusOf(clients, stack.id);
      if (status === 'DELETE_COMPLETE') return { step, status: 'done' };
      if (status === 'DELETE_FAILED') {
        const why = (await failureReasons(clients, stack.id)) || reason || 'no reason given';
        return {
          step,
          status: 'failed',
          detail: `DELETE_FAILED: ${why}. Fix that (the AWS console's Events tab of the stack shows the same), then run teardown again: it continues from here.`,
        };
      }
      if (waited >= wait.timeoutMs) {
        return {
          step,
          status: 'failed',
          detail: `still ${status} after ${Math.round(wait.timeoutMs / 60_000)} minutes; run teardown again later, it waits for it.`,
        };
      }
      await wait.sleep(wait.pollMs);
    }
  } catch (error) {
    return {
      step,
      status: 'failed',
      detail: `${describeError(error)}. Check the permission cloudformation:DeleteStack and run teardown again.`,
    };
  }
}

/** Delete in order; stop at the first failure, since the stacks after it import from it or it from them. */
export async function deleteStacks(
  clients: TeardownClients,
  ordered: readonly DeployedStack[],
  wait: WaitOptions,
  progress: (text: string) => void,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const stack of ordered) {
    const outcome = await deleteOne(clients, stack, wait, progress);
    out.push(outcome);
    if (outcome.status === 'failed') break;
  }
  return out;
}
