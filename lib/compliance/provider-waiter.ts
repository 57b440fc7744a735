import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { XRAY_TRACING_ACTIONS } from '../shared/xray';
import { acknowledgeWildcardResource } from './acknowledge';

/**
 * The Step Functions state machine the Provider framework adds for an
 * isComplete handler, on the project's rules: CDK gives its role an inline
 * policy (its DefaultPolicy), which is replaced by a customer-managed one
 * naming the framework's two functions exactly, plus what Step Functions
 * needs to deliver its log to the handlers' log group and its traces to
 * X-Ray (tracing on, as the Step Functions rules of the gate ask).
 */
export function hardenWaiterStateMachine(waiter: IConstruct, logGroup: logs.ILogGroup): sfn.CfnStateMachine {
  const stateMachine = waiter.node.findChild('Resource') as sfn.CfnStateMachine;
  const role = waiter.node.findChild('Role') as iam.Role;
  const provider = waiter.node.scope as IConstruct;
  const functionArn = (id: string) => (provider.node.findChild(id) as lambda.IFunction).functionArn;
  // Replaced below; CDK's grants (the functions' ARNs with ":*" as well) go with it.
  role.node.tryRemoveChild('DefaultPolicy');
  const policy = new iam.ManagedPolicy(waiter, 'Policy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'InvokeFrameworkFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: [functionArn('framework-isComplete'), functionArn('framework-onTimeout')],
      }),
      // The actions AWS lists for a state machine that logs to CloudWatch
      // Logs; log delivery has no resource type, so "*"
      // (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy).
      new iam.PolicyStatement({
        sid: 'DeliverExecutionLog',
        actions: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
      // What CDK's own StateMachine grants with tracingEnabled.
      new iam.PolicyStatement({
        sid: 'SendTraces',
        actions: XRAY_TRACING_ACTIONS,
        resources: ['*'],
      }),
    ],
  });
  stateMachine.tracingConfiguration = { enabled: true };
  acknowledgeWildcardResource(
    policy,
    '*',
    `CloudWatch Logs' log-delivery and X-Ray's tracing actions have no resource type; the state machine delivers its execution log (without execution data) to ${logGroup.node.path} only, as its LoggingConfiguration names, and its traces to X-Ray.`,
  );
  stateMachine.node.addDependency(policy);
  return stateMachine;
}
