/**
 * The fake account every `npm run verify` test starts from: each client
 * mocked (aws-sdk-client-mock) as a deployment where everything works, all
 * switches on; a test changes one answer and looks at one check.
 */
import { AccessAnalyzerClient, GetAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import {
  BedrockClient,
  GetGuardrailCommand,
  GetModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import {
  BedrockAgentClient,
  GetIngestionJobCommand,
  GetKnowledgeBaseCommand,
  ListIngestionJobsCommand,
} from '@aws-sdk/client-bedrock-agent';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
  DescribeDeliveryChannelStatusCommand,
} from '@aws-sdk/client-config-service';
import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateSampleFindingsCommand,
  DescribePublishingDestinationCommand,
  GetDetectorCommand,
  GetFindingsCommand,
  GetMalwareProtectionPlanCommand,
  GuardDutyClient,
  ListFindingsCommand,
  ListPublishingDestinationsCommand,
} from '@aws-sdk/client-guardduty';
import { DescribeClassificationJobCommand, GetMacieSessionCommand, Macie2Client } from '@aws-sdk/client-macie2';
import {
  DeleteObjectsCommand,
  GetBucketLoggingCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetTracesCommand,
  GetTraceSegmentDestinationCommand,
  GetTraceSummariesCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { verifyClients } from '../../../scripts/verify';
import {
  type CheckResult,
  loadOutputs,
  runChecks,
  TEST_CARD_NUMBER,
  type VerifyContext,
} from '../../../scripts/verify-checks';

export const region = 'eu-west-1';
export const mocks = {
  cloudformation: mockClient(CloudFormationClient),
  bedrock: mockClient(BedrockClient),
  bedrockAgent: mockClient(BedrockAgentClient),
  s3: mockClient(S3Client),
  guardDuty: mockClient(GuardDutyClient),
  macie: mockClient(Macie2Client),
  cloudTrail: mockClient(CloudTrailClient),
  cloudWatch: mockClient(CloudWatchClient),
  sqs: mockClient(SQSClient),
  sns: mockClient(SNSClient),
  accessAnalyzer: mockClient(AccessAnalyzerClient),
  cloudWatchLogs: mockClient(CloudWatchLogsClient),
  ec2: mockClient(EC2Client),
  config: mockClient(ConfigServiceClient),
  xray: mockClient(XRayClient),
};
const clients = verifyClients(region);

export const account = '111122223333';
export const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
export const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const detectorId = '12abc34d567e8fa901bc2d34e56789f0';
export const trailArn = `arn:aws:cloudtrail:${region}:${account}:trail/GuardedGenAi-ThreatDetection-Trail`;
export const topicArn = `arn:aws:sns:${region}:${account}:GuardedGenAi-ThreatDetection-alerts`;
export const rules = ['GuardedGenAi-ThreatDetection-GuardDuty', 'GuardedGenAi-ThreatDetection-Malware'];
export const recorderName = 'GuardedGenAi-ThreatDetection-ConfigurationRecorder-AbC123';
export const invocationLogGroup = 'GuardedGenAi-Operations-InvocationLoggingLogs71B3E1B3-AbC123';
export const alarms = ['GuardedGenAi-Operations-server-error-rate', 'GuardedGenAi-Operations-throttles'];
/** Buckets, by what they hold, as CloudFormation named them. */
export const buckets = {
  dataAccessLogs: 'guardedgenai-dataprotection-accesslogsbucket-1a2b3c4d5e6f',
  threatAccessLogs: 'guardedgenai-threatdetection-accesslogsbucket-6f5e4d3c2b1a',
  trail: 'guardedgenai-threatdetection-cloudtraillogsbucket-abcdef123456',
  findings: 'guardedgenai-threatdetection-guarddutyfindingsbucket-123456abcdef',
  config: 'guardedgenai-threatdetection-configurationrecorderbucket-fedcba654321',
};
export const scanResultsRule = 'GuardedGenAi-Ingestion-PromotionScanResults061D-AbC123';
export const flowLogId = 'fl-0123456789abcdef0';
export const traceId = '1-6790a1b2-5f0c1e2d3a4b5c6d7e8f9a0b';
/**
 * A trace as BatchGetTraces returns it for a sampled invocation: Lambda's
 * service segment (with the request id) and the function segment, whose
 * subsegments hold the call span when `withSpan`.
 * https://docs.aws.amazon.com/xray/latest/api/API_BatchGetTraces.html
 */
export function sampledTrace(requestId: string, withSpan: boolean | Record<string, unknown>, id: string = traceId) {
  const fn = OUTPUTS['GuardedGenAi-GuardedInvoke'].FunctionName;
  const span =
    withSpan === true ? { id: '9f8e7d6c5b4a3921', name: 'BedrockRuntime.ConverseStream', namespace: 'aws' } : withSpan;
  const documents = [
    { id: 'a1b2c3d4e5f60718', name: fn, origin: 'AWS::Lambda', trace_id: id, aws: { request_id: requestId } },
    {
      id: '53995c3f42cd8ad8',
      name: fn,
      origin: 'AWS::Lambda::Function',
      trace_id: id,
      subsegments: [{ id: '1a2b3c4d5e6f7081', name: 'Invocation' }, ...(span ? [span] : [])],
    },
  ];
  return {
    Id: id,
    Duration: 1.2,
    Segments: documents.map((d) => ({ Id: d.id, Document: JSON.stringify(d) })),
  };
}
const resource = (
  LogicalResourceId: string,
  ResourceType: string,
  PhysicalResourceId: string,
): StackResourceSummary => ({
  LogicalResourceId,
  ResourceType,
  PhysicalResourceId,
  ResourceStatus: 'CREATE_COMPLETE' as const,
  LastUpdatedTimestamp: new Date(Date.UTC(2026, 4, 1)),
});
/** What ListStackResources answers, by stack (the resources the delivery checks look for). */
export const RESOURCES: Record<string, StackResourceSummary[]> = {
  'GuardedGenAi-DataProtection': [
    resource('DataBucketE6B0FAA8', 'AWS::S3::Bucket', 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f'),
    resource('AccessLogsBucketCD784A59', 'AWS::S3::Bucket', buckets.dataAccessLogs),
    resource('NetworkVpcFlowLog9B71FB8D', 'AWS::EC2::FlowLog', flowLogId),
  ],
  'GuardedGenAi-ThreatDetection': [
    resource('AccessLogsBucketCD784A59', 'AWS::S3::Bucket', buckets.threatAccessLogs),
    resource('CloudTrailLogsBucket72F2B4B3', 'AWS::S3::Bucket', buckets.trail),
    resource('GuardDutyFindingsBucketA1B2C3D4', 'AWS::S3::Bucket', buckets.findings),
    resource('GuardDutyFindingsExport1A2B3C4D', 'AWS::GuardDuty::PublishingDestination', `${detectorId}|d1`),
    resource('ConfigurationRecorderBucket9F8E7D6C', 'AWS::S3::Bucket', buckets.config),
    resource('ConfigurationRecorderDeliveryChannel1234ABCD', 'AWS::Config::DeliveryChannel', 'GuardedGenAi-channel'),
    resource('AlertsGuardDutyFindingsE96B1487', 'AWS::Events::Rule', 'GuardedGenAi-ThreatDetection-GuardDuty'),
    resource('AlertsMalwareFoundC042A945', 'AWS::Events::Rule', 'GuardedGenAi-ThreatDetection-Malware'),
  ],
  'GuardedGenAi-Ingestion': [resource('PromotionScanResults061D8154', 'AWS::Events::Rule', scanResultsRule)],
  'GuardedGenAi-Operations': [],
};
export const OUTPUTS = {
  'GuardedGenAi-DataProtection': { DataBucketName: bucket, ProjectKeyArn: keyArn },
  'GuardedGenAi-GuardedInvoke': {
    FunctionUrl: `https://abc123.lambda-url.${region}.on.aws/`,
    GuardrailId: 'gr1abc',
    GuardrailVersion: '3',
    InvokerPolicyArn: `arn:aws:iam::${account}:policy/Invoker`,
    ModelId: 'amazon.nova-micro-v1:0',
    AuditRecords: 'true',
    LogGroupName: '/aws/lambda/GuardedGenAi-GuardedInvoke-Invoke',
    FunctionName: 'GuardedGenAi-GuardedInvoke-InvokeFunction1A2B3C-AbC123def',
    InCodeSpans: 'true',
  },
  'GuardedGenAi-ThreatDetection': {
    GuardDutyDetectorId: detectorId,
    GuardDutyFeatures: 'S3_DATA_EVENTS,LAMBDA_NETWORK_LOGS',
    MalwareProtectionPlanId: 'b4c7f464ab3a4EXAMPLE',
    MacieClassificationJobId: '3ce05dbb7ec5505def334104bEXAMPLE',
    TrailArn: trailArn,
    ExternalAccessAnalyzerArn: `arn:aws:access-analyzer:${region}:${account}:analyzer/GuardedGenAi-external`,
    UnusedAccessAnalyzerArn: `arn:aws:access-analyzer:${region}:${account}:analyzer/GuardedGenAi-unused`,
    AlertTopicArn: topicArn,
    AlertDeadLetterQueueUrl: `https://sqs.${region}.amazonaws.com/${account}/GuardedGenAi-ThreatDetection-alert-dead-letters`,
    AlertRuleNames: rules.join(','),
    ConfigRecorderName: recorderName,
  },
  'GuardedGenAi-Operations': {
    InvocationLogGroupName: invocationLogGroup,
    DashboardName: 'GuardedGenAi',
    AlarmNames: alarms.join(','),
  },
  'GuardedGenAi-Ingestion': {
    PromotionFunctionName: 'GuardedGenAi-Ingestion-Promotion',
    PromotionQueueUrl: `https://sqs.${region}.amazonaws.com/${account}/GuardedGenAi-Ingestion-promotions`,
    PromotionDeadLetterQueueUrl: `https://sqs.${region}.amazonaws.com/${account}/GuardedGenAi-Ingestion-promotion-dead-letters`,
  },
  'GuardedGenAi-Knowledge': {
    KnowledgeBaseId: 'KB12345678',
    KnowledgeBaseArn: `arn:aws:bedrock:${region}:${account}:knowledge-base/KB12345678`,
    DataSourceId: 'DS12345678',
    VectorBucketName: 'guardedgenai-knowledge-vectors',
    VectorIndexName: 'knowledge',
  },
};
export const citation = (index: number, name: string, score: number) => ({
  index,
  location: `s3://${bucket}/knowledge/docs/${name}`,
  passage: 'Documents go to incoming/ first; the promotion function copies clean ones to knowledge/.',
  score,
});

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
export const sse = (...events: [string, unknown][]) =>
  new Response(events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join(''), {
    headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req-benign' },
  });

type FakeInvoke = jest.Mock<Promise<Response>, [string, Record<string, unknown>]>;
/** The function URL and the clock of a test: tests replace `fake.invoke`; `fake.clock` moves only when a check sleeps. */
export const fake = { invoke: jest.fn() as FakeInvoke, clock: 0 };
/** The function as deployed: answers, refuses the denied topic, blocks the card number. */
function workingFunction(): FakeInvoke {
  return jest.fn(async (_url: string, body: Record<string, unknown>) => {
    const prompt = String(body.prompt);
    if (prompt.includes('pension')) {
      return json({
        text: "Your request was blocked by this service's safety policy.",
        guardrail: { intervened: true, inputRefused: true, policies: ['denied-topic'] },
        requestId: 'req-topic',
      });
    }
    if (body.knowledgeBase === true) {
      return json({
        text: 'They are uploaded to incoming/, scanned, and promoted to knowledge/ [1][2].',
        guardrail: { intervened: false, policies: [] },
        citations: [citation(1, 'data-protection.md', 0.71), citation(2, 'commands.md', 0.64)],
        requestId: 'req-knowledge',
      });
    }
    if (prompt.includes(TEST_CARD_NUMBER)) {
      return json({
        text: "Your request was blocked by this service's safety policy.",
        guardrail: { intervened: true, inputRefused: true, policies: ['sensitive-information'] },
        requestId: 'req-card',
      });
    }
    return sse(
      ['text', { text: 'Shorter blue wavelengths ' }],
      ['text', { text: 'scatter more.' }],
      ['metadata', { guardrail: { intervened: false, policies: [] }, requestId: 'req-benign' }],
    );
  });
}

/** An account where everything works. */
function workingAccount() {
  const now = () => new Date(fake.clock);
  mocks.cloudformation.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: keyof typeof OUTPUTS }) => ({
    Stacks: [
      {
        StackName,
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(OUTPUTS[StackName]).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  }));
  mocks.bedrock.on(GetGuardrailCommand).resolves({ status: 'READY' } as never);
  mocks.xray.on(GetTraceSegmentDestinationCommand).resolves({ Destination: 'XRay', Status: 'ACTIVE' });
  mocks.xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [{ Id: traceId }] });
  mocks.xray.on(BatchGetTracesCommand).resolves({ Traces: [sampledTrace('req-benign', true)] });
  mocks.bedrockAgent.on(GetKnowledgeBaseCommand).resolves({ knowledgeBase: { status: 'ACTIVE' } as never });
  mocks.bedrockAgent.on(ListIngestionJobsCommand).resolves({
    ingestionJobSummaries: [
      {
        knowledgeBaseId: 'KB12345678',
        dataSourceId: 'DS12345678',
        ingestionJobId: 'JOB1234567',
        status: 'COMPLETE',
        startedAt: new Date(),
        updatedAt: new Date(),
        statistics: {
          numberOfNewDocumentsIndexed: 18,
          numberOfModifiedDocumentsIndexed: 1,
          numberOfDocumentsFailed: 0,
        },
      },
    ],
  });
  mocks.s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
  mocks.s3.on(PutObjectCommand).resolves({});
  mocks.s3.on(GetObjectTaggingCommand).callsFake(({ Key }: { Key: string }) => ({
    TagSet: [
      { Key: 'GuardDutyMalwareScanStatus', Value: Key.includes('eicar') ? 'THREATS_FOUND' : 'NO_THREATS_FOUND' },
    ],
  }));
  mocks.s3.on(ListObjectVersionsCommand).callsFake(({ Prefix }: { Prefix: string }) => ({
    Versions: [
      { Key: `${Prefix}harmless.txt`, VersionId: 'v1' },
      { Key: `${Prefix}eicar-test-file.txt`, VersionId: 'v2' },
    ],
  }));
  mocks.s3.on(DeleteObjectsCommand).resolves({});
  mocks.guardDuty.on(GetDetectorCommand).resolves({
    Status: 'ENABLED',
    ServiceRole: 'r',
    Features: [
      { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
      { Name: 'LAMBDA_NETWORK_LOGS', Status: 'ENABLED' },
      { Name: 'EBS_MALWARE_PROTECTION', Status: 'DISABLED' },
    ],
  });
  mocks.guardDuty.on(GetMalwareProtectionPlanCommand).resolves({ Status: 'ACTIVE' });
  mocks.guardDuty.on(CreateSampleFindingsCommand).resolves({});
  mocks.macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
  mocks.macie.on(DescribeClassificationJobCommand).resolves({ jobStatus: 'IDLE' });
  mocks.cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  mocks.cloudTrail.on(GetEventSelectorsCommand).resolves({
    AdvancedEventSelectors: [
      {
        Name: 'Data bucket objects',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'resources.ARN', StartsWith: [`arn:aws:s3:::${bucket}/`] },
        ],
      },
    ],
  });
  mocks.cloudWatch.on(GetMetricStatisticsCommand).callsFake(({ MetricName }: { MetricName: string }) => ({
    Datapoints:
      MetricName === 'NumberOfMessagesPublished' || MetricName === 'NumberOfNotificationsDelivered' ? [{ Sum: 1 }] : [],
  }));
  mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  // One confirmed e-mail subscription on the alert topic.
  mocks.sns.on(ListSubscriptionsByTopicCommand).resolves({
    Subscriptions: [
      { SubscriptionArn: `${topicArn}:0d4c5b1e-8f0a-4e7b-9c1d-2a3b4c5d6e7f`, Protocol: 'email', TopicArn: topicArn },
    ],
  });
  mocks.accessAnalyzer.on(GetAnalyzerCommand).resolves({ analyzer: { status: 'ACTIVE' } as never });
  workingDelivery(now);
}

/** The delivery paths: every service reports success and has delivered an object a moment ago. */
function workingDelivery(now: () => Date) {
  const minutesAgo = (n: number) => new Date(fake.clock - n * 60_000);
  mocks.cloudformation
    .on(ListStackResourcesCommand)
    .callsFake(({ StackName }: { StackName: string }) => ({ StackResourceSummaries: RESOURCES[StackName] ?? [] }));
  mocks.s3.on(GetBucketLoggingCommand).callsFake(({ Bucket }: { Bucket: string }) => {
    const targets: Record<string, [string, string]> = {
      [bucket]: [buckets.dataAccessLogs, 'data-bucket/'],
      [buckets.trail]: [buckets.threatAccessLogs, 'cloudtrail/'],
      [buckets.findings]: [buckets.threatAccessLogs, 'guardduty-findings/'],
      [buckets.config]: [buckets.threatAccessLogs, 'config/'],
    };
    const target = targets[Bucket];
    return target ? { LoggingEnabled: { TargetBucket: target[0], TargetPrefix: target[1] } } : {};
  });
  mocks.s3.on(ListObjectsV2Command).callsFake(({ Prefix }: { Prefix: string }) => ({
    Contents: [{ Key: `${Prefix}delivered-object.json.gz`, LastModified: now() }],
    IsTruncated: false,
  }));
  mocks.cloudTrail.on(GetTrailStatusCommand).resolves({
    IsLogging: true,
    StartLoggingTime: new Date(Date.UTC(2026, 4, 1)),
    LatestDeliveryTime: minutesAgo(4),
    LatestDigestDeliveryTime: minutesAgo(30),
    LatestCloudWatchLogsDeliveryTime: minutesAgo(2),
  });
  mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
    trailList: [
      {
        TrailARN: trailArn,
        S3BucketName: buckets.trail,
        LogFileValidationEnabled: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${account}:log-group:trail:*`,
      },
    ],
  });
  mocks.config.on(DescribeConfigurationRecorderStatusCommand).resolves({
    ConfigurationRecordersStatus: [{ name: recorderName, recording: true, lastStatus: 'Success' }],
  });
  mocks.config
    .on(DescribeDeliveryChannelsCommand)
    .resolves({ DeliveryChannels: [{ name: 'GuardedGenAi-channel', s3BucketName: buckets.config }] });
  mocks.config.on(DescribeDeliveryChannelStatusCommand).resolves({
    DeliveryChannelsStatus: [
      {
        name: 'GuardedGenAi-channel',
        configHistoryDeliveryInfo: { lastStatus: 'Success', lastSuccessfulTime: minutesAgo(60) },
        configSnapshotDeliveryInfo: { lastStatus: 'Not_Applicable' },
      },
    ],
  });
  mocks.ec2.on(DescribeFlowLogsCommand).resolves({
    FlowLogs: [{ FlowLogId: flowLogId, FlowLogStatus: 'ACTIVE', DeliverLogsStatus: 'SUCCESS' }],
  });
  mocks.guardDuty.on(ListFindingsCommand).resolves({ FindingIds: [] });
  mocks.guardDuty.on(GetFindingsCommand).resolves({ Findings: [] });
  mocks.guardDuty.on(ListPublishingDestinationsCommand).resolves({
    Destinations: [{ DestinationId: 'd1', DestinationType: 'S3', Status: 'PUBLISHING' }],
  });
  mocks.guardDuty.on(DescribePublishingDestinationCommand).resolves({
    DestinationId: 'd1',
    DestinationType: 'S3',
    Status: 'PUBLISHING',
    PublishingFailureStartTimestamp: 0,
    DestinationProperties: { DestinationArn: `arn:aws:s3:::${buckets.findings}/guardduty/`, KmsKeyArn: keyArn },
  });
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: alarms.map((AlarmName) => ({ AlarmName, StateValue: 'OK', AlarmActions: [topicArn] })),
  });
  mocks.cloudWatch.on(SetAlarmStateCommand).resolves({});
  mocks.cloudWatch.on(DescribeAlarmHistoryCommand).callsFake(({ AlarmName }: { AlarmName: string }) => ({
    AlarmHistoryItems: [
      {
        AlarmName,
        Timestamp: now(),
        HistoryItemType: 'Action',
        HistorySummary: `Successfully executed action ${topicArn}`,
      },
    ],
  }));
  mocks.bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
    loggingConfig: {
      cloudWatchConfig: { logGroupName: invocationLogGroup, roleArn: `arn:aws:iam::${account}:role/delivery` },
      s3Config: { bucketName: bucket, keyPrefix: 'model-invocations' },
      textDataDeliveryEnabled: true,
    },
  });
  mocks.cloudWatchLogs.on(FilterLogEventsCommand).resolves({ events: [{ timestamp: fake.clock, message: '{}' }] });
  mocks.bedrockAgent.on(GetIngestionJobCommand).resolves({
    ingestionJob: {
      knowledgeBaseId: 'KB12345678',
      dataSourceId: 'DS12345678',
      ingestionJobId: 'JOB1234567',
      status: 'COMPLETE',
      startedAt: now(),
      updatedAt: now(),
      statistics: { numberOfNewDocumentsIndexed: 18, numberOfModifiedDocumentsIndexed: 1, numberOfDocumentsFailed: 0 },
    },
  });
}

export const progress: string[] = [];
export async function verify(
  selection: { only?: string[]; skip?: string[] } = {},
): Promise<Record<string, CheckResult>> {
  const context: VerifyContext = {
    clients,
    outputs: await loadOutputs(clients.cloudformation, 'GuardedGenAi'),
    invoke: (url, body) => fake.invoke(url, body),
    timeoutMs: 300_000,
    sleep: async (ms) => {
      fake.clock += ms;
    },
    now: () => fake.clock,
    progress: (m) => progress.push(m),
    runId: 'run1',
  };
  return Object.fromEntries((await runChecks(context, selection)).map((r) => [r.id, r]));
}
export const error = (name: string, message: string) => Object.assign(new Error(message), { name });

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
  fake.clock = Date.UTC(2026, 5, 1, 12);
  progress.length = 0;
  fake.invoke = workingFunction();
  workingAccount();
});
