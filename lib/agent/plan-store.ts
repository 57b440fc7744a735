import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CustomResourceProvider } from '../compliance/custom-resource-provider';
import { acknowledgeDeployTimeFunction, functionLogs } from '../compliance/deploy-time-function';
import { esmBundling } from '../esm-bundling';
import { FICTIONAL_CUSTOMERS, TURN_EXPIRY_ATTRIBUTE } from '../shared/agent-contract';
import { tableKeyStatement } from './table-key';

/** One PutItem per fictional customer, retried by the SDK: well within a minute. */
const SEED_TIMEOUT = Duration.minutes(1);

export interface PlanStoreProps {
  /** The project key: the table and the seed function's logs. */
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The customer-plan store the agent's tools act on: one item per customer,
 * keyed by the customer id, seeded with fictional customers.
 *
 * Notes, agents: the agent is the go-between of the model and a back-end
 * system (here, a customer's plan). The store is that system's record, so it
 * is protected like any other: encrypted with the project key (a table key
 * we control and can revoke), point-in-time recovery (a wrong write can be
 * undone to the second), and deletion protection unless the sandbox is a
 * throwaway.
 */
export class PlanStore extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PlanStoreProps) {
    super(scope, id);
    const throwaway = props.removalPolicy === RemovalPolicy.DESTROY;
    // Named by CloudFormation, not by us: a first deployment that fails (an
    // account Bedrock Agents refuses, say) leaves the retained table behind,
    // and a fixed name would make every retry fail on it.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
      // On demand: nothing is billed while nobody talks to the agent.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !throwaway,
      removalPolicy: props.removalPolicy,
      // Each turn's tool-call count is an item of its own (lambda/agent-tools/turn.ts), gone within a day.
      timeToLiveAttribute: TURN_EXPIRY_ATTRIBUTE,
    });
    for (const id of ['NIST.800.53.R5-DynamoDBInBackupPlan', 'HIPAA.Security-DynamoDBInBackupPlan']) {
      Validations.of(this.table.node.defaultChild as dynamodb.CfnTable).acknowledge({
        id,
        reason:
          'Point-in-time recovery keeps every change of the last 35 days, restorable to the second; the store holds fictional customers, so a separate AWS Backup plan (billed per GB-month) would protect nothing more.',
      });
    }
    this.seed(props);
  }

  /**
   * Writes the fictional customers when the stack is created (and after an
   * update, any that are missing); never overwrites a record a person changed.
   */
  private seed(props: PlanStoreProps): void {
    const role = new iam.Role(this, 'SeedRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Seeds the customer-plan store with its fictional customers, once.',
    });
    const logsOf = functionLogs(
      this,
      { logGroup: 'SeedLogs', policy: 'SeedLogPolicy' },
      {
        role,
        key: props.key,
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
        whyShortRetentionIsEnough: 'it records only the seeding at deployment, which CloudFormation also records.',
      },
    );
    const policy = new iam.ManagedPolicy(this, 'SeedPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'AddMissingCustomers',
          actions: ['dynamodb:PutItem'],
          resources: [this.table.tableArn],
        }),
        tableKeyStatement(Stack.of(this), props.key, this.table),
      ],
    });
    const handler = new NodejsFunction(this, 'SeedHandler', {
      description: 'Customer-plan store custom resource: onEvent (adds the fictional customers that are missing)',
      entry: path.join(__dirname, '..', '..', 'lambda', 'agent-seed', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: SEED_TIMEOUT,
      role: role.withoutPolicyUpdates(),
      logGroup: logsOf.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: esmBundling('agent-seed'),
    });
    handler.node.addDependency(logsOf.policy, policy);
    acknowledgeDeployTimeFunction(
      handler.node.defaultChild as lambda.CfnFunction,
      'creates or updates the store (its role may only add items to this table)',
      'the DynamoDB API',
    );
    const framework = new CustomResourceProvider(this, 'SeedFramework', {
      onEventHandler: handler,
      logGroup: logsOf.logGroup,
      logPolicy: logsOf.policy,
      job: 'seeds the customer-plan store (it invokes only the seed handler)',
    });
    new CustomResource(this, 'Seed', {
      resourceType: 'Custom::PlanStoreSeed',
      serviceToken: framework.serviceToken,
      serviceTimeout: SEED_TIMEOUT.plus(Duration.minutes(1)),
      properties: {
        TableName: this.table.tableName,
        // A new list of customers seeds again (missing ones only).
        Customers: FICTIONAL_CUSTOMERS.map((c) => c.customerId).join(','),
      },
    });
  }
}
