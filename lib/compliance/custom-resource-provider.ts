import { CfnResource, type Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeDeployTimeFunction } from './deploy-time-function';
import { hardenWaiterStateMachine } from './provider-waiter';

/** Memory of the framework's functions (Lambda's default, set explicitly). */
const FRAMEWORK_MEMORY_MB = 128;

export interface CustomResourceProviderProps {
  /** Answers each request: returns `{ PhysicalResourceId, Data }` or throws. */
  readonly onEventHandler: lambda.IFunction;
  /** Polled after onEvent until it answers `IsComplete: true`. */
  readonly isCompleteHandler?: lambda.IFunction;
  readonly queryInterval?: Duration;
  readonly totalTimeout?: Duration;
  /** The handlers' log group: the framework's functions and its waiter log there too. */
  readonly logGroup: logs.ILogGroup;
  /** The customer-managed policy that lets a role write to that log group (functionLogs). */
  readonly logPolicy: iam.ManagedPolicy;
  /** What a request does, for the acknowledgements: "creates, updates or deletes ...". */
  readonly job: string;
  /**
   * The construct id of the function that served the custom resource before
   * this provider, in the same scope. CloudFormation refuses to change a
   * custom resource's ServiceToken ("Modifying service token is not allowed",
   * https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/802):
   * the framework's entry function takes that function's logical id, so the
   * token (its ARN) of a deployed stack stays the same.
   */
  readonly replacesFunction?: string;
}

/**
 * aws-cdk-lib's custom-resource Provider framework, as the project's rules
 * want it: it answers CloudFormation for the handlers (also when one throws
 * or times out), on roles of our own with customer-managed policies naming
 * the exact functions and state machine, logging to the handlers' encrypted
 * log group at the framework's default level (FATAL: the framework's own
 * log lines, which carry the request's properties, are not written).
 */
export class CustomResourceProvider extends Construct {
  public readonly provider: cr.Provider;
  public readonly serviceToken: string;
  /** Runs the framework's entry function. */
  public readonly frameworkRole: iam.Role;
  /** Runs the framework's isComplete and onTimeout functions (waiter only). */
  public readonly waiterFunctionRole?: iam.Role;
  /** The framework's own functions. */
  public readonly frameworkFunctions: lambda.Function[];
  /** The framework's entry function: its ARN is the service token. */
  public readonly entry: lambda.Function;

  constructor(scope: Construct, id: string, props: CustomResourceProviderProps) {
    super(scope, id);
    const replacedLogicalId = props.replacesFunction ? logicalIdAt(scope, props.replacesFunction) : undefined;
    const lambdaRole = (roleId: string, description: string) =>
      new iam.Role(this, roleId, { description, assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // The framework invokes a function by its unqualified ARN, after
    // GetFunction when the function is not yet active (its runtime/outbound.js).
    const invoke = (sid: string, fn: lambda.IFunction) =>
      new iam.PolicyStatement({
        sid,
        actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
        resources: [fn.functionArn],
      });

    this.frameworkRole = lambdaRole('FrameworkRole', `Answers CloudFormation for ${scope.node.path}`);
    props.logPolicy.attachToRole(this.frameworkRole);
    const frameworkPolicy = new iam.ManagedPolicy(this, 'FrameworkPolicy', {
      roles: [this.frameworkRole],
      statements: [invoke('InvokeOnEventHandler', props.onEventHandler)],
    });
    // Each function waits for the policies of its own role (a wait on the
    // other role's would close a loop through the waiter's state machine).
    const policiesOf = new Map<string, Construct[]>([['framework-onEvent', [frameworkPolicy, props.logPolicy]]]);
    if (props.isCompleteHandler) {
      this.waiterFunctionRole = lambdaRole('WaiterFunctionRole', `Polls the isComplete handler of ${scope.node.path}`);
      props.logPolicy.attachToRole(this.waiterFunctionRole);
      const waiterFunctionPolicy = new iam.ManagedPolicy(this, 'WaiterFunctionPolicy', {
        roles: [this.waiterFunctionRole],
        statements: [invoke('InvokeIsCompleteHandler', props.isCompleteHandler)],
      });
      for (const id of ['framework-isComplete', 'framework-onTimeout']) {
        policiesOf.set(id, [waiterFunctionPolicy, props.logPolicy]);
      }
    }

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: props.onEventHandler,
      isCompleteHandler: props.isCompleteHandler,
      queryInterval: props.queryInterval,
      totalTimeout: props.totalTimeout,
      logGroup: props.logGroup,
      // Immutable: the framework's own grants would land in inline policies.
      frameworkOnEventRole: this.frameworkRole.withoutPolicyUpdates(),
      frameworkCompleteAndTimeoutRole: this.waiterFunctionRole?.withoutPolicyUpdates(),
      ...(props.isCompleteHandler
        ? {
            disableWaiterStateMachineLogging: false,
            // Every state change, without the execution data (the request and its properties).
            waiterStateMachineLogOptions: {
              destination: props.logGroup,
              level: sfn.LogLevel.ALL,
              includeExecutionData: false,
            },
          }
        : {}),
    });
    this.serviceToken = this.provider.serviceToken;
    this.frameworkFunctions = this.provider.node
      .findAll()
      .filter((c): c is lambda.Function => c instanceof lambda.Function);

    this.entry = this.provider.node.findChild('framework-onEvent') as lambda.Function;
    const waiter = this.provider.node.tryFindChild('waiter-state-machine');
    if (waiter) {
      const stateMachine = hardenWaiterStateMachine(waiter, props.logGroup);
      frameworkPolicy.addStatements(
        new iam.PolicyStatement({
          sid: 'StartWaiter',
          actions: ['states:StartExecution'],
          resources: [stateMachine.ref],
        }),
      );
    }
    for (const fn of this.frameworkFunctions) {
      fn.node.addDependency(...(policiesOf.get(fn.node.id) ?? []));
      // Lambda's default, stated: the framework only invokes and answers.
      (fn.node.defaultChild as lambda.CfnFunction).memorySize = FRAMEWORK_MEMORY_MB;
      acknowledgeDeployTimeFunction(
        fn.node.defaultChild as lambda.CfnFunction,
        props.job,
        props.isCompleteHandler
          ? 'the Lambda API (its two handlers) and Step Functions (its waiter)'
          : 'the Lambda API (its handler)',
      );
    }
    if (replacedLogicalId) (this.entry.node.defaultChild as lambda.CfnFunction).overrideLogicalId(replacedLogicalId);
  }
}

/** The logical id CDK gives a function's resource at `scope/id`, found with a probe that is removed again. */
function logicalIdAt(scope: Construct, id: string): string {
  const probe = new Construct(scope, id);
  const logicalId = Stack.of(scope).getLogicalId(new CfnResource(probe, 'Resource', { type: 'Probe::Only' }));
  scope.node.tryRemoveChild(id);
  return logicalId;
}
