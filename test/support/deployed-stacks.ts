/**
 * DescribeStacks as CloudFormation answers it for a set of deployed stacks
 * (their outputs by key), and with its ValidationError for any other name,
 * for commands that read stack outputs (aws-sdk-client-mock's callsFake).
 */
export function describeStacks(stacks: Readonly<Record<string, Readonly<Record<string, string>>>>) {
  return ({ StackName }: { StackName: string }) => {
    const outputs = stacks[StackName];
    if (!outputs) {
      throw Object.assign(new Error(`Stack with id ${StackName} does not exist`), { name: 'ValidationError' });
    }
    return {
      Stacks: [
        {
          StackName,
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    };
  };
}
