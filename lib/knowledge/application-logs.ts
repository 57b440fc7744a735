import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { projectKeyLogGroup } from '../compliance/deploy-time-function';

export interface ApplicationLogsProps {
  /** The knowledge base whose ingestion jobs are logged. */
  readonly knowledgeBaseArn: string;
  /**
   * Part of the delivery source's name that changes when the knowledge base
   * is replaced: a source names one resource, and its name is unique in the
   * account, so the replacement's source must have a name of its own.
   */
  readonly generation: string;
  /** The project key: the log lines name documents, so they are encrypted like them. */
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The knowledge base's application logs in a log group of the project: what
 * each ingestion job did with each document, by name, which the job's own
 * statistics only count. Bedrock delivers them through CloudWatch Logs'
 * vended-log delivery: a delivery source (the knowledge base, log type
 * APPLICATION_LOGS: "For Amazon Bedrock, the valid value is
 * APPLICATION_LOGS", https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html),
 * a delivery destination (the log group) and the delivery joining them.
 * CloudWatch Logs is one of the destinations Bedrock lists ("Logging
 * destination (either CloudWatch Logs, Amazon S3, Amazon Data Firehose)",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-bases-logging.html).
 *
 * The log group is encrypted with the project key by CloudWatch Logs itself
 * as it ingests, whoever writes ("After you associate a customer managed key
 * with a log group, all newly ingested data for the log group is encrypted
 * using this key",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html),
 * which the key policy already allows for the app's log groups (its
 * encryption context names the log group). For a CloudWatch Logs destination
 * AWS documents a log group resource policy and no key-policy statement for
 * the delivery service ("The log group where the logs are being sent must
 * have a resource policy that includes certain permissions",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html);
 * one is documented only for Amazon S3 destinations, where the delivery
 * service writes the objects itself.
 */
export class ApplicationLogs extends Construct {
  public readonly logGroup: logs.LogGroup;
  public readonly delivery: logs.CfnDelivery;

  constructor(scope: Construct, id: string, props: ApplicationLogsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.logGroup = projectKeyLogGroup(this, 'LogGroup', {
      key: props.key,
      retention: props.retention,
      removalPolicy: props.removalPolicy,
      whyShortRetentionIsEnough:
        "a document's indexing is known once its ingestion job ends (the promotion function alerts on a failure); the lines explain a failure, and are read soon after the alert.",
    });

    // The statement CloudWatch Logs writes itself for a vended-log delivery
    // ("AWS automatically creates the following policy for it",
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html),
    // with its two source keys, aws:SourceAccount and aws:SourceArn like
    // arn:aws:logs:<region>:<account>:*, on this log group's streams only
    // rather than the page's whole group list.
    const groupArn = (resourceName: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const streams = groupArn(`${this.logGroup.logGroupName}:log-stream:*`);
    const policy = new logs.ResourcePolicy(this, 'DeliveryPolicy', {
      resourcePolicyName: `${stack.stackName}-knowledge-base-logs`,
      policyStatements: [
        new iam.PolicyStatement({
          sid: 'VendedLogDeliveryWritesKnowledgeBaseLogs',
          principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [streams],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'logs',
                resource: '*',
                arnFormat: ArnFormat.NO_RESOURCE_NAME,
              }),
            },
          },
        }),
      ],
    });

    // Unique in the account, at most 60 of [\w-]: "<stack>-kb-<8 hex>".
    const sourceName = `${stack.stackName}-kb-${props.generation}`;
    const source = new logs.CfnDeliverySource(this, 'Source', {
      name: sourceName,
      logType: 'APPLICATION_LOGS',
      resourceArn: props.knowledgeBaseArn,
    });
    const destination = new logs.CfnDeliveryDestination(this, 'Destination', {
      name: `${stack.stackName}-kb-logs`,
      // The group's ARN without the ":*" that CloudFormation's Arn attribute ends with.
      destinationResourceArn: groupArn(this.logGroup.logGroupName),
    });
    this.delivery = new logs.CfnDelivery(this, 'Delivery', {
      deliverySourceName: sourceName,
      deliveryDestinationArn: destination.attrArn,
    });
    // The source must exist, and the group must let the delivery write, before the delivery is made.
    this.delivery.node.addDependency(source, policy);
  }
}
