import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';

/**
 * A deployed stack's outputs by key, or undefined when the stack does not
 * exist (the commands then say which stack to deploy). Other errors, such as
 * access denied, are the caller's to explain.
 */
export async function stackOutputs(
  cloudformation: Pick<CloudFormationClient, 'send'>,
  stack: string,
): Promise<Record<string, string> | undefined> {
  try {
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    // CloudFormation answers ValidationError "Stack with id X does not exist".
    if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
    throw error;
  }
}

/** Every resource of a stack (ListStackResources, all pages); a deleted stack is named by its id. */
export async function stackResourceList(
  cloudformation: Pick<CloudFormationClient, 'send'>,
  stack: string,
): Promise<StackResourceSummary[]> {
  const all: StackResourceSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudformation.send(new ListStackResourcesCommand({ StackName: stack, NextToken }));
    all.push(...(page.StackResourceSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}
