import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * For the people and pipelines that may call the function: its URL, and no
 * other function. Attach the managed policy (the stack's InvokerPolicyArn output).
 */
export function invokerPolicy(scope: Construct, fn: lambda.IFunction): iam.ManagedPolicy {
  return new iam.ManagedPolicy(scope, 'InvokerPolicy', {
    description: 'Call the guarded invoke function URL, and no other function.',
    statements: functionUrlCallStatements(fn.functionArn),
  });
}

/** What calling one function through its IAM-authenticated URL takes, and nothing more. */
export function functionUrlCallStatements(functionArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'CallThisFunctionUrl',
      actions: ['lambda:InvokeFunctionUrl'],
      resources: [functionArn],
      conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
    }),
    // Since October 2025 a function URL call also needs InvokeFunction;
    // the condition keeps it to calls made through the URL.
    new iam.PolicyStatement({
      sid: 'InvokeOnlyThroughTheUrl',
      actions: ['lambda:InvokeFunction'],
      resources: [functionArn],
      conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    }),
  ];
}
