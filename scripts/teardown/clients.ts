/**
 * Every AWS call of `npm run teardown` goes through these clients, reduced to
 * `send`, so the tests stub each API with responses shaped like the SDK's own
 * types (aws-sdk-client-mock) and nothing here can call AWS by another road.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

type Send<C extends { send: unknown }> = Pick<C, 'send'>;

export interface TeardownClients {
  readonly cloudformation: Send<CloudFormationClient>;
  readonly iam: Send<IAMClient>;
  readonly s3: Send<S3Client>;
  readonly kms: Send<KMSClient>;
  readonly logs: Send<CloudWatchLogsClient>;
  readonly s3vectors: Send<S3VectorsClient>;
  readonly sagemaker: Send<SageMakerClient>;
  readonly guardduty: Send<GuardDutyClient>;
  readonly macie: Send<Macie2Client>;
  readonly securityhub: Send<SecurityHubClient>;
  readonly config: Send<ConfigServiceClient>;
  readonly bedrock: Send<BedrockClient>;
  readonly dynamodb: Send<DynamoDBClient>;
}

export function teardownClients(region: string, credentials: AwsCredentialIdentityProvider): TeardownClients {
  const c = { region, credentials };
  return {
    cloudformation: new CloudFormationClient(c),
    // IAM is global; the SDK signs for us-east-1 whatever the region.
    iam: new IAMClient(c),
    s3: new S3Client(c),
    kms: new KMSClient(c),
    logs: new CloudWatchLogsClient(c),
    s3vectors: new S3VectorsClient(c),
    sagemaker: new SageMakerClient(c),
    guardduty: new GuardDutyClient(c),
    macie: new Macie2Client(c),
    securityhub: new SecurityHubClient(c),
    config: new ConfigServiceClient(c),
    bedrock: new BedrockClient(c),
    dynamodb: new DynamoDBClient(c),
  };
}

/** One step's result, for the report. */
export interface Outcome {
  readonly step: string;
  /** done: changed now; gone: nothing to do (already removed); left: kept on purpose; failed. */
  readonly status: 'done' | 'gone' | 'left' | 'failed';
  readonly detail?: string;
  /** Why this still costs money afterwards, if it does. */
  readonly bills?: string;
}

/** `Name: message` of an error, for a report line. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The error is the service saying the thing does not exist. */
export function notFound(error: unknown, pattern = /NotFound|NoSuch|does not exist|not exist/i): boolean {
  return error instanceof Error && (pattern.test(error.name) || pattern.test(error.message));
}
