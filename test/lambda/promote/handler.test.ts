import {
  BedrockAgentClient,
  ConflictException,
  ListIngestionJobsCommand,
  StartIngestionJobCommand,
  ThrottlingException as AgentThrottlingException,
} from '@aws-sdk/client-bedrock-agent';
import {
  ApplyGuardrailCommand,
  type ApplyGuardrailResponse,
  BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { PROMOTION_TAG } from '../../../lib/shared/promotion-contract';
import { MAX_TEXT_BYTES } from '../../../lambda/promote/check';
import { SNIFF_BYTES } from '../../../lambda/promote/content';
import { createHandler, RESERVE_MS } from '../../../lambda/promote/handler';
import { METADATA } from '../../../lambda/promote/promote';
import { assess } from '../../../tools/local-aws/guardrail-stand-in';
import { settingsFromEnvironment } from '../../../lambda/promote/settings';
import {
  BUCKET,
  body,
  ENVIRONMENT,
  NEWER_VERSION,
  recorder,
  scanResult,
  SETTINGS,
  sqsEvent,
  VERSION,
} from './fixtures';

const s3 = mockClient(S3Client);
const bedrock = mockClient(BedrockRuntimeClient);
const agent = mockClient(BedrockAgentClient);
const sns = mockClient(SNSClient);

const meta = { $metadata: { httpStatusCode: 404 } };
const notFound = () => new NotFound({ message: 'Not Found', ...meta });
/** The time S3 wrote the copy; ingestion jobs are compared with it. */
const WRITTEN = new Date('2026-11-29T10:00:05.000Z');
const BEFORE = new Date('2026-11-29T10:00:01.000Z');
const AFTER = new Date('2026-11-29T10:00:07.000Z');
const GUARDDUTY_TAG = { Key: 'GuardDutyMalwareScanStatus', Value: 'NO_THREATS_FOUND' };

const MARKDOWN = '# Onboarding\n\nAsk the platform team for access to the build farm.\n';
const WITH_EMAIL = 'Contact jane.doe@example.com for access to the build farm.\n';
const MASKED = 'Contact {EMAIL} for access to the build farm.\n';
const WITH_SSN = 'Payroll record: Jane Doe, SSN 123-45-6789, employee E-004211.\n';

const NONE: ApplyGuardrailResponse = {
  action: 'NONE',
  outputs: [],
  assessments: [{}],
  usage: {
    topicPolicyUnits: 0,
    contentPolicyUnits: 1,
    wordPolicyUnits: 0,
    sensitiveInformationPolicyUnits: 1,
    sensitiveInformationPolicyFreeUnits: 0,
    contextualGroundingPolicyUnits: 0,
  },
};

/** The start of a PDF file as a writer emits it: the header, then a comment of bytes over 127 that marks it binary. */
const PDF = new Uint8Array([
  ...new TextEncoder().encode('%PDF-1.7\n%'),
  0xe2,
  0xe3,
  0xcf,
  0xd3,
  0x0a,
  0x31,
  0x20,
  0x30,
]);

/**
 * The source in incoming/ (its current version is the scanned one unless
 * said otherwise) and an empty knowledge/. GetObject answers with `content`
 * (MARKDOWN by default; the part a Range asks for) unless the test says otherwise.
 */
function givenDocument(
  key: string,
  options: { contentType?: string; length?: number; latest?: string; content?: string | Uint8Array } = {},
) {
  const destination = key.replace(/^incoming\//, 'knowledge/');
  const content = options.content ?? MARKDOWN;
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  s3.on(GetObjectCommand).callsFake((input: { Range?: string }) => {
    const last = /^bytes=0-(\d+)$/.exec(input.Range ?? '')?.[1];
    return { Body: body(last === undefined ? bytes : bytes.slice(0, Number(last) + 1)), VersionId: VERSION };
  });
  listed(key);
  // As S3 answers a caller who may not list the whole bucket: 403, not 404.
  s3.on(HeadObjectCommand, { Key: destination }).rejects(forbidden());
  s3.on(HeadObjectCommand, { Key: key }).resolves({
    VersionId: options.latest ?? VERSION,
    ContentType: options.contentType ?? 'text/markdown',
    ContentLength: options.length ?? bytes.length,
    LastModified: new Date('2026-11-29T09:59:58.000Z'),
  });
  s3.on(CopyObjectCommand).resolves({ VersionId: 'dst-v1', CopyObjectResult: { LastModified: WRITTEN } });
  s3.on(PutObjectCommand).resolves({ VersionId: 'dst-v1' });
  return destination;
}

/** ListObjectsV2 with this key as prefix lists it (every other listing is empty, see beforeEach). */
function listed(key: string) {
  s3.on(ListObjectsV2Command, { Prefix: key }).resolves({ Contents: [{ Key: key }], KeyCount: 1 });
}

function forbidden() {
  return Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
}

function givenJobs(...jobs: { id: string; status: string; startedAt: Date; failed?: number }[]) {
  agent.on(ListIngestionJobsCommand).resolves({
    ingestionJobSummaries: jobs.map((job) => ({
      knowledgeBaseId: SETTINGS.knowledgeBaseId,
      dataSourceId: SETTINGS.dataSourceId,
      ingestionJobId: job.id,
      status: job.status as never,
      startedAt: job.startedAt,
      updatedAt: job.startedAt,
      ...(job.status === 'COMPLETE'
        ? { statistics: { numberOfDocumentsScanned: 3, numberOfDocumentsFailed: job.failed ?? 0 } }
        : {}),
    })),
  });
  agent.on(StartIngestionJobCommand).resolves({
    ingestionJob: {
      knowledgeBaseId: SETTINGS.knowledgeBaseId,
      dataSourceId: SETTINGS.dataSourceId,
      ingestionJobId: 'NEWJOB0001',
      status: 'STARTING',
      startedAt: AFTER,
      updatedAt: AFTER,
    },
  });
}

/** A job that started after the copy was written completed without failed documents: the document is indexed. */
function givenIndexed(failed = 0) {
  givenJobs({ id: 'JOBAFTER01', status: 'COMPLETE', startedAt: AFTER, failed });
}

/** The handler with the mocked clients and a recording logger; the clock at the copy's write time unless given. */
function handlerWith(
  settings: Parameters<typeof createHandler>[0]['settings'] = SETTINGS,
  now: () => number = () => WRITTEN.getTime(),
) {
  const log = recorder();
  const handler = createHandler({
    s3: new S3Client({ region: 'eu-west-1' }),
    bedrock: new BedrockRuntimeClient({ region: 'eu-west-1' }),
    agent: new BedrockAgentClient({ region: 'eu-west-1' }),
    sns: new SNSClient({ region: 'eu-west-1' }),
    settings,
    logger: log.logger,
    now,
  });
  return { handler, log };
}

function run(...bodies: unknown[]) {
  const { handler, log } = handlerWith();
  return { result: handler(sqsEvent(...bodies)), log };
}

/** ApplyGuardrail answered by the rule-based stand-in: what is found depends only on the text sent. */
const standIn = (input: { source: 'INPUT' | 'OUTPUT'; content: never[] }) => assess(input.source, input.content);

/** Tagging answered (GuardDuty's tag on the version), so that a refusal can complete. */
function givenTaggable() {
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [GUARDDUTY_TAG] });
  s3.on(PutObjectTaggingCommand).resolves({});
}

const alerts = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const alertBody = (index = 0) => JSON.parse(alerts()[index].Message ?? '{}') as Record<string, unknown>;
const tagsPut = () => s3.commandCalls(PutObjectTaggingCommand).map((call) => call.args[0].input);

beforeEach(() => {
  s3.reset();
  bedrock.reset();
  agent.reset();
  sns.reset();
  bedrock.on(ApplyGuardrailCommand).resolves(NONE);
  s3.on(ListObjectsV2Command).resolves({ Contents: [], KeyCount: 0 });
  sns.on(PublishCommand).resolves({ MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e' });
});

describe('clean documents are promoted', () => {
  test('clean text: checked by the guardrail as OUTPUT, the exact version copied with the project key, a job started, the record kept until it ends', async () => {
    const destination = givenDocument('incoming/guides/Onboarding.MD');
    s3.on(GetObjectCommand).resolves({ Body: body(MARKDOWN), VersionId: VERSION });
    bedrock.on(ApplyGuardrailCommand).resolves(NONE);
    givenJobs({ id: 'OLDJOB0001', status: 'COMPLETE', startedAt: BEFORE });

    const { result } = run(scanResult('incoming/guides/Onboarding.MD'));
    // Kept in the queue (returned as a failure, retried at info) until the job's outcome is known.
    expect((await result).batchItemFailures).toHaveLength(1);

    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'incoming/guides/Onboarding.MD',
      VersionId: VERSION,
    });
    expect(bedrock.commandCalls(ApplyGuardrailCommand)[0].args[0].input).toEqual({
      guardrailIdentifier: SETTINGS.guardrailArn,
      guardrailVersion: '3',
      source: 'OUTPUT',
      content: [{ text: { text: MARKDOWN } }],
    });
    const [copy] = s3.commandCalls(CopyObjectCommand);
    expect(copy.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: destination,
      CopySource: `${BUCKET}/incoming%2Fguides%2FOnboarding.MD?versionId=${VERSION}`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: SETTINGS.kmsKeyArn,
      BucketKeyEnabled: true,
      MetadataDirective: 'REPLACE',
      ContentType: 'text/markdown',
      TaggingDirective: 'REPLACE',
      Metadata: {
        [METADATA.sourceKey]: 'incoming%2Fguides%2FOnboarding.MD',
        [METADATA.sourceVersion]: VERSION,
        [METADATA.check]: 'guardrail',
      },
    });
    expect(destination).toBe('knowledge/guides/Onboarding.MD');
    const [start] = agent.commandCalls(StartIngestionJobCommand);
    expect(start.args[0].input).toMatchObject({
      knowledgeBaseId: SETTINGS.knowledgeBaseId,
      dataSourceId: SETTINGS.dataSourceId,
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(agent.commandCalls(ListIngestionJobsCommand)[0].args[0].input).toEqual({
      knowledgeBaseId: SETTINGS.knowledgeBaseId,
      dataSourceId: SETTINGS.dataSourceId,
      sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
      maxResults: 10,
    });
    expect(alerts()).toEqual([]);
  });

  test('a PDF is refused by default as binary-not-screened: only its first bytes read, no guardrail call, nothing copied', async () => {
    givenDocument('incoming/reports/q3.pdf', { contentType: 'application/pdf', length: 4_000_000, content: PDF });
    givenTaggable();
    const { result } = run(scanResult('incoming/reports/q3.pdf'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range)).toEqual([
      `bytes=0-${SNIFF_BYTES - 1}`,
    ]);
    expect(bedrock.calls()).toHaveLength(0);
    expect(alertBody()).toMatchObject({ reason: 'binary-not-screened', format: 'pdf' });
    expect(tagsPut()[0].Tagging?.TagSet).toContainEqual({ Key: PROMOTION_TAG, Value: 'binary-not-screened' });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(agent.calls()).toHaveLength(0);
  });

  test('with binaryDocuments=promote-unscreened a PDF is promoted on the malware verdict alone', async () => {
    givenDocument('incoming/reports/q3.pdf', { contentType: 'application/pdf', length: 4_000_000, content: PDF });
    givenIndexed();
    const { handler } = handlerWith({ ...SETTINGS, binaryDocuments: 'promote-unscreened' });
    expect(await handler(sqsEvent(scanResult('incoming/reports/q3.pdf')))).toEqual({ batchItemFailures: [] });
    expect(bedrock.calls()).toHaveLength(0);
    expect(s3.commandCalls(CopyObjectCommand)[0].args[0].input).toMatchObject({
      Key: 'knowledge/reports/q3.pdf',
      ContentType: 'application/pdf',
      Metadata: { [METADATA.check]: 'malware-scan', [METADATA.sourceVersion]: VERSION },
    });
    expect(agent.commandCalls(ListIngestionJobsCommand)).toHaveLength(1);
  });

  test('with binaryDocuments=promote-unscreened a PDF over the 50 MB a knowledge base ingests is refused as too-large-to-index', async () => {
    givenDocument('incoming/reports/scan.pdf', {
      contentType: 'application/pdf',
      length: 50 * 1024 * 1024 + 1,
      content: PDF,
    });
    givenTaggable();
    const { handler } = handlerWith({ ...SETTINGS, binaryDocuments: 'promote-unscreened' });
    expect(await handler(sqsEvent(scanResult('incoming/reports/scan.pdf')))).toEqual({ batchItemFailures: [] });
    expect(alertBody()).toMatchObject({ reason: 'too-large-to-index', format: 'pdf' });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(agent.calls()).toHaveLength(0);
  });

  test.each([
    ['a CSV', 'incoming/people.csv'],
    ['an HTML page', 'incoming/site/contact.html'],
    ['a text file named in capitals', 'incoming/NOTES.TXT'],
  ])('text the knowledge base indexes is screened: %s has its e-mail address masked', async (_what, key) => {
    givenDocument(key, { contentType: 'application/octet-stream', content: WITH_EMAIL });
    bedrock.on(ApplyGuardrailCommand).callsFake(standIn);
    givenIndexed();
    const { result } = run(scanResult(key));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Body: MASKED });
  });

  test('HTML whose address character references hide from the guardrail is refused: the parser would read it plain', async () => {
    const page = '<p>Write to j&#111;hn&#64;exa<b>mple</b>.com for access.</p>\n';
    givenDocument('incoming/site/contact.html', { content: page });
    bedrock.on(ApplyGuardrailCommand).callsFake(standIn);
    givenTaggable();
    const { result, log } = run(scanResult('incoming/site/contact.html'));
    expect(await result).toEqual({ batchItemFailures: [] });
    const sent = bedrock.commandCalls(ApplyGuardrailCommand).map((call) => call.args[0].input.content?.[0].text?.text);
    expect(sent).toEqual([page, 'Write to john@example.com for access.\n']);
    expect(alertBody()).toMatchObject({ reason: 'sensitive-information', entityTypes: ['EMAIL'] });
    expect(JSON.stringify(alerts()) + JSON.stringify(log.lines)).not.toContain('john@');
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('HTML whose address the first screen masked is promoted masked: what a parser reads of it is clean', async () => {
    givenDocument('incoming/site/contact.html', { content: `<p>${WITH_EMAIL}</p>` });
    bedrock.on(ApplyGuardrailCommand).callsFake(standIn);
    givenIndexed();
    const { result } = run(scanResult('incoming/site/contact.html'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(bedrock.commandCalls(ApplyGuardrailCommand)[1].args[0].input.content?.[0].text?.text).toBe(MASKED);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Body: `<p>${MASKED}</p>` });
  });

  test.each([
    ['JSON', 'incoming/export.json'],
    ['a README with no extension', 'incoming/README'],
    ['a name with a trailing space', 'incoming/notes.md '],
    ['a backup name', 'incoming/report.txt.bak'],
    ['a PDF name on text', 'incoming/not-really.pdf'],
  ])(
    '%s, which the knowledge base would not index as text, is refused unscreened and never copied',
    async (_what, key) => {
      givenDocument(key, { content: WITH_EMAIL });
      givenTaggable();
      const { result } = run(scanResult(key));
      expect(await result).toEqual({ batchItemFailures: [] });
      expect(bedrock.calls()).toHaveLength(0);
      expect(alertBody()).toMatchObject({ reason: 'unsupported-format' });
      expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    },
  );

  test('a text piece the guardrail evaluated only in part is refused as screen-incomplete', async () => {
    givenDocument('incoming/notes.md');
    bedrock.on(ApplyGuardrailCommand).resolves({
      ...NONE,
      guardrailCoverage: { textCharacters: { guarded: 10, total: MARKDOWN.length } },
    });
    givenTaggable();
    const { result } = run(scanResult('incoming/notes.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(alertBody()).toMatchObject({ reason: 'screen-incomplete' });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  test('a read shorter than the version is an error to retry, never a short (and so clean) document', async () => {
    givenDocument('incoming/notes.md', { length: 5_000 });
    const { result } = run(scanResult('incoming/notes.md'));
    expect((await result).batchItemFailures).toHaveLength(1);
    expect(bedrock.calls()).toHaveLength(0);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  test("masked entities only: the guardrail's masked text is written, never the original", async () => {
    givenDocument('incoming/access.txt', { contentType: 'text/plain; charset=utf-8', content: WITH_EMAIL });
    bedrock.on(ApplyGuardrailCommand).resolves({
      ...NONE,
      action: 'GUARDRAIL_INTERVENED',
      outputs: [{ text: MASKED }],
      assessments: [
        {
          sensitiveInformationPolicy: {
            piiEntities: [{ match: 'jane.doe@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true }],
            regexes: [],
          },
        },
      ],
    });
    givenIndexed();
    const { result, log } = run(scanResult('incoming/access.txt'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: 'knowledge/access.txt',
      Body: MASKED,
      ContentType: 'text/plain; charset=utf-8',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: SETTINGS.kmsKeyArn,
      BucketKeyEnabled: true,
      Metadata: { [METADATA.check]: 'guardrail-masked', [METADATA.sourceVersion]: VERSION },
    });
    expect(JSON.stringify(log.lines)).not.toContain('jane.doe');
    expect(agent.commandCalls(ListIngestionJobsCommand)).toHaveLength(1);
  });

  test("only the key's current version is promoted: a late verdict on an overwritten version copies nothing", async () => {
    givenDocument('incoming/notes.md', { latest: NEWER_VERSION });
    const { result } = run(scanResult('incoming/notes.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(agent.calls()).toHaveLength(0);
  });
});

describe('refused documents stay in incoming/, tagged and reported', () => {
  test("infected: the scanned version tagged with GuardDuty's tag kept, no second alert (MalwareFound has it), nothing copied", async () => {
    s3.on(GetObjectTaggingCommand).resolves({
      TagSet: [
        { Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' },
        { Key: 'owner', Value: 'research' },
      ],
    });
    s3.on(PutObjectTaggingCommand).resolves({});
    const { result } = run(
      scanResult('incoming/tools/setup.exe', 'THREATS_FOUND', { threats: ['EICAR-Test-File (not a virus)'] }),
    );
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(GetObjectTaggingCommand)[0].args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'incoming/tools/setup.exe',
      VersionId: VERSION,
    });
    expect(tagsPut()).toEqual([
      {
        Bucket: BUCKET,
        Key: 'incoming/tools/setup.exe',
        VersionId: VERSION,
        Tagging: {
          TagSet: [
            { Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' },
            { Key: 'owner', Value: 'research' },
            { Key: PROMOTION_TAG, Value: 'malware-found' },
          ],
        },
      },
    ]);
    // The threat-detection stack's MalwareFound rule already alerts on every infected object: no second page.
    expect(alerts()).toHaveLength(0);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(agent.calls()).toHaveLength(0);
  });

  test('blocked by the guardrail: the alert and logs name entity types and regex names, never the matched text', async () => {
    givenDocument('incoming/hr/payroll.md', { content: WITH_SSN });
    bedrock.on(ApplyGuardrailCommand).resolves({
      ...NONE,
      action: 'GUARDRAIL_INTERVENED',
      outputs: [{ text: 'Sorry, this content is not available.' }],
      assessments: [
        {
          sensitiveInformationPolicy: {
            piiEntities: [
              { match: '123-45-6789', type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCKED', detected: true },
              { match: 'Jane Doe', type: 'NAME', action: 'ANONYMIZED', detected: true },
            ],
            regexes: [{ name: 'employee-id', match: 'E-004211', regex: 'E-\\d{6}', action: 'BLOCKED', detected: true }],
          },
        },
      ],
    });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [GUARDDUTY_TAG] });
    s3.on(PutObjectTaggingCommand).resolves({});
    const { result, log } = run(scanResult('incoming/hr/payroll.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(alertBody()).toEqual({
      bucket: BUCKET,
      key: 'incoming/hr/payroll.md',
      versionId: VERSION,
      reason: 'sensitive-information',
      entityTypes: ['US_SOCIAL_SECURITY_NUMBER'],
      regexNames: ['employee-id'],
    });
    expect(tagsPut()[0].Tagging?.TagSet).toEqual([
      GUARDDUTY_TAG,
      { Key: PROMOTION_TAG, Value: 'sensitive-information' },
    ]);
    const published = JSON.stringify(alerts()) + JSON.stringify(log.lines);
    for (const secret of ['123-45-6789', 'E-004211', 'Jane Doe', 'Payroll record']) {
      expect(published).not.toContain(secret);
    }
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(agent.calls()).toHaveLength(0);
  });

  test.each(['UNSUPPORTED', 'ACCESS_DENIED', 'FAILED'])(
    'scan result %s is not a clean verdict: refused as scan-not-clean',
    async (status) => {
      s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'GuardDutyMalwareScanStatus', Value: status }] });
      s3.on(PutObjectTaggingCommand).resolves({});
      const { result } = run(scanResult('incoming/archive.zip', status));
      expect(await result).toEqual({ batchItemFailures: [] });
      expect(alertBody()).toMatchObject({ reason: 'scan-not-clean', scanResultStatus: status });
      expect(tagsPut()[0].Tagging?.TagSet).toContainEqual({ Key: PROMOTION_TAG, Value: 'scan-not-clean' });
      expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    },
  );

  test.each([
    ['SKIPPED', ['Password-protected file']],
    ['FAILED', []],
    [undefined, []],
  ])(
    'NO_THREATS_FOUND with scan status %s is not clean: refused as scan-not-clean, the alert saying why',
    async (scanStatus, statusReasons) => {
      givenDocument('incoming/locked.md');
      givenTaggable();
      const event = scanResult('incoming/locked.md', 'NO_THREATS_FOUND');
      if (scanStatus === undefined) delete (event.detail as Record<string, unknown>).scanStatus;
      else Object.assign(event.detail, { scanStatus, statusReasons });
      const { result } = run(event);
      expect(await result).toEqual({ batchItemFailures: [] });
      expect(alertBody()).toEqual({
        bucket: BUCKET,
        key: 'incoming/locked.md',
        versionId: VERSION,
        reason: 'scan-not-clean',
        scanStatus: scanStatus ?? 'none',
        scanResultStatus: 'NO_THREATS_FOUND',
        statusReasons,
      });
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
      expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
      expect(agent.calls()).toHaveLength(0);
    },
  );

  test('a text file over the size cap is refused as too-large-to-check: only its first bytes read, never checked', async () => {
    givenDocument('incoming/dump.txt', { length: MAX_TEXT_BYTES + 1, content: 'plain log line\n'.repeat(80_000) });
    givenTaggable();
    const { result } = run(scanResult('incoming/dump.txt'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range)).toEqual([
      `bytes=0-${SNIFF_BYTES - 1}`,
    ]);
    expect(bedrock.calls()).toHaveLength(0);
    expect(alertBody()).toMatchObject({ reason: 'too-large-to-check' });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  test('a text file that is not UTF-8 is refused as unreadable-text, unchecked', async () => {
    givenDocument('incoming/legacy.txt', { content: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]) });
    givenTaggable();
    const { result } = run(scanResult('incoming/legacy.txt'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(bedrock.calls()).toHaveLength(0);
    expect(alertBody()).toMatchObject({ reason: 'unreadable-text' });
  });

  test('a redelivered refusal (tag already set with that reason) sends no second alert', async () => {
    s3.on(GetObjectTaggingCommand).resolves({
      TagSet: [GUARDDUTY_TAG, { Key: PROMOTION_TAG, Value: 'malware-found' }],
    });
    const { result } = run(scanResult('incoming/tools/setup.exe', 'THREATS_FOUND'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(alerts()).toEqual([]);
    expect(tagsPut()).toEqual([]);
  });

  test('a version that already has the 10 tags S3 allows is still reported, and its tags are left alone', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ Key: `team-tag-${i}`, Value: 'x' }));
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: ten });
    const { result, log } = run(scanResult('incoming/tools/setup.exe', 'UNSUPPORTED'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(alerts()).toHaveLength(1);
    expect(tagsPut()).toEqual([]);
    expect(log.lines.some((line) => line.level === 'warn' && /most tags/.test(line.message))).toBe(true);
  });
});

describe('what is ignored', () => {
  test.each([
    ['another prefix', scanResult('knowledge/guides/onboarding.md')],
    ['the validation object at the root', scanResult('malware-protection-resource-validation-object')],
    ['a folder marker', scanResult('incoming/guides/')],
    [
      'another bucket',
      scanResult('incoming/guides/onboarding.md', 'THREATS_FOUND', { bucket: 'someone-elses-bucket' }),
    ],
  ])('%s: logged, acknowledged, nothing called', async (_what, event) => {
    const { result, log } = run(event);
    expect(await result).toEqual({ batchItemFailures: [] });
    expect([...s3.calls(), ...bedrock.calls(), ...agent.calls(), ...sns.calls()]).toHaveLength(0);
    expect(log.lines.map((line) => line.message)).toContain('Not a document in incoming/ of the data bucket; ignored');
  });
});

describe('idempotency and ingestion', () => {
  test.each([
    ['plus for a space', 'incoming/reports/q3+summary.md'],
    ['percent-encoded', 'incoming/reports/q3%20summary.md'],
  ])('a key sent URL-encoded (%s) is promoted under the key S3 stores, not taken for deleted', async (_how, sent) => {
    givenDocument('incoming/reports/q3 summary.md', { contentType: 'text/markdown' });
    givenIndexed();
    const { result } = run(scanResult(sent));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'knowledge/reports/q3 summary.md',
    ]);
  });

  test('a key that really contains "+" is used as it is', async () => {
    givenDocument('incoming/c++.md');
    givenIndexed();
    const { result } = run(scanResult('incoming/c++.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['knowledge/c++.md']);
  });

  test('a document deleted between the listing and the HEAD is not promoted, and not retried', async () => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    s3.on(HeadObjectCommand, { Key: 'incoming/report.md' }).rejects(notFound());
    const { result } = run(scanResult('incoming/report.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(agent.calls()).toHaveLength(0);
  });

  test('a duplicate event (knowledge/ already holds this source version): no second copy, the ingestion check still runs', async () => {
    listed('knowledge/guides/onboarding.md');
    s3.on(HeadObjectCommand, { Key: 'knowledge/guides/onboarding.md' }).resolves({
      VersionId: 'dst-v1',
      LastModified: WRITTEN,
      Metadata: { [METADATA.sourceVersion]: VERSION, [METADATA.check]: 'guardrail' },
    });
    givenJobs({ id: 'JOBAFTER01', status: 'COMPLETE', startedAt: AFTER });
    const { result } = run(scanResult('incoming/guides/onboarding.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(bedrock.calls()).toHaveLength(0);
    expect(agent.commandCalls(ListIngestionJobsCommand)).toHaveLength(1);
    expect(agent.commandCalls(StartIngestionJobCommand)).toHaveLength(0);
  });

  test('knowledge/ holding another version of the key is overwritten by the current one', async () => {
    listed('knowledge/report.md');
    listed('incoming/report.md');
    s3.on(HeadObjectCommand, { Key: 'knowledge/report.md' }).resolves({
      VersionId: 'dst-v0',
      LastModified: BEFORE,
      Metadata: { [METADATA.sourceVersion]: 'an-older-source-version' },
    });
    s3.on(HeadObjectCommand, { Key: 'incoming/report.md' }).resolves({
      VersionId: VERSION,
      ContentType: 'text/markdown',
      ContentLength: new TextEncoder().encode(MARKDOWN).length,
    });
    s3.on(GetObjectCommand).resolves({ Body: body(MARKDOWN), VersionId: VERSION });
    s3.on(CopyObjectCommand).resolves({ VersionId: 'dst-v1', CopyObjectResult: { LastModified: WRITTEN } });
    givenIndexed();
    const { result } = run(scanResult('incoming/report.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(1);
  });

  test('an ingestion job still running from before the promotion: the record is retried later (info, not error)', async () => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    givenJobs({ id: 'JOBBEFORE1', status: 'IN_PROGRESS', startedAt: BEFORE });
    const { result, log } = run(scanResult('incoming/report.md'));
    const response = await result;
    expect(response.batchItemFailures).toHaveLength(1);
    expect(agent.commandCalls(StartIngestionJobCommand)).toHaveLength(0);
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Record retried later' }));
  });

  test('a job that started after the write covers the document: no second start, the record waits for the outcome', async () => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    givenJobs(
      { id: 'JOBAFTER01', status: 'IN_PROGRESS', startedAt: AFTER },
      { id: 'JOBBEFORE1', status: 'COMPLETE', startedAt: BEFORE },
    );
    const { result, log } = run(scanResult('incoming/report.md'));
    expect((await result).batchItemFailures).toHaveLength(1);
    expect(agent.commandCalls(StartIngestionJobCommand)).toHaveLength(0);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        fields: expect.objectContaining({ why: expect.stringMatching(/JOBAFTER01/) }),
      }),
    );
  });

  test('a job that started in the same second as the write does not count (Last-Modified has whole seconds): one is started', async () => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    givenJobs({ id: 'JOBSAMESEC', status: 'COMPLETE', startedAt: new Date(WRITTEN.getTime() + 400) });
    const { result } = run(scanResult('incoming/report.md'));
    expect((await result).batchItemFailures).toHaveLength(1);
    expect(agent.commandCalls(StartIngestionJobCommand)).toHaveLength(1);
  });

  test('a covering job that completed cleanly: the document is indexed, the record done, no alert', async () => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    givenIndexed();
    const { result, log } = run(scanResult('incoming/report.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(alerts()).toEqual([]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Document indexed' }));
  });

  test.each([
    [
      'completed with failed documents',
      () => givenIndexed(2),
      'Knowledge base: ingestion job finished with failed documents',
      { kind: 'failed-documents', jobId: 'JOBAFTER01', failed: 2 },
    ],
    [
      'failed',
      () => givenJobs({ id: 'JOBAFTER01', status: 'FAILED', startedAt: AFTER }),
      'Knowledge base: ingestion job failed or was stopped',
      { kind: 'job-failed', jobId: 'JOBAFTER01', status: 'FAILED' },
    ],
    [
      'stopped',
      () => givenJobs({ id: 'JOBAFTER01', status: 'STOPPED', startedAt: AFTER }),
      'Knowledge base: ingestion job failed or was stopped',
      { kind: 'job-failed', jobId: 'JOBAFTER01', status: 'STOPPED' },
    ],
  ])(
    'a covering job that %s is alerted (no document text), and the record is done',
    async (_how, jobs, subject, outcome) => {
      givenDocument('incoming/report.md', { contentType: 'text/markdown' });
      jobs();
      const { result } = run(scanResult('incoming/report.md'));
      expect(await result).toEqual({ batchItemFailures: [] });
      expect(alerts().map((a) => a.Subject)).toEqual([subject]);
      expect(subject.length).toBeLessThan(100);
      expect(alertBody()).toMatchObject({
        ...outcome,
        key: 'incoming/report.md',
        destination: 'knowledge/report.md',
        look: expect.stringContaining('--ingestion-job-id JOBAFTER01'),
        // Where the knowledge base's application logs name each document the job failed.
        logGroup: SETTINGS.knowledgeBaseLogGroup,
        documentLogs: `aws logs filter-log-events --log-group-name ${SETTINGS.knowledgeBaseLogGroup} --filter-pattern '"JOBAFTER01"'`,
      });
      expect(JSON.stringify(alerts())).not.toContain('Onboarding');
      expect(agent.commandCalls(StartIngestionJobCommand)).toHaveLength(0);
    },
  );

  test.each([
    ['ConflictException', new ConflictException({ message: 'A data ingestion job is already running', $metadata: {} })],
    ['ThrottlingException', new AgentThrottlingException({ message: 'Rate exceeded', $metadata: {} })],
  ])('%s on StartIngestionJob: the record is retried later', async (_name, error) => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    givenJobs();
    agent.on(StartIngestionJobCommand).rejects(error);
    const { result, log } = run(scanResult('incoming/report.md'));
    expect((await result).batchItemFailures).toHaveLength(1);
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  test('the start token is stable for the same object and jobs seen, and changes once a new job has come', async () => {
    const tokens: string[] = [];
    for (const jobs of [[], [], [{ id: 'FAILED0001', status: 'FAILED', startedAt: BEFORE }]]) {
      agent.reset();
      givenDocument('incoming/report.md', { contentType: 'text/markdown' });
      givenJobs(...jobs);
      await run(scanResult('incoming/report.md')).result;
      tokens.push(agent.commandCalls(StartIngestionJobCommand)[0].args[0].input.clientToken ?? '');
    }
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });
});

describe('failures', () => {
  test('an S3 error fails only that record; the rest of the batch is done', async () => {
    givenDocument('incoming/report.md', { contentType: 'text/markdown' });
    givenJobs();
    s3.on(CopyObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        message: 'Please reduce your request rate.',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(PutObjectTaggingCommand).resolves({});
    const { handler, log } = handlerWith();
    const event = sqsEvent(scanResult('incoming/report.md'), scanResult('incoming/x.exe', 'UNSUPPORTED'));
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] });
    expect(alerts()).toHaveLength(1);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ errorName: 'SlowDown', httpStatusCode: 503 }),
      }),
    );
    expect(log.lines.at(-1)).toMatchObject({ message: 'Batch done', fields: { records: 2, failed: 1, refused: 1 } });
  });

  test.each([
    ['not JSON', 'not json {'],
    ['another event type', { 'detail-type': 'Object Created', source: 'aws.s3', detail: {} }],
    [
      'no version id',
      (() => {
        const event = scanResult('incoming/a.md');
        delete (event.detail.s3ObjectDetails as Record<string, unknown>).versionId;
        return event;
      })(),
    ],
  ])(
    'a malformed body (%s) is failed with an error log, so it reaches the dead-letter queue after maxReceiveCount',
    async (_what, bad) => {
      const { result, log } = run(bad, scanResult('knowledge/elsewhere.md'));
      const response = await result;
      expect(response.batchItemFailures).toHaveLength(1);
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: 'Malformed scan result; it goes to the dead-letter queue after maxReceiveCount',
        }),
      );
      expect([...s3.calls(), ...sns.calls()]).toHaveLength(0);
    },
  );

  test('missing settings: every record fails, with one error log naming what is missing', async () => {
    const settings = settingsFromEnvironment({ ...ENVIRONMENT, GUARDRAIL_ARN: '', DATA_SOURCE_ID: undefined });
    expect(settings).toBeInstanceOf(Error);
    const { handler, log } = handlerWith(settings);
    const event = sqsEvent(scanResult('incoming/a.md'), scanResult('incoming/b.exe', 'THREATS_FOUND'));
    expect(await handler(event)).toEqual({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    });
    expect(log.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: { error: expect.stringContaining('missing GUARDRAIL_ARN, DATA_SOURCE_ID') },
      }),
    ]);
    expect([...s3.calls(), ...sns.calls(), ...bedrock.calls()]).toHaveLength(0);
  });

  test('complete settings are read from the environment the stack sets', () => {
    expect(settingsFromEnvironment(ENVIRONMENT)).toEqual(SETTINGS);
  });

  test('an unknown BINARY_DOCUMENTS value is an Error naming what is allowed, never a silent default', () => {
    const settings = settingsFromEnvironment({ ...ENVIRONMENT, BINARY_DOCUMENTS: 'promote' });
    expect(settings).toBeInstanceOf(Error);
    expect((settings as Error).message).toBe('BINARY_DOCUMENTS: got "promote", allowed: refuse, promote-unscreened');
  });

  test.each([['DRAFT'], ['0'], ['v3'], ['']])(
    'a GUARDRAIL_VERSION that is not a published version number (%j) makes the settings an Error: every record fails, none reaches Bedrock',
    async (value) => {
      const settings = settingsFromEnvironment({ ...ENVIRONMENT, GUARDRAIL_VERSION: value });
      expect(settings).toBeInstanceOf(Error);
      expect((settings as Error).message).toMatch(value ? /^GUARDRAIL_VERSION: got / : /missing GUARDRAIL_VERSION/);
      givenDocument('incoming/guides/onboarding.md');
      const { handler } = handlerWith(settings);
      expect((await handler(sqsEvent(scanResult('incoming/guides/onboarding.md')))).batchItemFailures).toHaveLength(1);
      expect(bedrock.calls()).toHaveLength(0);
    },
  );

  test('the text is checked with the ingestion guardrail and the version the stack published', async () => {
    givenDocument('incoming/guides/onboarding.md');
    givenIndexed();
    const { result } = run(scanResult('incoming/guides/onboarding.md'));
    expect(await result).toEqual({ batchItemFailures: [] });
    expect(bedrock.commandCalls(ApplyGuardrailCommand)[0].args[0].input).toMatchObject({
      guardrailIdentifier: SETTINGS.guardrailArn,
      guardrailVersion: '3',
    });
  });
});

describe('the invocation deadline: the function returns before Lambda ends it', () => {
  /** A context whose remaining time runs down with the handler's clock. */
  function clock(start: number, remaining: number) {
    let time = start;
    return {
      now: () => time,
      advance: (ms: number) => (time += ms),
      context: { getRemainingTimeInMillis: () => start + remaining - time },
    };
  }

  test('with less than the reserve left, no record is started: all are returned to be delivered again', async () => {
    const time = clock(WRITTEN.getTime(), RESERVE_MS - 1);
    const { handler, log } = handlerWith(SETTINGS, time.now);
    const event = sqsEvent(scanResult('incoming/a.md'), scanResult('incoming/b.md'));
    expect(await handler(event, time.context)).toEqual({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    });
    expect(s3.calls()).toHaveLength(0);
    expect(log.lines.some((line) => line.level === 'error')).toBe(false);
  });

  test('a text check that would outlast the invocation stops between pieces; that record and the rest are retried, none as an error', async () => {
    const time = clock(WRITTEN.getTime(), 60_000);
    const text = 'The build farm runs nightly.\n'.repeat(2_000); // 58,000 characters: three pieces
    givenDocument('incoming/long.md', { content: text });
    // Each guardrail call takes 25 s of the invocation's time.
    bedrock.on(ApplyGuardrailCommand).callsFake(() => {
      time.advance(25_000);
      return NONE;
    });
    const { handler, log } = handlerWith(SETTINGS, time.now);
    const event = sqsEvent(scanResult('incoming/long.md'), scanResult('incoming/next.md'));
    expect(await handler(event, time.context)).toEqual({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    });
    // Two pieces checked (25 s each); the third would start with 10 s left, under the reserve.
    expect(bedrock.commandCalls(ApplyGuardrailCommand)).toHaveLength(2);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(log.lines.some((line) => line.level === 'error')).toBe(false);
    expect(log.lines.find((line) => line.message === 'Batch done')?.fields).toMatchObject({
      'retry-later': 1,
      deferred: 1,
    });
  });
});
