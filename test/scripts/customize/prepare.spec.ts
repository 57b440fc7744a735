import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { MAX_TRAINING_BYTES } from '../../../lib/shared/training-data';
import { approvalUrl, bucket, cloudformation, jsonl, keyArn, manifest, record, reset, run, s3, state } from './harness';

const SCAN = 'GuardDutyMalwareScanStatus';
const tagged = (value?: string) => ({ TagSet: value ? [{ Key: SCAN, Value: value }] : [] });
const approved = (batch: string) => ({
  status: 200,
  body: {
    approved: true,
    manifestKey: `training/approved/${batch}/manifest.json`,
    manifestSha256: 'a'.repeat(64),
    manifest: manifest(batch),
  },
});

// One describe around the part: its beforeEach must not run for the folder's other parts.
describe('npm run customize -- prepare', () => {
  beforeEach(() => {
    reset();
    state.files = { 'data/a.jsonl': jsonl(1, 5), 'data/b.jsonl': jsonl(6, 4) };
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-intake-1', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    s3.on(GetObjectTaggingCommand).resolves(tagged('NO_THREATS_FOUND'));
  });

  describe('prepare: before anything is uploaded', () => {
    test('outside us-east-1 it refuses first, naming the region, with no AWS call', async () => {
      state.region = 'eu-west-1';
      const { code, stderr } = await run(['prepare', 'data/a.jsonl']);
      expect(code).toBe(1);
      expect(stderr).toContain('only in us-east-1; this command was pointed at eu-west-1');
      expect(cloudformation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
      expect(s3.calls()).toHaveLength(0);
    });

    test('a file the validator refuses: each problem named by file and line, nothing uploaded, exit 1', async () => {
      state.files['data/b.jsonl'] = `${record(6)}\n{"schemaVersion": "x", "messages": [\n`;
      const { code, stderr } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl']);
      expect(code).toBe(1);
      expect(stderr).toContain('not fit for amazon.nova-micro-v1:0:128k');
      expect(stderr).toContain('data/b.jsonl line 2: not valid JSON');
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    });

    test('--json: the refusal is an ApprovalResponse with a failed format check per problem', async () => {
      state.files['data/a.jsonl'] = jsonl(1, 2);
      const { code, stdout } = await run(['prepare', 'data/a.jsonl', '--json']);
      expect(code).toBe(1);
      const body = JSON.parse(stdout);
      expect(body.approved).toBe(false);
      expect(body.checks).toEqual([
        { name: 'format', passed: false, detail: expect.stringMatching(/has 2 records; .* 8 to 20,000/) },
      ]);
    });

    test('a merged file over the size limit is refused without being parsed or uploaded', async () => {
      state.files['data/big.jsonl'] = 'x'.repeat(MAX_TRAINING_BYTES);
      const { code, stderr } = await run(['prepare', 'data/big.jsonl']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `has ${(MAX_TRAINING_BYTES + 1).toLocaleString('en-US')} bytes; the approval function takes at most ${MAX_TRAINING_BYTES.toLocaleString('en-US')}`,
      );
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    });

    test.each([
      [['prepare'], 'prepare needs the JSONL files'],
      [['prepare', 'data/a.jsonl', '--batch', 'Bad_Batch'], 'is not 1 to 40 lowercase letters'],
      [['prepare', 'data/missing.jsonl'], 'cannot read data/missing.jsonl'],
      [['prepare', 'data/a.jsonl', '--timeout', '5'], 'in seconds: at least 10'],
      [['publish'], 'unknown action "publish"'],
    ])('%j is a usage error (exit 2)', async (argv, message) => {
      const { code, stderr } = await run(argv);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    });
  });

  describe('prepare: upload, scan, approval', () => {
    test('merges the files in order, uploads SSE-KMS with the project key, waits for the scan, signs the approval request', async () => {
      s3.on(GetObjectTaggingCommand).resolvesOnce(tagged()).resolvesOnce(tagged()).resolves(tagged('NO_THREATS_FOUND'));
      state.answers = [approved('support-v1')];
      const { code, stdout, stderr } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'support-v1']);
      expect(stderr).not.toMatch(/refused|denied/);
      expect(code).toBe(0);

      const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
      expect(puts).toEqual([
        {
          Bucket: bucket,
          Key: 'training/intake/support-v1/train.jsonl',
          Body: jsonl(1, 9),
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: keyArn,
          BucketKeyEnabled: true,
        },
      ]);
      // Every look is at the uploaded version, every 5 s.
      const looks = s3.commandCalls(GetObjectTaggingCommand).map((c) => c.args[0].input);
      expect(looks).toHaveLength(3);
      for (const look of looks) {
        expect(look).toEqual({
          Bucket: bucket,
          Key: 'training/intake/support-v1/train.jsonl',
          VersionId: 'v-intake-1',
        });
      }
      expect(state.sleeps).toEqual([5000, 5000, 5000]);

      expect(state.requests).toHaveLength(1);
      const [{ url, init }] = state.requests;
      expect(url).toBe(approvalUrl);
      expect(init.method).toBe('POST');
      expect(JSON.parse(init.body as string)).toEqual({ batch: 'support-v1', versionId: 'v-intake-1' });
      const headers = init.headers as Record<string, string>;
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=content-type;host;/,
      );
      expect(headers['content-type']).toBe('application/json');

      expect(stdout).toContain('Approved batch support-v1: 10 records');
      expect(stdout).toContain(`manifest s3://${bucket}/training/approved/support-v1/manifest.json`);
      expect(stdout).toContain(`sha256   ${'a'.repeat(64)}`);
      expect(stdout).toContain('Next: npm run customize -- start --batch support-v1');
    });

    test('without --batch the batch is named after the time, and BATCH_PATTERN accepts it', async () => {
      state.answers = [approved('batch-20260601-120000')];
      const { code } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl']);
      expect(code).toBe(0);
      expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.Key).toBe(
        'training/intake/batch-20260601-120000/train.jsonl',
      );
    });

    test('THREATS_FOUND stops it, naming the value; the approval function is not asked', async () => {
      s3.on(GetObjectTaggingCommand).resolves(tagged('THREATS_FOUND'));
      const { code, stderr } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'b1']);
      expect(code).toBe(1);
      expect(stderr).toContain('says THREATS_FOUND: GuardDuty found malware in it');
      expect(state.requests).toHaveLength(0);
    });

    test('no scan within --timeout: exit 1, pointing at the malware protection check', async () => {
      s3.on(GetObjectTaggingCommand).resolves(tagged());
      const { code, stderr } = await run([
        'prepare',
        'data/a.jsonl',
        'data/b.jsonl',
        '--batch',
        'b1',
        '--timeout',
        '20',
      ]);
      expect(code).toBe(1);
      expect(stderr).toContain('did not tag training/intake/b1/train.jsonl (version v-intake-1) within 20 s');
      expect(stderr).toContain('npm run verify -- --only malware');
      expect(state.clock - Date.UTC(2026, 5, 1, 12, 0, 0)).toBe(20_000);
    });

    test('409 (scan result not seen yet) is asked again after 5 s, within the timeout', async () => {
      state.answers = [
        { status: 409, body: { approved: false, error: 'the malware scan has not finished' } },
        approved('b1'),
      ];
      const { code } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'b1']);
      expect(code).toBe(0);
      expect(state.requests).toHaveLength(2);
      // The second request is signed anew (the same body).
      expect(state.requests[1].init.body).toBe(state.requests[0].init.body);
      expect(state.sleeps.slice(-1)).toEqual([5000]);
    });

    test('409 until the timeout: exit 1, saying to try with a longer timeout', async () => {
      state.answers = Array.from({ length: 100 }, () => ({ status: 409, body: { approved: false, error: 'not yet' } }));
      const { code, stderr } = await run([
        'prepare',
        'data/a.jsonl',
        'data/b.jsonl',
        '--batch',
        'b1',
        '--timeout',
        '30',
      ]);
      expect(code).toBe(1);
      expect(stderr).toContain('had not finished for the approval function within 30 s (409)');
      expect(state.clock - Date.UTC(2026, 5, 1, 12, 0, 0)).toBeLessThanOrEqual(30_000);
    });

    test('422: each failed check is printed, exit 1; --json prints the ApprovalResponse as sent', async () => {
      const refusal = {
        approved: false,
        error: 'the training data was refused',
        checks: [
          { name: 'malware-scan', passed: true, detail: 'NO_THREATS_FOUND' },
          { name: 'format', passed: true, detail: '9 records' },
          { name: 'sensitive-information', passed: false, detail: 'line 4: EMAIL, PHONE' },
        ],
      };
      state.answers = [{ status: 422, body: refusal }];
      const text = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'b1']);
      expect(text.code).toBe(1);
      expect(text.stderr).toContain('The approval function refused batch b1 (422): the training data was refused');
      expect(text.stderr).toContain('  sensitive-information: FAILED: line 4: EMAIL, PHONE');

      state.answers = [{ status: 422, body: refusal }];
      const asJson = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'b1', '--json']);
      expect(asJson.code).toBe(1);
      expect(JSON.parse(asJson.stdout)).toEqual(refusal);
    });

    test('--json on approval prints the ApprovalResponse', async () => {
      state.answers = [approved('b1')];
      const { code, stdout } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'b1', '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(approved('b1').body);
    });

    test("403 from the URL's IAM check (no ApprovalResponse): names the permission and the policy", async () => {
      state.answers = [{ status: 403, body: { Message: 'Forbidden' } }];
      const { code, stderr } = await run(['prepare', 'data/a.jsonl', 'data/b.jsonl', '--batch', 'b1']);
      expect(code).toBe(1);
      expect(stderr).toContain('lambda:InvokeFunctionUrl on GuardedGenAi-Customization-ApprovalFunction-AbC123');
      expect(stderr).toContain('OperatorPolicy');
    });

    test('the Customization stack missing: says how to deploy it, exit 1', async () => {
      cloudformation.reset();
      cloudformation.on(DescribeStacksCommand).rejects(
        Object.assign(new Error('Stack with id GuardedGenAi-Customization does not exist'), {
          name: 'ValidationError',
        }),
      );
      const { code, stderr } = await run(['prepare', 'data/a.jsonl']);
      expect(code).toBe(1);
      expect(stderr).toContain('GuardedGenAi-Customization does not exist in us-east-1');
      expect(stderr).toContain('modelCustomization=true');
    });
  });
});
