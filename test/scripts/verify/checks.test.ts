import { GetAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { GetGuardrailCommand } from '@aws-sdk/client-bedrock';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateSampleFindingsCommand,
  GetDetectorCommand,
  GetMalwareProtectionPlanCommand,
} from '@aws-sdk/client-guardduty';
import { DescribeClassificationJobCommand, GetMacieSessionCommand } from '@aws-sdk/client-macie2';
import {
  DeleteObjectsCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import {
  BatchGetTracesCommand,
  GetTraceSegmentDestinationCommand,
  GetTraceSummariesCommand,
} from '@aws-sdk/client-xray';
import { createHash } from 'node:crypto';
import { command, selection } from '../../../scripts/verify';
import { parseCommand } from '../../../scripts/cli/command';
import { eicar, SAMPLE_FINDING_TYPES, table, TEST_CARD_NUMBER } from '../../../scripts/verify-checks';
import {
  bucket,
  detectorId,
  error,
  fake,
  json,
  keyArn,
  mocks,
  OUTPUTS,
  sampledTrace,
  traceId,
  progress,
  rules,
  scanResultsRule,
  sse,
  verify,
} from './harness';

test('a working deployment => every check passes', async () => {
  const results = await verify();
  expect(Object.values(results).map((r) => [r.id, r.result])).toEqual([
    ['guardrail', 'PASS'],
    ['benign', 'PASS'],
    ['denied-topic', 'PASS'],
    ['card-number', 'PASS'],
    ['enforcement', 'SKIP'],
    ['knowledge', 'PASS'],
    ['agent', 'SKIP'],
    ['ingestion-outcome', 'PASS'],
    ['audit-records', 'PASS'],
    ['in-code-spans', 'PASS'],
    ['invocation-logs', 'PASS'],
    ['guardduty', 'PASS'],
    ['malware', 'PASS'],
    ['macie', 'PASS'],
    ['cloudtrail', 'PASS'],
    ['trail-delivery', 'PASS'],
    ['access-logs', 'PASS'],
    ['config-delivery', 'PASS'],
    ['flow-logs', 'PASS'],
    ['alerts', 'PASS'],
    ['findings-export', 'PASS'],
    ['alarm-delivery', 'PASS'],
    ['rule-dead-letters', 'PASS'],
    ['access-analyzer', 'PASS'],
  ]);
  // The records are looked up by the request ids the function returned, under records/invocations/<day>/.
  const keys = mocks.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key);
  expect(keys).toEqual(
    expect.arrayContaining(
      ['req-benign', 'req-topic', 'req-card', 'req-knowledge'].map((id) => `records/invocations/2026/06/01/${id}.json`),
    ),
  );
  // Test objects: SSE-KMS with the project key, under verify/, every version deleted afterwards.
  expect(mocks.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
    expect.objectContaining({ Bucket: bucket, Key: 'verify/run1/harmless.txt', SSEKMSKeyId: keyArn }),
    expect.objectContaining({ Bucket: bucket, Key: 'verify/run1/eicar-test-file.txt', Body: eicar() }),
  ]);
  expect(mocks.s3.commandCalls(DeleteObjectsCommand)[0].args[0].input.Delete?.Objects).toEqual([
    { Key: 'verify/run1/harmless.txt', VersionId: 'v1' },
    { Key: 'verify/run1/eicar-test-file.txt', VersionId: 'v2' },
  ]);
  // One high-severity sample finding of a type no earlier run used (none here: the first of the list).
  expect(mocks.guardDuty.commandCalls(CreateSampleFindingsCommand)[0].args[0].input).toEqual({
    DetectorId: detectorId,
    FindingTypes: [SAMPLE_FINDING_TYPES[0]],
  });
  // FailedInvocations and InvocationsFailedToBeSentToDlq asked for each alert rule by name (alerts, this run),
  // then for every rule of the app over a day (rule-dead-letters).
  for (const metric of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
    const asked = mocks.cloudWatch
      .commandCalls(GetMetricStatisticsCommand)
      .filter((c) => c.args[0].input.MetricName === metric)
      .map((c) => c.args[0].input.Dimensions?.[0]?.Value);
    expect(asked).toEqual([...rules, ...rules, scanResultsRule]);
  }
});

test('the EICAR test string is assembled exactly (its published SHA-256)', () => {
  expect(createHash('sha256').update(eicar()).digest('hex')).toBe(
    '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
  );
});

describe('each failure is reported with what to do', () => {
  test('guardrail version not READY', async () => {
    mocks.bedrock
      .on(GetGuardrailCommand)
      .resolves({ status: 'FAILED', failureRecommendations: ['Check the key.'] } as never);
    expect((await verify()).guardrail).toMatchObject({
      result: 'FAIL',
      fix: expect.stringContaining('Check the key.'),
    });
  });

  test('caller without the invoker policy (403) => names the policy to attach', async () => {
    fake.invoke.mockResolvedValue(json({ message: 'Forbidden' }, 403));
    const results = await verify();
    expect(results.benign).toMatchObject({
      result: 'FAIL',
      detail: 'HTTP 403',
      fix: expect.stringContaining('Invoker'),
    });
    expect(results['audit-records']).toMatchObject({ result: 'SKIP' });
  });

  test('the guardrail intervening on the harmless question', async () => {
    fake.invoke.mockResolvedValueOnce(
      sse(['metadata', { guardrail: { intervened: true, policies: ['content-filter'] }, requestId: 'r' }]),
    );
    expect((await verify({ only: ['benign'] })).benign).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('content-filter'),
    });
  });

  test('an error event in the stream', async () => {
    fake.invoke.mockResolvedValueOnce(
      sse(['text', { text: 'Par' }], ['error', { error: { code: 'upstream_error', message: 'The model failed.' } }]),
    );
    expect((await verify({ only: ['benign'] })).benign).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('upstream_error'),
    });
  });

  test('the denied topic answered', async () => {
    fake.invoke.mockResolvedValue(
      json({ text: 'Buy Tesla.', guardrail: { intervened: false, policies: [] }, requestId: 'r' }),
    );
    expect((await verify({ only: ['denied-topic'] }))['denied-topic']).toMatchObject({
      result: 'FAIL',
      detail: 'not refused as denied-topic (guardrail: did not intervene)',
    });
  });

  test('the card number repeated back', async () => {
    fake.invoke.mockResolvedValue(
      json({ text: `Sure: ${TEST_CARD_NUMBER}`, guardrail: { intervened: false, policies: [] }, requestId: 'r' }),
    );
    expect((await verify({ only: ['card-number'] }))['card-number']).toMatchObject({
      result: 'FAIL',
      detail: 'the card number came back in the answer',
    });
  });

  test('no audit record within the wait', async () => {
    mocks.s3.on(HeadObjectCommand).rejects(error('NotFound', 'Not Found'));
    expect((await verify({ only: ['benign', 'audit-records'] }))['audit-records']).toMatchObject({
      result: 'FAIL',
      detail: 'benign: no record records/invocations/2026/06/01/req-benign.json',
      fix: expect.stringContaining('audit record not written'),
    });
    expect(progress.some((p) => p.startsWith('waiting for the audit record of benign'))).toBe(true);
  });

  test('an audit record under another key', async () => {
    mocks.s3
      .on(HeadObjectCommand)
      .resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/other' });
    expect((await verify({ only: ['benign', 'audit-records'] }))['audit-records']).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('key/other'),
    });
  });

  test('GuardDuty: a configured feature not enabled', async () => {
    mocks.guardDuty.on(GetDetectorCommand).resolves({
      Status: 'ENABLED',
      ServiceRole: 'r',
      Features: [{ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' }],
    });
    expect((await verify({ only: ['guardduty'] })).guardduty).toMatchObject({
      result: 'FAIL',
      detail: 'features not enabled: LAMBDA_NETWORK_LOGS',
    });
  });

  test('GuardDuty: detector suspended', async () => {
    mocks.guardDuty.on(GetDetectorCommand).resolves({ Status: 'DISABLED', ServiceRole: 'r' });
    expect((await verify({ only: ['guardduty'] })).guardduty).toMatchObject({
      result: 'FAIL',
      fix: expect.stringContaining('update-detector'),
    });
  });

  test('malware plan not ACTIVE => its status reasons, and no object written', async () => {
    mocks.guardDuty.on(GetMalwareProtectionPlanCommand).resolves({
      Status: 'ERROR',
      StatusReasons: [{ Code: 'KMS_KEY_ACCESS_DENIED', Message: 'Cannot use the key' }],
    } as never);
    expect((await verify({ only: ['malware'] })).malware).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('KMS_KEY_ACCESS_DENIED'),
    });
    expect(mocks.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('EICAR not reported as a threat within the wait => fails, and the test objects are still deleted', async () => {
    mocks.s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    expect((await verify({ only: ['malware'] })).malware).toMatchObject({
      result: 'FAIL',
      detail: 'harmless.txt: not scanned in time, eicar-test-file.txt: not scanned in time',
    });
    expect(mocks.s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
  });

  test('writes refused (isolatedNetwork bucket policy) => says to skip the check, still cleans up', async () => {
    mocks.s3.on(PutObjectCommand).rejects(error('AccessDenied', 'Access Denied'));
    expect((await verify({ only: ['malware'] })).malware).toMatchObject({
      result: 'FAIL',
      fix: expect.stringContaining('--skip malware'),
    });
    expect(mocks.s3.commandCalls(ListObjectVersionsCommand)[0].args[0].input).toEqual({
      Bucket: bucket,
      Prefix: 'verify/run1/',
    });
  });

  test('Macie paused', async () => {
    mocks.macie.on(GetMacieSessionCommand).resolves({ status: 'PAUSED' });
    expect((await verify({ only: ['macie'] })).macie).toMatchObject({ result: 'FAIL', detail: 'Macie is PAUSED' });
  });

  test('Macie job cancelled', async () => {
    mocks.macie.on(DescribeClassificationJobCommand).resolves({ jobStatus: 'CANCELLED' });
    expect((await verify({ only: ['macie'] })).macie).toMatchObject({ result: 'FAIL' });
  });

  test('trail not logging', async () => {
    mocks.cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    expect((await verify({ only: ['cloudtrail'] })).cloudtrail).toMatchObject({
      result: 'FAIL',
      fix: expect.stringContaining('start-logging'),
    });
  });

  test("trail without the data bucket's data events", async () => {
    mocks.cloudTrail.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [
        {
          ReadWriteType: 'All',
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::another-bucket/'] }],
        },
      ],
    });
    expect((await verify({ only: ['cloudtrail'] })).cloudtrail).toMatchObject({ result: 'FAIL' });
  });

  test('alerts: a rule with failed invocations and a message in the dead-letter queue', async () => {
    mocks.cloudWatch.on(GetMetricStatisticsCommand).callsFake(({ MetricName, Dimensions }) => ({
      Datapoints:
        MetricName === 'NumberOfMessagesPublished' ||
        (MetricName === 'FailedInvocations' && Dimensions[0].Value === rules[1])
          ? [{ Sum: 2 }]
          : [],
    }));
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    expect((await verify({ only: ['alerts'] })).alerts).toMatchObject({
      result: 'FAIL',
      detail: `failed rule deliveries: ${rules[1]} FailedInvocations 2; 1 messages in the dead-letter queue (sample ${SAMPLE_FINDING_TYPES[0]}, a new finding)`,
      fix: expect.stringContaining('key policy'),
    });
  });

  test('alerts: nothing published within the bounded wait => fails after the timeout', async () => {
    mocks.cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    const started = fake.clock;
    expect((await verify({ only: ['alerts'] })).alerts).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('nothing published to GuardedGenAi-ThreatDetection-alerts within 300 s'),
    });
    expect(fake.clock - started).toBeLessThanOrEqual(300_000);
  });

  test('analyzer not active', async () => {
    mocks.accessAnalyzer
      .on(GetAnalyzerCommand, { analyzerName: 'GuardedGenAi-unused' })
      .resolves({ analyzer: { status: 'FAILED', statusReason: { code: 'AWS_SERVICE_ACCESS_DISABLED' } } as never });
    expect((await verify({ only: ['access-analyzer'] }))['access-analyzer']).toMatchObject({
      result: 'FAIL',
      detail: 'GuardedGenAi-unused is FAILED (AWS_SERVICE_ACCESS_DISABLED)',
    });
  });

  test('a check without permission => FAIL saying which permission is missing, the others still run', async () => {
    mocks.macie
      .on(GetMacieSessionCommand)
      .rejects(error('AccessDeniedException', 'not authorized to perform macie2:GetMacieSession'));
    const results = await verify();
    expect(results.macie).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('lack a permission') });
    expect(results.cloudtrail.result).toBe('PASS');
  });
});

describe('switched-off services and missing stacks', () => {
  test('services off (no outputs) => those checks are skipped and say why', async () => {
    const threat = OUTPUTS['GuardedGenAi-ThreatDetection'];
    mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-ThreatDetection' }).resolves({
      Stacks: [
        {
          StackName: 'GuardedGenAi-ThreatDetection',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'AlertTopicArn', OutputValue: threat.AlertTopicArn },
            { OutputKey: 'AlertDeadLetterQueueUrl', OutputValue: threat.AlertDeadLetterQueueUrl },
          ],
        },
      ],
    });
    const results = await verify();
    expect(results.guardduty).toMatchObject({ result: 'SKIP', detail: 'guardDuty is off' });
    expect(results.malware).toMatchObject({ result: 'SKIP', detail: 'malwareProtection is false' });
    expect(results.macie).toMatchObject({ result: 'SKIP', detail: 'macie is off' });
    expect(results.cloudtrail).toMatchObject({ result: 'SKIP', detail: 'cloudTrail is false' });
    expect(results.alerts.result).toBe('SKIP');
    expect(results['access-analyzer'].result).toBe('SKIP');
    expect(mocks.guardDuty.calls()).toHaveLength(0);
  });

  test('no ThreatDetection stack => its checks skipped; no GuardedInvoke stack => its checks fail', async () => {
    mocks.cloudformation
      .on(DescribeStacksCommand, { StackName: 'GuardedGenAi-ThreatDetection' })
      .rejects(error('ValidationError', 'Stack with id GuardedGenAi-ThreatDetection does not exist'))
      .on(DescribeStacksCommand, { StackName: 'GuardedGenAi-GuardedInvoke' })
      .rejects(error('ValidationError', 'Stack with id GuardedGenAi-GuardedInvoke does not exist'));
    const results = await verify();
    expect(results.guardduty).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('not deployed') });
    expect(results.guardrail).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('npx cdk deploy --all') });
    expect(results.benign.result).toBe('FAIL');
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  test('auditRecords false => the audit check is skipped', async () => {
    mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-GuardedInvoke' }).resolves({
      Stacks: [
        {
          StackName: 'GuardedGenAi-GuardedInvoke',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            ...Object.entries(OUTPUTS['GuardedGenAi-GuardedInvoke']).map(([OutputKey, OutputValue]) => ({
              OutputKey,
              OutputValue: OutputKey === 'AuditRecords' ? 'false' : OutputValue,
            })),
          ],
        },
      ],
    });
    expect((await verify({ only: ['benign', 'audit-records'] }))['audit-records']).toMatchObject({
      result: 'SKIP',
      detail: 'auditRecords is false',
    });
  });
});

describe('in-code-spans: the X-Ray trace of a request of this run (assumption otel-udp-spans)', () => {
  const run = async () => (await verify({ only: ['benign', 'in-code-spans'] }))['in-code-spans'];
  const withOutput = (name: string, value: string) =>
    mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-GuardedInvoke' }).resolves({
      Stacks: [
        {
          StackName: 'GuardedGenAi-GuardedInvoke',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries({ ...OUTPUTS['GuardedGenAi-GuardedInvoke'], [name]: value }).map(
            ([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }),
          ),
        },
      ],
    });

  test("passes on the span of the Bedrock call in the trace that holds the request's id, looked up by the function's name", async () => {
    expect(await run()).toMatchObject({
      result: 'PASS',
      detail: `trace ${traceId}: BedrockRuntime.ConverseStream under the function's segment`,
    });
    const [search] = mocks.xray.commandCalls(GetTraceSummariesCommand).map((c) => c.args[0].input);
    expect(search.FilterExpression).toBe(
      `service(id(name: "${OUTPUTS['GuardedGenAi-GuardedInvoke'].FunctionName}", type: "AWS::Lambda::Function"))`,
    );
    expect(mocks.xray.commandCalls(BatchGetTracesCommand)[0].args[0].input).toEqual({ TraceIds: [traceId] });
  });

  test('the traces of the run hold the invocation but never the call span => FAIL at the deadline, naming the assumption', async () => {
    mocks.xray.on(BatchGetTracesCommand).resolves({ Traces: [sampledTrace('req-benign', false)] });
    expect(await run()).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('otel-udp-spans') });
    // It kept looking until the deadline: a span can arrive after its invocation's segments.
    expect(mocks.xray.commandCalls(BatchGetTracesCommand).length).toBeGreaterThan(1);
  });

  test('a span that arrives after its trace => PASS once it is there', async () => {
    mocks.xray
      .on(BatchGetTracesCommand)
      .resolvesOnce({ Traces: [sampledTrace('req-benign', false)] })
      .resolves({ Traces: [sampledTrace('req-benign', true)] });
    expect((await run()).result).toBe('PASS');
  });

  test('the span shown as the AWS service with its operation (how X-Ray names AWS calls) counts too', async () => {
    mocks.xray.on(BatchGetTracesCommand).resolves({
      Traces: [
        sampledTrace('req-benign', {
          id: '9f8e7d6c5b4a3921',
          name: 'BedrockRuntime',
          aws: { operation: 'ConverseStream' },
        }),
      ],
    });
    expect(await run()).toMatchObject({
      result: 'PASS',
      detail: expect.stringContaining('BedrockRuntime ConverseStream'),
    });
  });

  test('every page of summaries is read and traces are fetched five at a time; any trace of the run with the span passes', async () => {
    const other = (n: number) => `1-6790a1b2-00000000000000000000000${n}`;
    mocks.xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({ TraceSummaries: [1, 2, 3, 4, 5].map((n) => ({ Id: other(n) })), NextToken: 'page2' })
      .resolves({ TraceSummaries: [{ Id: traceId }, { Id: other(6) }] });
    mocks.xray.on(BatchGetTracesCommand).callsFake(({ TraceIds }: { TraceIds: string[] }) => ({
      Traces: TraceIds.map((id) =>
        id === traceId ? sampledTrace('req-benign', true) : sampledTrace('req-benign', false, id),
      ),
    }));
    expect(await run()).toMatchObject({ result: 'PASS', detail: expect.stringContaining(traceId) });
    expect(mocks.xray.commandCalls(GetTraceSummariesCommand)[1].args[0].input.NextToken).toBe('page2');
    expect(mocks.xray.commandCalls(BatchGetTracesCommand).map((c) => c.args[0].input.TraceIds?.length)).toEqual([5, 2]);
  });

  test('Transaction Search on (traces not indexed in X-Ray) => skipped, saying where the spans are', async () => {
    mocks.xray.on(GetTraceSegmentDestinationCommand).resolves({ Destination: 'CloudWatchLogs', Status: 'ACTIVE' });
    expect(await run()).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('Transaction Search') });
    expect(mocks.xray.commandCalls(GetTraceSummariesCommand)).toEqual([]);
  });

  test('no trace of this run yet (not sampled, or not indexed) => WAIT, after polling', async () => {
    mocks.xray.on(BatchGetTracesCommand).resolves({ Traces: [sampledTrace('a-request-of-another-run', true)] });
    expect((await run()).result).toBe('WAIT');
    expect(mocks.xray.commandCalls(GetTraceSummariesCommand).length).toBeGreaterThan(1);
    mocks.xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [] });
    expect((await run()).result).toBe('WAIT');
  });

  test('inCodeSpans off => skipped, X-Ray never asked', async () => {
    withOutput('InCodeSpans', 'false');
    expect(await run()).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('inCodeSpans is off') });
    expect(mocks.xray.commandCalls(GetTraceSummariesCommand)).toEqual([]);
  });
});

describe('selection and output', () => {
  test('--only runs just those checks; the others are listed as not selected', async () => {
    const results = await verify({ only: ['guardrail'] });
    expect(results.guardrail.result).toBe('PASS');
    expect(results.malware).toMatchObject({ result: 'SKIP', detail: 'not selected (--only/--skip)' });
    expect(fake.invoke).not.toHaveBeenCalled();
    expect(mocks.s3.calls()).toHaveLength(0);
  });

  test('--skip leaves checks out', async () => {
    const results = await verify({ skip: ['malware', 'alerts'] });
    expect(results.malware.result).toBe('SKIP');
    expect(mocks.guardDuty.commandCalls(CreateSampleFindingsCommand)).toHaveLength(0);
  });

  test('command line: comma lists, timeout in seconds; unknown options and checks are errors', () => {
    const parsed = parseCommand(command, ['--only', 'benign,guardrail', '--skip', 'alerts', '--timeout', '120']);
    expect(parsed.values).toMatchObject({ only: ['benign', 'guardrail'], skip: ['alerts'], timeout: 120 });
    expect(selection(parsed)).toEqual({ only: ['benign', 'guardrail'], skip: ['alerts'] });
    expect(parseCommand(command, []).values.timeout).toBe(480);
    expect(() => parseCommand(command, ['--fast'])).toThrow('unknown option --fast');
    expect(() => selection(parseCommand(command, ['--only', 'bening']))).toThrow(/unknown check bening/);
    expect(() => parseCommand(command, ['--timeout', 'soon'])).toThrow(
      /--timeout needs a whole number from 10 to 3600/,
    );
  });

  test('table: one row per check, the fix under a failure', () => {
    expect(
      table([
        { id: 'guardrail', result: 'PASS', detail: 'READY' },
        { id: 'macie', result: 'FAIL', detail: 'Macie is PAUSED', fix: 'Enable it.' },
      ]),
    ).toBe(
      [
        '  CHECK      RESULT  DETAIL / WHAT TO DO',
        '  guardrail  PASS    READY',
        '  macie      FAIL    Macie is PAUSED',
        '                     -> Enable it.',
      ].join('\n'),
    );
  });
});
