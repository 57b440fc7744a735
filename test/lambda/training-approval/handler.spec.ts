import { ApplyGuardrailCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import {
  type ApprovalResponse,
  approvedKey,
  intakeKey,
  manifestKey,
  TRAINING_APPROVED_PREFIX,
  type TrainingManifest,
} from '../../../lib/shared/customization-contract';
import { MAX_TRAINING_BYTES } from '../../../lib/shared/training-data';
import { createHandler, RESERVE_MS } from '../../../lambda/training-approval/handler';
import { settingsFromEnvironment } from '../../../lambda/training-approval/settings';
import { assess } from '../../../tools/local-aws/guardrail-stand-in';
import {
  approvalEvent,
  BASE_MODEL,
  BATCH,
  bedrock,
  body,
  BUCKET,
  conversation,
  ENVIRONMENT,
  GUARDRAIL_ARN,
  KEY_ARN,
  NOW,
  OTHER_VERSION,
  recorder,
  s3,
  SETTINGS,
  trainingFile,
  USER_ARN,
  VERSION,
} from './fixtures';

const FILE = trainingFile(10);
const sha256 = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');
const REQUEST = { batch: BATCH, versionId: VERSION };
const CONTEXT = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', getRemainingTimeInMillis: () => 900_000 };
const SSE_KMS = { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN, BucketKeyEnabled: true };

const s3Error = (name: string, status: number, message = name) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });
const listing = (key?: string) => ({ KeyCount: key ? 1 : 0, Contents: key ? [{ Key: key, Size: 100 }] : undefined });

/**
 * The bucket as the approval finds it: the batch's upload under intake/
 * with its GuardDuty tag (clean unless said otherwise), nothing approved
 * yet, writes that succeed, and the stand-in guardrail.
 */
function given(options: { file?: string | Uint8Array; tag?: string | null; length?: number } = {}) {
  const content = options.file ?? FILE;
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  s3.on(ListObjectsV2Command).resolves(listing());
  s3.on(ListObjectsV2Command, { Prefix: intakeKey(BATCH) }).resolves(listing(intakeKey(BATCH)));
  s3.on(GetObjectTaggingCommand).resolves({
    VersionId: VERSION,
    TagSet:
      options.tag === null ? [] : [{ Key: 'GuardDutyMalwareScanStatus', Value: options.tag ?? 'NO_THREATS_FOUND' }],
  });
  const read = { Body: body(bytes), ContentLength: options.length ?? bytes.length, VersionId: VERSION };
  s3.on(GetObjectCommand, { Key: intakeKey(BATCH) }).resolves(read);
  s3.on(CopyObjectCommand).resolves({ VersionId: 'approved-v1', CopyObjectResult: { ETag: '"e1"' } });
  s3.on(PutObjectCommand).resolves({ VersionId: 'manifest-v1', ETag: '"e2"' });
  bedrock.on(ApplyGuardrailCommand).callsFake((input) => assess(input.source, input.content));
  return read;
}

/** A manifest already stored for the batch, as this function writes it. */
function storedManifest(overrides: Partial<TrainingManifest['file']> = {}): {
  manifest: TrainingManifest;
  text: string;
} {
  const manifest: TrainingManifest = {
    schema: 'training-manifest/1',
    batch: BATCH,
    baseModel: BASE_MODEL,
    file: {
      key: approvedKey(BATCH),
      sha256: sha256(FILE),
      bytes: FILE.length,
      records: 10,
      characters: 900,
      sourceKey: intakeKey(BATCH),
      sourceVersionId: VERSION,
      ...overrides,
    },
    checks: [],
    requestedBy: USER_ARN,
    approvedAt: '2026-11-28T09:00:00.000Z',
    guardrail: { arn: GUARDRAIL_ARN, version: '2' },
  };
  const text = JSON.stringify(manifest);
  s3.on(ListObjectsV2Command, { Prefix: manifestKey(BATCH) }).resolves(listing(manifestKey(BATCH)));
  s3.on(GetObjectCommand, { Key: manifestKey(BATCH) }).resolves({ Body: body(text) });
  return { manifest, text };
}

async function ask(request: unknown = REQUEST, options: Parameters<typeof approvalEvent>[1] = {}, context = CONTEXT) {
  const { lines, logger } = recorder();
  const handler = createHandler({
    s3: s3 as never,
    bedrock: bedrock as never,
    settings: SETTINGS,
    logger,
    now: () => NOW,
  });
  const response = await handler(approvalEvent(request, options), context);
  return { response, answer: JSON.parse(response.body ?? 'null') as ApprovalResponse, lines };
}

const writes = () => [...s3.commandCalls(CopyObjectCommand), ...s3.commandCalls(PutObjectCommand)];

beforeEach(() => {
  s3.reset();
  bedrock.reset();
});

describe('settingsFromEnvironment', () => {
  test('reads the environment the stack sets, and names what is missing or wrong', () => {
    expect(settingsFromEnvironment(ENVIRONMENT)).toEqual(SETTINGS);
    expect(String(settingsFromEnvironment({ ...ENVIRONMENT, KMS_KEY_ARN: '' }))).toMatch(/missing KMS_KEY_ARN/);
    expect(String(settingsFromEnvironment({ ...ENVIRONMENT, BASE_MODEL: 'amazon.nova-micro-v1:0' }))).toMatch(
      /BASE_MODEL: got "amazon.nova-micro-v1:0", allowed: amazon.nova-micro-v1:0:128k/,
    );
    expect(String(settingsFromEnvironment({ ...ENVIRONMENT, GUARDRAIL_VERSION: 'DRAFT' }))).toMatch(
      /GUARDRAIL_VERSION/,
    );
  });
});

describe('approval', () => {
  test('a clean, well-formed upload is copied to approved/ and its manifest written, both with the project key, and nowhere else', async () => {
    given();
    const { response, answer, lines } = await ask();
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });

    const copy = s3.commandCalls(CopyObjectCommand)[0].args[0].input;
    expect(copy).toEqual({
      Bucket: BUCKET,
      Key: `training/approved/${BATCH}/train.jsonl`,
      CopySource: `${BUCKET}/training%2Fintake%2F${BATCH}%2Ftrain.jsonl?versionId=${VERSION}`,
      ...SSE_KMS,
      MetadataDirective: 'REPLACE',
      Metadata: { 'source-version-id': VERSION, 'source-sha256': sha256(FILE) },
      ContentType: 'application/jsonl',
      TaggingDirective: 'REPLACE',
      IfNoneMatch: '*',
    });
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: `training/approved/${BATCH}/manifest.json`,
      ContentType: 'application/json',
      IfNoneMatch: '*',
      ...SSE_KMS,
    });
    for (const call of writes()) expect(call.args[0].input.Key?.startsWith(TRAINING_APPROVED_PREFIX)).toBe(true);

    // The version read and tagged is the one asked for.
    expect(s3.commandCalls(GetObjectTaggingCommand)[0].args[0].input).toEqual({
      Bucket: BUCKET,
      Key: intakeKey(BATCH),
      VersionId: VERSION,
    });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.VersionId).toBe(VERSION);

    const manifest = JSON.parse(put.Body as string) as TrainingManifest;
    expect(answer).toEqual({
      approved: true,
      manifestKey: manifestKey(BATCH),
      manifestSha256: sha256(put.Body as string),
      manifest,
    });
    expect(manifest).toEqual({
      schema: 'training-manifest/1',
      batch: BATCH,
      baseModel: BASE_MODEL,
      file: {
        key: approvedKey(BATCH),
        sha256: sha256(FILE),
        bytes: Buffer.byteLength(FILE),
        records: 10,
        // 'How do I reset token n?' and 'Open the settings page and choose reset for token n.', n from 1 to 10.
        characters: 10 * (23 + 52) + 2,
        sourceKey: intakeKey(BATCH),
        sourceVersionId: VERSION,
      },
      checks: [
        expect.objectContaining({ name: 'malware-scan', passed: true }),
        expect.objectContaining({ name: 'format', passed: true }),
        expect.objectContaining({ name: 'sensitive-information', passed: true }),
      ],
      requestedBy: USER_ARN,
      approvedAt: '2026-11-29T10:00:00.000Z',
      guardrail: { arn: GUARDRAIL_ARN, version: '2' },
    });
    expect(lines.at(-1)).toMatchObject({ message: 'Batch approved', fields: { batch: BATCH, versionId: VERSION } });
    expect(JSON.stringify(lines)).not.toMatch(/reset token/);
  });

  test('a body sent as plain text (not base64) is read the same', async () => {
    given();
    const { logger } = recorder();
    const handler = createHandler({
      s3: s3 as never,
      bedrock: bedrock as never,
      settings: SETTINGS,
      logger,
      now: () => NOW,
    });
    const event = approvalEvent(REQUEST);
    const response = await handler({ ...event, body: JSON.stringify(REQUEST), isBase64Encoded: false }, CONTEXT);
    expect(response.statusCode).toBe(200);
  });
});

describe('bad requests', () => {
  test('405 for anything but POST, 403 without an IAM caller', async () => {
    const get = await ask(REQUEST, { method: 'GET' });
    expect(get.response.statusCode).toBe(405);
    expect(get.response.headers).toMatchObject({ allow: 'POST' });
    expect(get.answer).toEqual({ approved: false, error: 'Use POST, not GET.' });
    const anonymous = await ask(REQUEST, { userArn: null });
    expect(anonymous.response.statusCode).toBe(403);
    expect(s3.calls()).toHaveLength(0);
  });

  test.each([
    ['not JSON', '{"batch": ', /not valid JSON/],
    ['not an object', '["b"]', /must be a JSON object/],
    ['an unknown field', { ...REQUEST, force: true }, /Unknown field\(s\): "force"/],
    ['a batch with capitals', { ...REQUEST, batch: 'Support' }, /"batch" must match/],
    ['a batch with a slash', { ...REQUEST, batch: 'a/../b' }, /"batch" must match/],
    ['no version', { batch: BATCH }, /"versionId" must be the version id/],
    ['an empty version', { ...REQUEST, versionId: ' ' }, /"versionId"/],
  ])('400 for %s, before any AWS call', async (_what, request, error) => {
    const { response, answer } = await ask(request);
    expect(response.statusCode).toBe(400);
    expect(answer).toEqual({ approved: false, error: expect.stringMatching(error) });
    expect(s3.calls()).toHaveLength(0);
  });

  test('500 when the settings are unusable, with the reason in the log only', async () => {
    const { lines, logger } = recorder();
    const handler = createHandler({
      s3: s3 as never,
      bedrock: bedrock as never,
      settings: new Error('missing environment: BASE_MODEL'),
      logger,
    });
    const response = await handler(approvalEvent(REQUEST), CONTEXT);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/BASE_MODEL/);
    expect(lines[0]).toMatchObject({ level: 'error', fields: { error: 'missing environment: BASE_MODEL' } });
  });
});

describe('the checks', () => {
  test('404 when the upload is not there, or not that version', async () => {
    given();
    s3.on(ListObjectsV2Command, { Prefix: intakeKey(BATCH) }).resolves(listing());
    expect((await ask()).response.statusCode).toBe(404);

    given();
    s3.on(GetObjectTaggingCommand).rejects(s3Error('NoSuchVersion', 404, 'The specified version does not exist.'));
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(404);
    expect(answer).toEqual({
      approved: false,
      error: expect.stringContaining(`No version ${VERSION} of ${intakeKey(BATCH)}`),
    });
    expect(writes()).toHaveLength(0);
  });

  test('409 while the malware scan has not tagged the version yet', async () => {
    given({ tag: null });
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ 'retry-after': '60' });
    expect(answer).toEqual({
      approved: false,
      error: expect.stringMatching(/has not finished.*try again in a minute/),
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test.each(['THREATS_FOUND', 'UNSUPPORTED', 'FAILED'])('422 when the scan says %s', async (status) => {
    given({ tag: status });
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(422);
    expect(answer).toEqual({
      approved: false,
      error: `Refused: the malware scan says ${status}, not NO_THREATS_FOUND.`,
      checks: [
        {
          name: 'malware-scan',
          passed: false,
          detail: expect.stringContaining(`GuardDutyMalwareScanStatus=${status}`),
        },
      ],
    });
    expect(writes()).toHaveLength(0);
  });

  test('422 for a file over the size limit, refused from ContentLength without reading the body', async () => {
    const read = given({ length: MAX_TRAINING_BYTES + 1 });
    const transform = jest.spyOn(
      read.Body as unknown as { transformToByteArray: () => Promise<Uint8Array> },
      'transformToByteArray',
    );
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(422);
    expect(answer).toMatchObject({ approved: false, error: expect.stringContaining(`over the ${MAX_TRAINING_BYTES}`) });
    expect((read.Body as unknown as { destroy: jest.Mock }).destroy).toHaveBeenCalled();
    expect(transform).not.toHaveBeenCalled();
  });

  test('422 for bytes that are not UTF-8', async () => {
    given({ file: new Uint8Array([...new TextEncoder().encode(FILE), 0xc3, 0x28, 0x0a]) });
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(422);
    expect(answer).toMatchObject({ error: 'Refused: the training file is not valid UTF-8.' });
  });

  test('422 listing each format problem with its line', async () => {
    const lines = FILE.split('\n');
    lines[2] = JSON.stringify(conversation('User: hello', 'hi'));
    given({ file: lines.join('\n') + '{"oops"' });
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(422);
    expect(answer).toEqual({
      approved: false,
      error: expect.stringContaining(`not in the format Bedrock fine-tunes ${BASE_MODEL} on`),
      checks: [
        expect.objectContaining({ name: 'malware-scan', passed: true }),
        {
          name: 'format',
          passed: false,
          detail: expect.stringMatching(
            /^line 3: messages\[0\]\.content\[0\]\.text contains the reserved keyword "User:".*; line 11: not valid JSON$/,
          ),
        },
      ],
    });
    expect(bedrock.calls()).toHaveLength(0);
  });

  test('422 when records hold personal data, masked or blocked, naming lines and types only', async () => {
    const lines = FILE.split('\n');
    lines[4] = JSON.stringify(conversation('Who handles access?', 'Write to jane.doe@example.com.'));
    given({ file: lines.join('\n') });
    const { response, answer, lines: logged } = await ask();
    expect(response.statusCode).toBe(422);
    expect(answer).toEqual({
      approved: false,
      error: expect.stringMatching(/sensitive information.*learns to repeat it/),
      checks: [
        expect.objectContaining({ name: 'malware-scan', passed: true }),
        expect.objectContaining({ name: 'format', passed: true }),
        {
          name: 'sensitive-information',
          passed: false,
          detail: expect.stringMatching(/found sensitive information in lines 1-10: EMAIL$/),
        },
      ],
    });
    expect(JSON.stringify(answer) + JSON.stringify(logged)).not.toMatch(/jane\.doe/);
    expect(writes()).toHaveLength(0);
  });

  test('503 with Retry-After when the guardrail throttles, or the run is about to end', async () => {
    given();
    bedrock.on(ApplyGuardrailCommand).rejects(new ThrottlingException({ message: 'Too many requests', $metadata: {} }));
    const throttled = await ask();
    expect(throttled.response.statusCode).toBe(503);
    expect(throttled.response.headers).toMatchObject({ 'retry-after': '60' });
    expect(throttled.answer).toEqual({ approved: false, error: expect.stringMatching(/busy.*Try again in a minute/) });

    given();
    const late = await ask(REQUEST, {}, { ...CONTEXT, getRemainingTimeInMillis: () => RESERVE_MS - 1 });
    expect(late.response.statusCode).toBe(503);
    expect(late.answer).toMatchObject({ error: expect.stringMatching(/did not finish within this run/) });
    expect(writes()).toHaveLength(0);
  });

  test('500 with a generic message for anything unexpected; the log has the error name', async () => {
    given();
    s3.on(GetObjectTaggingCommand).rejects(s3Error('AccessDenied', 403, 'User is not authorized'));
    const { response, answer, lines } = await ask();
    expect(response.statusCode).toBe(500);
    expect(answer).toEqual({
      approved: false,
      error: expect.stringMatching(/^The approval function failed; nothing was approved/),
    });
    expect(lines.at(-1)).toMatchObject({ level: 'error', fields: { errorName: 'AccessDenied', batch: BATCH } });
  });
});

describe('an approved batch is never overwritten', () => {
  test('asking again for the approved version returns the stored manifest, checking and writing nothing', async () => {
    given();
    const { manifest, text } = storedManifest();
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(200);
    expect(answer).toEqual({ approved: true, manifestKey: manifestKey(BATCH), manifestSha256: sha256(text), manifest });
    expect(s3.commandCalls(GetObjectTaggingCommand)).toHaveLength(0);
    expect(bedrock.calls()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
  });

  test('another version with the same bytes gets the stored manifest; other bytes are refused with 409', async () => {
    given();
    storedManifest({ sourceVersionId: OTHER_VERSION });
    expect((await ask()).response.statusCode).toBe(200);

    given({ file: trainingFile(12) });
    storedManifest({ sourceVersionId: OTHER_VERSION });
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(409);
    expect(answer).toEqual({
      approved: false,
      error: expect.stringMatching(/already approved with other content.*new batch/),
    });
    expect(writes()).toHaveLength(0);
  });

  test('a training file of another version already in approved/ stops the approval before its manifest', async () => {
    given();
    s3.on(CopyObjectCommand).rejects(
      s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
    );
    s3.on(HeadObjectCommand, { Key: approvedKey(BATCH) }).resolves({
      Metadata: { 'source-version-id': OTHER_VERSION },
    });
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(409);
    expect(answer).toMatchObject({ error: expect.stringMatching(/already holds another training file/) });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('the same version copied by an earlier run whose manifest was not written: the manifest is written now', async () => {
    given();
    s3.on(CopyObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand, { Key: approvedKey(BATCH) }).resolves({ Metadata: { 'source-version-id': VERSION } });
    const { response } = await ask();
    expect(response.statusCode).toBe(200);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  test('a manifest written meanwhile stands: of this version it is returned, of another the answer is 409', async () => {
    given();
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const { text } = storedManifest();
    // The first listing (before the checks) finds nothing; the one after the failed write finds the manifest.
    s3.on(ListObjectsV2Command, { Prefix: manifestKey(BATCH) })
      .resolvesOnce(listing())
      .resolves(listing(manifestKey(BATCH)));
    const same = await ask();
    expect(same.response.statusCode).toBe(200);
    expect(same.answer).toMatchObject({ manifestSha256: sha256(text) });

    given();
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    storedManifest({ sourceVersionId: OTHER_VERSION, sha256: sha256('other') });
    s3.on(ListObjectsV2Command, { Prefix: manifestKey(BATCH) })
      .resolvesOnce(listing())
      .resolves(listing(manifestKey(BATCH)));
    expect((await ask()).response.statusCode).toBe(409);
  });

  test('two writes of one key at once (409 ConditionalRequestConflict): the caller asks again', async () => {
    given();
    s3.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
    const { response, answer } = await ask();
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ 'retry-after': '60' });
    expect(answer).toMatchObject({ error: expect.stringMatching(/being written at this moment/) });
  });

  test('a manifest deleted between listing and reading counts as none', async () => {
    given();
    s3.on(ListObjectsV2Command, { Prefix: manifestKey(BATCH) }).resolves(listing(manifestKey(BATCH)));
    s3.on(GetObjectCommand, { Key: manifestKey(BATCH) }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
    expect((await ask()).response.statusCode).toBe(200);
  });
});
