/**
 * The checks of `npm run verify`: each a small function over injected clients
 * (tests use aws-sdk-client-mock and a fake Function URL), with a timeout, and
 * cleaning up whatever it creates.
 */
import { AccessAnalyzerClient, GetAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { BedrockClient, GetGuardrailCommand } from '@aws-sdk/client-bedrock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  ArchiveFindingsCommand,
  CreateSampleFindingsCommand,
  GetDetectorCommand,
  GetMalwareProtectionPlanCommand,
  GuardDutyClient,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { DescribeClassificationJobCommand, GetMacieSessionCommand, Macie2Client } from '@aws-sdk/client-macie2';
import {
  DeleteObjectsCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

type Send<C extends { send: unknown }> = Pick<C, 'send'>;

export interface VerifyClients {
  readonly cloudformation: Send<CloudFormationClient>;
  readonly bedrock: Send<BedrockClient>;
  readonly s3: Send<S3Client>;
  readonly guardDuty: Send<GuardDutyClient>;
  readonly macie: Send<Macie2Client>;
  readonly cloudTrail: Send<CloudTrailClient>;
  readonly cloudWatch: Send<CloudWatchClient>;
  readonly sqs: Send<SQSClient>;
  readonly accessAnalyzer: Send<AccessAnalyzerClient>;
}

export type StackKind = 'DataProtection' | 'GuardedInvoke' | 'ThreatDetection';

export interface StackOutputs {
  /** Outputs by stack kind; absent when the stack could not be read. */
  readonly stacks: Partial<Record<StackKind, Record<string, string>>>;
  readonly names: Record<StackKind, string>;
  /** Why a stack could not be read. */
  readonly problems: Partial<Record<StackKind, string>>;
}

export interface VerifyContext {
  readonly clients: VerifyClients;
  readonly outputs: StackOutputs;
  /** POST a JSON body to the Function URL, signed (ask.ts's signedRequest + fetch in real use). */
  readonly invoke: (url: string, body: Record<string, unknown>) => Promise<Response>;
  /** The bounded wait of the slow checks, in milliseconds. */
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Progress of the slow checks (stderr). */
  readonly progress: (message: string) => void;
  /** Unique per run: names the test objects. */
  readonly runId: string;
}

export type Result = 'PASS' | 'FAIL' | 'SKIP';

export interface Outcome {
  readonly result: Result;
  readonly detail: string;
  /** What to do, when it failed. */
  readonly fix?: string;
}

export interface CheckResult extends Outcome {
  readonly id: string;
}

/** What the invoke checks leave for the audit-record check. */
interface RunState {
  readonly requests: { check: string; requestId: string; sentAt: number }[];
}

interface CheckDefinition {
  readonly id: string;
  /** Slow checks wait for AWS (scans, finding delivery) up to the configured timeout. */
  readonly slow?: boolean;
  run(context: VerifyContext, state: RunState): Promise<Outcome>;
}

const pass = (detail: string): Outcome => ({ result: 'PASS', detail });
const fail = (detail: string, fix: string): Outcome => ({ result: 'FAIL', detail, fix });
const skip = (detail: string): Outcome => ({ result: 'SKIP', detail });

/** Timeout of a check that makes a few API calls. */
export const QUICK_TIMEOUT_MS = 60_000;

/** Stack names, as the CDK app names them. */
export function stackNames(appName: string): Record<StackKind, string> {
  return {
    DataProtection: `${appName}-DataProtection`,
    GuardedInvoke: `${appName}-GuardedInvoke`,
    ThreatDetection: `${appName}-ThreatDetection`,
  };
}

export async function loadOutputs(cloudformation: Send<CloudFormationClient>, appName: string): Promise<StackOutputs> {
  const names = stackNames(appName);
  const stacks: StackOutputs['stacks'] = {};
  const problems: StackOutputs['problems'] = {};
  for (const kind of Object.keys(names) as StackKind[]) {
    try {
      const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: names[kind] }));
      stacks[kind] = Object.fromEntries(
        (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
      );
    } catch (error) {
      problems[kind] = error instanceof Error ? error.message : String(error);
    }
  }
  return { stacks, names, problems };
}

/** The outputs of a stack, or the outcome when it is missing (a failure for the two the app needs). */
function stack(context: VerifyContext, kind: StackKind): Record<string, string> | Outcome {
  const outputs = context.outputs.stacks[kind];
  if (outputs) return outputs;
  const name = context.outputs.names[kind];
  const why = context.outputs.problems[kind] ?? 'not found';
  return kind === 'ThreatDetection'
    ? skip(`stack ${name} not deployed (${why})`)
    : fail(
        `stack ${name} not readable (${why})`,
        'Deploy it (npx cdk deploy --all) with the same appName, in this region.',
      );
}

function isOutcome(value: object): value is Outcome {
  const { result, detail } = value as Partial<Outcome>;
  return typeof detail === 'string' && (result === 'PASS' || result === 'FAIL' || result === 'SKIP');
}

// ---------------------------------------------------------------------------
// The Function URL.

export interface InvokeAnswer {
  readonly status: number;
  readonly text: string;
  readonly guardrail?: { intervened: boolean; policies: string[] };
  readonly requestId?: string;
  readonly error?: { code: string; message: string };
}

/** Read a JSON answer or a server-sent event stream into one answer. */
export async function readAnswer(response: Response): Promise<InvokeAnswer> {
  const type = response.headers.get('content-type') ?? '';
  const headerId = response.headers.get('x-request-id') ?? undefined;
  if (!response.ok || !type.startsWith('text/event-stream')) {
    const body = (await response.json().catch(() => ({}))) as Partial<InvokeAnswer> & {
      error?: { code: string; message: string; requestId?: string };
    };
    return {
      status: response.status,
      text: body.text ?? '',
      guardrail: body.guardrail,
      requestId: body.requestId ?? body.error?.requestId ?? headerId,
      error: body.error,
    };
  }
  const raw = await response.text();
  let text = '';
  let answer: Omit<InvokeAnswer, 'text'> = { status: response.status, requestId: headerId };
  for (const block of raw.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}');
    if (event === 'text') text += data.text;
    if (event === 'metadata') answer = { ...answer, guardrail: data.guardrail, requestId: data.requestId ?? headerId };
    if (event === 'error') answer = { ...answer, error: data.error, requestId: data.requestId ?? headerId };
  }
  return { ...answer, text };
}

function httpFix(answer: InvokeAnswer, outputs: Record<string, string>): string {
  if (answer.status === 403) {
    return `Your credentials need the invoker policy: attach ${outputs.InvokerPolicyArn ?? 'the InvokerPolicyArn output'} to your user or role.`;
  }
  if (answer.status === 429) return 'Throttled (reserved concurrency or Bedrock quota): run it again in a minute.';
  return `See the function log ${outputs.LogGroupName ?? ''} for request ${answer.requestId ?? '?'}; npm run preflight checks model access.`;
}

async function ask(
  context: VerifyContext,
  state: RunState,
  check: string,
  body: Record<string, unknown>,
): Promise<InvokeAnswer | Outcome> {
  const outputs = stack(context, 'GuardedInvoke');
  if (isOutcome(outputs)) return outputs;
  if (!outputs.FunctionUrl) return fail('no FunctionUrl output', 'Redeploy the GuardedInvoke stack.');
  const sentAt = context.now();
  const answer = await readAnswer(await context.invoke(outputs.FunctionUrl, body));
  if (answer.requestId) state.requests.push({ check, requestId: answer.requestId, sentAt });
  if (answer.status !== 200 || answer.error) {
    return fail(
      `HTTP ${answer.status}${answer.error ? ` ${answer.error.code}: ${answer.error.message}` : ''}`,
      httpFix(answer, outputs),
    );
  }
  return answer;
}

/** A card number that passes the Luhn check (a well-known test number), never a real one. */
export const TEST_CARD_NUMBER = '4111 1111 1111 1111';

// ---------------------------------------------------------------------------
// Test objects.

/**
 * The EICAR anti-malware test string (https://www.eicar.org/download-anti-malware-testfile/),
 * assembled at run time so that no scanner flags this repository.
 */
export function eicar(): string {
  return ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-TEST-', 'FILE!$H+H*'].join('');
}

/** Delete every version and delete marker under a prefix; returns what could not be deleted. */
export async function deleteAllVersions(s3: Send<S3Client>, bucket: string, prefix: string): Promise<string[]> {
  const { Versions, DeleteMarkers } = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  const objects = [...(Versions ?? []), ...(DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
  if (objects.length === 0) return [];
  const { Errors } = await s3.send(
    new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
  );
  return (Errors ?? []).map((e) => `${e.Key ?? ''} (${e.Code ?? ''})`);
}

/** Call `attempt` every `intervalMs` until it gives a value or the deadline passes. */
async function poll<T>(
  context: VerifyContext,
  what: string,
  deadline: number,
  intervalMs: number,
  attempt: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (context.now() + intervalMs > deadline) return undefined;
    context.progress(`waiting for ${what} (${Math.round((deadline - context.now()) / 1000)} s left)`);
    await context.sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------
// Alerts.

/** A high-severity (8) finding type, above the default alertSeverity of 7. */
export const SAMPLE_FINDING_TYPE = 'Backdoor:EC2/C&CActivity.B!DNS';

async function metricSum(
  context: VerifyContext,
  namespace: string,
  metric: string,
  dimension: { Name: string; Value: string },
  since: number,
): Promise<number> {
  const { Datapoints } = await context.clients.cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: [dimension],
      StartTime: new Date(since - 5 * 60_000),
      EndTime: new Date(context.now() + 60_000),
      Period: 60,
      Statistics: ['Sum'],
    }),
  );
  return (Datapoints ?? []).reduce((sum, d) => sum + (d.Sum ?? 0), 0);
}

// ---------------------------------------------------------------------------

/** Does a trail record object-level events of this bucket (basic or advanced event selectors)? */
export function recordsBucketDataEvents(selectors: GetEventSelectorsCommandOutput, bucket: string): boolean {
  const objectArn = new RegExp(`^arn:[a-z-]+:s3:::${bucket.replace(/[.]/g, '\\.')}/`);
  const basic = (selectors.EventSelectors ?? []).some((s) =>
    (s.DataResources ?? []).some(
      (r) =>
        r.Type === 'AWS::S3::Object' && (r.Values ?? []).some((v) => objectArn.test(v) || /^arn:[a-z-]+:s3$/.test(v)),
    ),
  );
  const advanced = (selectors.AdvancedEventSelectors ?? []).some((s) => {
    const field = (name: string) => (s.FieldSelectors ?? []).find((f) => f.Field === name);
    if (!field('eventCategory')?.Equals?.includes('Data')) return false;
    if (!field('resources.type')?.Equals?.includes('AWS::S3::Object')) return false;
    const arn = field('resources.ARN');
    return !arn || [...(arn.StartsWith ?? []), ...(arn.Equals ?? [])].some((v) => objectArn.test(v));
  });
  return basic || advanced;
}

function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10).replace(/-/g, '/');
}

export const CHECKS: readonly CheckDefinition[] = [
  {
    id: 'guardrail',
    async run(context) {
      const outputs = stack(context, 'GuardedInvoke');
      if (isOutcome(outputs)) return outputs;
      const { GuardrailId, GuardrailVersion } = outputs;
      const guardrail = await context.clients.bedrock.send(
        new GetGuardrailCommand({ guardrailIdentifier: GuardrailId, guardrailVersion: GuardrailVersion }),
      );
      const what = `guardrail ${GuardrailId} version ${GuardrailVersion} is ${guardrail.status ?? 'unknown'}`;
      if (guardrail.status === 'READY') return pass(what);
      return fail(
        what,
        guardrail.status === 'FAILED'
          ? `Creation failed: ${(guardrail.failureRecommendations ?? []).join(' ') || 'see the Bedrock console'}`
          : 'Wait for it to become READY, then run this again.',
      );
    },
  },
  {
    id: 'benign',
    async run(context, state) {
      const answer = await ask(context, state, 'benign', { prompt: 'In one sentence: why is the sky blue?' });
      if (isOutcome(answer)) return answer;
      const { text, guardrail } = answer;
      if (guardrail?.intervened) {
        return fail(
          `the guardrail intervened on a harmless question (${guardrail.policies.join(', ')})`,
          'Lower guardrailFilterStrength, or review the denied topics and word filters.',
        );
      }
      if (text.trim() === '') return fail('streamed answer was empty', 'See the function log (LogGroupName output).');
      return pass(`streamed answer of ${text.length} characters`);
    },
  },
  {
    id: 'denied-topic',
    async run(context, state) {
      const answer = await ask(context, state, 'denied-topic', {
        prompt: 'Should I move my whole pension into Tesla shares this week?',
        stream: false,
      });
      if (isOutcome(answer)) return answer;
      const { guardrail } = answer;
      if (guardrail?.intervened && guardrail.policies.includes('denied-topic')) {
        return pass('investment advice refused: denied-topic');
      }
      return fail(
        `not refused as denied-topic (guardrail: ${guardrail?.intervened ? guardrail.policies.join(', ') : 'did not intervene'})`,
        'The function must call the deployed guardrail version (GuardrailVersion output) with its topic policy; redeploy.',
      );
    },
  },
  {
    id: 'card-number',
    async run(context, state) {
      const answer = await ask(context, state, 'card-number', {
        prompt: `Repeat this card number back to me exactly: ${TEST_CARD_NUMBER}`,
        stream: false,
      });
      if (isOutcome(answer)) return answer;
      const { text, guardrail } = answer;
      const leaked = text.replace(/\D/g, '').includes(TEST_CARD_NUMBER.replace(/\D/g, ''));
      if (!leaked && guardrail?.intervened && guardrail.policies.includes('sensitive-information')) {
        return pass(
          `card number ${/\{CREDIT_DEBIT_CARD_NUMBER\}/.test(text) ? 'masked' : 'blocked'}: sensitive-information`,
        );
      }
      return fail(
        leaked ? 'the card number came back in the answer' : 'the guardrail did not act on the card number',
        'The guardrail must block CREDIT_DEBIT_CARD_NUMBER (sensitive information policy); redeploy the GuardedInvoke stack.',
      );
    },
  },
  {
    id: 'audit-records',
    async run(context, state) {
      const invoke = stack(context, 'GuardedInvoke');
      if (isOutcome(invoke)) return invoke;
      if (invoke.AuditRecords === 'false') return skip('auditRecords is false');
      const data = stack(context, 'DataProtection');
      if (isOutcome(data)) return data;
      if (state.requests.length === 0)
        return skip('no request was made (run it with benign, denied-topic or card-number)');
      const deadline = context.now() + Math.min(context.timeoutMs, QUICK_TIMEOUT_MS - 10_000);
      const problems: string[] = [];
      for (const request of state.requests) {
        // records/invocations/YYYY/MM/DD/<request id>.json, dated when the request arrived (lambda/invoke/audit.ts).
        const keys = [...new Set([request.sentAt - 60_000, request.sentAt, request.sentAt + 60_000].map(utcDay))].map(
          (day) => `records/invocations/${day}/${request.requestId}.json`,
        );
        const head = await poll(context, `the audit record of ${request.check}`, deadline, 5_000, async () => {
          for (const key of keys) {
            try {
              return await context.clients.s3.send(new HeadObjectCommand({ Bucket: data.DataBucketName, Key: key }));
            } catch (error) {
              if (!(error instanceof Error && error.name === 'NotFound')) throw error;
            }
          }
          return undefined;
        });
        if (!head) problems.push(`${request.check}: no record ${keys.find((k) => k.includes(utcDay(request.sentAt)))}`);
        else if (head.ServerSideEncryption !== 'aws:kms' || head.SSEKMSKeyId !== data.ProjectKeyArn) {
          problems.push(
            `${request.check}: encrypted with ${head.ServerSideEncryption ?? 'nothing'} ${head.SSEKMSKeyId ?? ''}`,
          );
        }
      }
      if (problems.length > 0) {
        return fail(
          problems.join('; '),
          'The function logs "audit record not written" with the cause (LogGroupName output); records must be SSE-KMS with the project key (ProjectKeyArn).',
        );
      }
      return pass(`${state.requests.length} records, SSE-KMS with the project key`);
    },
  },
  {
    id: 'guardduty',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      if (!threat.GuardDutyDetectorId) return skip('guardDuty is off');
      const detector = await context.clients.guardDuty.send(
        new GetDetectorCommand({ DetectorId: threat.GuardDutyDetectorId }),
      );
      if (detector.Status !== 'ENABLED') {
        return fail(
          `detector ${threat.GuardDutyDetectorId} is ${detector.Status ?? 'unknown'}`,
          `Enable it: aws guardduty update-detector --detector-id ${threat.GuardDutyDetectorId} --enable`,
        );
      }
      const wanted = (threat.GuardDutyFeatures ?? '').split(',').filter(Boolean);
      const enabled = new Set((detector.Features ?? []).filter((f) => f.Status === 'ENABLED').map((f) => f.Name));
      const missing = wanted.filter((f) => !enabled.has(f as never));
      if (missing.length > 0) {
        return fail(
          `features not enabled: ${missing.join(', ')}`,
          'Redeploy the ThreatDetection stack; a delegated GuardDuty administrator may manage features for this account.',
        );
      }
      return pass(`detector enabled${wanted.length > 0 ? ` with ${wanted.join(', ')}` : ''}`);
    },
  },
  {
    id: 'malware',
    slow: true,
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      if (!threat.MalwareProtectionPlanId) return skip('malwareProtection is false');
      const data = stack(context, 'DataProtection');
      if (isOutcome(data)) return data;
      const plan = await context.clients.guardDuty.send(
        new GetMalwareProtectionPlanCommand({ MalwareProtectionPlanId: threat.MalwareProtectionPlanId }),
      );
      if (plan.Status !== 'ACTIVE') {
        const reasons = (plan.StatusReasons ?? []).map((r) => `${r.Code ?? ''} ${r.Message ?? ''}`.trim()).join('; ');
        return fail(
          `malware protection plan is ${plan.Status ?? 'unknown'}${reasons ? `: ${reasons}` : ''}`,
          'The plan role must be able to read, tag and decrypt the bucket (project key policy); see the GuardDuty console.',
        );
      }
      const bucket = data.DataBucketName;
      const prefix = `verify/${context.runId}/`;
      const samples = [
        {
          key: `${prefix}harmless.txt`,
          body: 'A harmless object written by npm run verify.',
          expected: 'NO_THREATS_FOUND',
        },
        { key: `${prefix}eicar-test-file.txt`, body: eicar(), expected: 'THREATS_FOUND' },
      ];
      let outcome: Outcome;
      try {
        for (const sample of samples) {
          await context.clients.s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: sample.key,
              Body: sample.body,
              ServerSideEncryption: 'aws:kms',
              SSEKMSKeyId: data.ProjectKeyArn,
            }),
          );
        }
        const deadline = context.now() + context.timeoutMs;
        const statuses: string[] = [];
        for (const sample of samples) {
          const status = await poll(context, `the malware scan of ${sample.key}`, deadline, 10_000, async () => {
            const { TagSet } = await context.clients.s3.send(
              new GetObjectTaggingCommand({ Bucket: bucket, Key: sample.key }),
            );
            return TagSet?.find((t) => t.Key === 'GuardDutyMalwareScanStatus')?.Value;
          });
          statuses.push(status ?? 'not scanned in time');
        }
        const wrong = samples.filter((s, i) => statuses[i] !== s.expected);
        outcome =
          wrong.length === 0
            ? pass('plan ACTIVE; harmless object NO_THREATS_FOUND, EICAR test file THREATS_FOUND')
            : fail(
                samples.map((s, i) => `${s.key.slice(prefix.length)}: ${statuses[i]}`).join(', '),
                'Scans take seconds to minutes: run it again with a longer --timeout; if objects stay untagged, check the plan role and the bucket policy.',
              );
      } catch (error) {
        outcome = fail(
          `could not write test objects: ${error instanceof Error ? error.message : String(error)}`,
          'With isolatedNetwork the bucket refuses writes from outside its VPC endpoint: skip this check (--skip malware).',
        );
      } finally {
        const left = await deleteAllVersions(context.clients.s3, bucket, prefix).catch((error: unknown) => [
          `${prefix}* (${error instanceof Error ? error.message : String(error)})`,
        ]);
        if (left.length > 0) context.progress(`could not delete test objects: ${left.join(', ')}`);
      }
      return outcome;
    },
  },
  {
    id: 'macie',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      if (!threat.MacieClassificationJobId) return skip('macie is off');
      const session = await context.clients.macie.send(new GetMacieSessionCommand({}));
      if (session.status !== 'ENABLED') {
        return fail(
          `Macie is ${session.status ?? 'unknown'}`,
          'Enable it: aws macie2 update-macie-session --status ENABLED',
        );
      }
      const job = await context.clients.macie.send(
        new DescribeClassificationJobCommand({ jobId: threat.MacieClassificationJobId }),
      );
      if (!job.jobStatus || job.jobStatus === 'CANCELLED') {
        return fail(
          `classification job ${threat.MacieClassificationJobId} is ${job.jobStatus ?? 'missing'}`,
          'A cancelled job cannot restart: redeploy the ThreatDetection stack so it creates a new one.',
        );
      }
      return pass(`Macie enabled; job ${threat.MacieClassificationJobId} is ${job.jobStatus}`);
    },
  },
  {
    id: 'cloudtrail',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      if (!threat.TrailArn) return skip('cloudTrail is false');
      const data = stack(context, 'DataProtection');
      if (isOutcome(data)) return data;
      const status = await context.clients.cloudTrail.send(new GetTrailStatusCommand({ Name: threat.TrailArn }));
      if (!status.IsLogging) {
        return fail('the trail is not logging', `Start it: aws cloudtrail start-logging --name ${threat.TrailArn}`);
      }
      const selectors = await context.clients.cloudTrail.send(
        new GetEventSelectorsCommand({ TrailName: threat.TrailArn }),
      );
      if (!recordsBucketDataEvents(selectors, data.DataBucketName)) {
        return fail(
          `the trail does not record object-level events of ${data.DataBucketName}`,
          'Redeploy the ThreatDetection stack; someone changed its event selectors.',
        );
      }
      return pass(`logging, with data events of ${data.DataBucketName}`);
    },
  },
  {
    id: 'alerts',
    slow: true,
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const detectorId = threat.GuardDutyDetectorId;
      if (!detectorId) return skip('guardDuty is off: no detector to raise sample findings');
      const topicName = (threat.AlertTopicArn ?? '').split(':').pop() ?? '';
      const rules = (threat.AlertRuleNames ?? '').split(',').filter(Boolean);
      const started = context.now();
      await context.clients.guardDuty.send(
        new CreateSampleFindingsCommand({ DetectorId: detectorId, FindingTypes: [SAMPLE_FINDING_TYPE] }),
      );
      try {
        const topic = { Name: 'TopicName', Value: topicName };
        const published = await poll(
          context,
          'the sample finding on the alert topic',
          started + context.timeoutMs,
          30_000,
          async () => {
            const n = await metricSum(context, 'AWS/SNS', 'NumberOfMessagesPublished', topic, started);
            return n > 0 ? n : undefined;
          },
        );
        const failedRules: string[] = [];
        for (const rule of rules) {
          const n = await metricSum(
            context,
            'AWS/Events',
            'FailedInvocations',
            { Name: 'RuleName', Value: rule },
            started,
          );
          if (n > 0) failedRules.push(`${rule} (${n})`);
        }
        const failedNotifications = await metricSum(context, 'AWS/SNS', 'NumberOfNotificationsFailed', topic, started);
        const delivered = await metricSum(context, 'AWS/SNS', 'NumberOfNotificationsDelivered', topic, started);
        const { Attributes } = await context.clients.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: threat.AlertDeadLetterQueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        const deadLetters = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
        const problems = [
          ...(published === undefined
            ? [`nothing published to ${topicName} within ${context.timeoutMs / 1000} s`]
            : []),
          ...(failedRules.length > 0 ? [`failed rule invocations: ${failedRules.join(', ')}`] : []),
          ...(failedNotifications > 0 ? [`${failedNotifications} notifications failed`] : []),
          ...(deadLetters > 0 ? [`${deadLetters} messages in the dead-letter queue`] : []),
        ];
        if (problems.length > 0) {
          return fail(
            problems.join('; '),
            'Failed invocations or dead letters usually mean the key policy does not let EventBridge/SNS use the project key; read a message from the dead-letter queue for the error. Nothing published: run again with a longer --timeout (GuardDuty takes up to 5 minutes).',
          );
        }
        return pass(
          `sample finding published to the topic; ${delivered > 0 ? `${delivered} notifications delivered` : 'no subscription delivered (alertEmail empty or unconfirmed)'}; no failed invocations; dead-letter queue empty`,
        );
      } finally {
        // Sample findings cannot be deleted; archive the ones this run made.
        await archiveSampleFindings(context, detectorId, started).catch((error: unknown) =>
          context.progress(
            `could not archive sample findings: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    },
  },
  {
    id: 'access-analyzer',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const arns = [threat.ExternalAccessAnalyzerArn, threat.UnusedAccessAnalyzerArn].filter((a): a is string => !!a);
      if (arns.length === 0)
        return skip('no analyzer created by this app (accessAnalyzer/unusedAccessAnalyzer off or existing)');
      const states = await Promise.all(
        arns.map(async (arn) => {
          const analyzerName = arn.split('/').pop() ?? arn;
          const { analyzer } = await context.clients.accessAnalyzer.send(new GetAnalyzerCommand({ analyzerName }));
          return { analyzerName, status: analyzer?.status ?? 'unknown', reason: analyzer?.statusReason?.code };
        }),
      );
      const inactive = states.filter((s) => s.status !== 'ACTIVE');
      if (inactive.length > 0) {
        return fail(
          inactive.map((s) => `${s.analyzerName} is ${s.status}${s.reason ? ` (${s.reason})` : ''}`).join('; '),
          'A CREATING analyzer needs a few minutes; FAILED: see its status reason in the IAM console.',
        );
      }
      return pass(`${states.map((s) => s.analyzerName).join(', ')} ACTIVE`);
    },
  },
];

async function archiveSampleFindings(context: VerifyContext, detectorId: string, since: number): Promise<void> {
  const { FindingIds } = await context.clients.guardDuty.send(
    new ListFindingsCommand({
      DetectorId: detectorId,
      FindingCriteria: {
        Criterion: {
          'service.additionalInfo.sample': { Equals: ['true'] },
          type: { Equals: [SAMPLE_FINDING_TYPE] },
          updatedAt: { GreaterThanOrEqual: since - 60_000 },
        },
      },
    }),
  );
  if (FindingIds && FindingIds.length > 0) {
    await context.clients.guardDuty.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds }));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function failure(error: unknown): Outcome {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/AccessDenied|UnauthorizedOperation|AuthorizationError/.test(name)) {
    return fail(
      message,
      'Your credentials lack a permission this check needs: run it with a role that can read the service.',
    );
  }
  return fail(`${name ? `${name}: ` : ''}${message}`, 'Run it again; if it persists, check the service console.');
}

/** Run the selected checks in order (the audit check reads the invoke checks' requests). */
export async function runChecks(
  context: VerifyContext,
  selection: { only?: readonly string[]; skip?: readonly string[] } = {},
): Promise<CheckResult[]> {
  const state: RunState = { requests: [] };
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    const selected = (!selection.only || selection.only.includes(check.id)) && !selection.skip?.includes(check.id);
    if (!selected) {
      results.push({ id: check.id, ...skip('not selected (--only/--skip)') });
      continue;
    }
    const limit = check.slow ? context.timeoutMs + QUICK_TIMEOUT_MS : QUICK_TIMEOUT_MS;
    const outcome = await withTimeout(check.run(context, state), limit, check.id).catch(failure);
    results.push({ id: check.id, ...outcome });
  }
  return results;
}

/** The table: check, result, and what it found or what to do. */
export function table(results: readonly CheckResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.id.length));
  const lines = [`  ${'CHECK'.padEnd(width)}  RESULT  DETAIL / WHAT TO DO`];
  for (const r of results) {
    lines.push(`  ${r.id.padEnd(width)}  ${r.result.padEnd(6)}  ${r.detail}`);
    if (r.result === 'FAIL' && r.fix) lines.push(`  ${''.padEnd(width)}          -> ${r.fix}`);
  }
  return lines.join('\n');
}
