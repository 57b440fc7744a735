import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BLOCKED_INPUT_MESSAGE } from '../../lib/shared/guardrail-policies';
import { captureIo } from '../../scripts/cli/output';
import { command, redteam, type RedTeamDeps } from '../../scripts/redteam';
import { CORPUS_FILE, loadCorpus } from '../../scripts/redteam/corpus';
import type { RedTeamRun } from '../../scripts/redteam/report';
import { execute } from '../../scripts/run-cli';

const region = 'eu-west-1';
const account = '111122223333';
const url = `https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.${region}.on.aws/`;
const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const cloudformation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const bedrock = mockClient(BedrockRuntimeClient);

const benignPrompts = new Set(
  loadCorpus()
    .corpus.entries.filter((e) => e.kind === 'benign')
    .map((e) => e.prompt),
);
let tmp: string;
let fetchMock: jest.Mock;
const deps = (): RedTeamDeps => ({
  resolve: async () => ({
    region,
    credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }),
  }),
  clients: () => ({
    cloudformation: new CloudFormationClient({ region }),
    s3: new S3Client({ region }),
    bedrock: new BedrockRuntimeClient({ region }),
  }),
  fetch: fetchMock as unknown as typeof fetch,
  sleep: () => Promise.resolve(),
  now: () => new Date('2026-11-30T01:36:29.000Z'),
  random: () => 0.5,
  corpusFile: CORPUS_FILE,
  runsDir: path.join(tmp, 'runs'),
});
const run = (argv: string[]) => {
  const io = captureIo();
  return execute(command, argv, (parsed, i) => redteam(parsed, i, deps()), io).then((code) => ({ code, io }));
};

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'redteam-'));
  cloudformation.reset();
  s3.reset();
  bedrock.reset();
  cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-GuardedInvoke' }).resolves({
    Stacks: [
      {
        StackName: 'GuardedGenAi-GuardedInvoke',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'FunctionUrl', OutputValue: url },
          { OutputKey: 'GuardrailId', OutputValue: 'a1b2c3d4e5f6' },
          { OutputKey: 'GuardrailVersion', OutputValue: '4' },
          { OutputKey: 'ModelId', OutputValue: 'eu.amazon.nova-lite-v1:0' },
        ],
      },
    ],
  });
  cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-DataProtection' }).resolves({
    Stacks: [
      {
        StackName: 'GuardedGenAi-DataProtection',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'DataBucketName', OutputValue: bucket },
          { OutputKey: 'ProjectKeyArn', OutputValue: keyArn },
        ],
      },
    ],
  });
  s3.on(PutObjectCommand).resolves({});
  // The function refuses every attack and answers every benign prompt.
  fetchMock = jest.fn(async (_url: string, init: RequestInit) => {
    const { prompt } = JSON.parse(init.body as string) as { prompt: string };
    const refuse = !benignPrompts.has(prompt);
    return new Response(
      JSON.stringify(
        refuse
          ? {
              text: BLOCKED_INPUT_MESSAGE,
              stopReason: 'guardrail_intervened',
              guardrail: { intervened: true, inputRefused: true, policies: ['prompt-attack'] },
            }
          : {
              text: 'An answer.',
              stopReason: 'end_turn',
              guardrail: { intervened: false, inputRefused: false, policies: [] },
            },
      ),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run redteam', () => {
  test('sends the selected entries to the function URL, prints the table, writes the run locally and uploads it under the project key', async () => {
    const { code, io } = await run([
      '--app',
      'GuardedGenAi',
      '--category',
      'direct-injection,jailbreak-roleplay',
      '--concurrency',
      '3',
    ]);
    expect(io.stderr).not.toMatch(/failed|error/i);
    expect(code).toBe(0);
    // 14 + 14 attacks and 5 + 5 near misses.
    expect(fetchMock).toHaveBeenCalledTimes(38);
    expect(fetchMock.mock.calls.every(([u]) => u === url)).toBe(true);

    const runId = '20261130T013629Z-800000';
    const file = path.join(tmp, 'runs', `redteam-${runId}.json`);
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as RedTeamRun;
    expect(record).toMatchObject({
      runId,
      startedAt: '2026-11-30T01:36:29.000Z',
      mode: 'function-url',
      target: url,
      guardrail: { id: 'a1b2c3d4e5f6', version: '4' },
      modelId: 'eu.amazon.nova-lite-v1:0',
      corpus: {
        version: 1,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        categories: ['direct-injection', 'jailbreak-roleplay'],
      },
    });
    expect(record.results).toHaveLength(38);
    expect(record.totals.blockRate).toMatchObject({ successes: 28, trials: 28 });
    expect(record.totals.falseRefusalRate).toMatchObject({ successes: 0, trials: 10 });
    expect(record.categories.map((c) => [c.category, c.stopped, c.attacks, c.wronglyBlocked, c.benign])).toEqual([
      ['direct-injection', 14, 14, 0, 5],
      ['jailbreak-roleplay', 14, 14, 0, 5],
    ]);

    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0].args[0].input).toEqual({
      Bucket: bucket,
      Key: `evaluations/redteam/${runId}.json`,
      Body: fs.readFileSync(file, 'utf8'),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: keyArn,
      BucketKeyEnabled: true,
    });
    expect(io.stdout).toMatch(/^\s+direct-injection\s+14\/14\s+14\/14\s+0\/5\s+0\s+0$/m);
    expect(io.stdout).toContain(`Uploaded: s3://${bucket}/evaluations/redteam/${runId}.json`);
  });

  test('--guardrail-only --no-upload screens with ApplyGuardrail and the stack’s guardrail version, and uploads nothing', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves({ action: 'NONE', outputs: [], assessments: [{}], usage: undefined });
    const { code, io } = await run([
      '--app',
      'GuardedGenAi',
      '--guardrail-only',
      '--no-upload',
      '--category',
      'repeat-pii',
      '--json',
    ]);
    expect(code).toBe(0);
    const calls = bedrock.commandCalls(ApplyGuardrailCommand).map((c) => c.args[0].input);
    // 10 repeat-pii attacks and 5 near misses, each with an answer to screen: an INPUT and an OUTPUT call each.
    expect(calls).toHaveLength(30);
    expect(calls.every((c) => c.guardrailIdentifier === 'a1b2c3d4e5f6' && c.guardrailVersion === '4')).toBe(true);
    // No grounding source in these entries: the question, then the answer to screen.
    const outputs = calls.filter((c) => c.source === 'OUTPUT');
    expect(outputs).toHaveLength(15);
    for (const c of outputs) expect(c.content?.map((b) => b.text?.qualifiers)).toEqual([['query'], ['guard_content']]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(cloudformation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName)).toEqual([
      'GuardedGenAi-GuardedInvoke',
    ]);
    const printed = JSON.parse(io.stdout) as RedTeamRun;
    expect(printed).toMatchObject({ mode: 'guardrail-only', target: 'a1b2c3d4e5f6' });
    expect(printed.modelId).toBeUndefined();
    // Nothing was masked, so every repeat-pii attack got through.
    expect(printed.totals.blockRate).toMatchObject({ successes: 0, trials: 10 });
    expect(fs.existsSync(path.join(tmp, 'runs', `redteam-${printed.runId}.json`))).toBe(true);
  });

  test('a missing DataProtection output is a setup error (exit 1) before any prompt is sent', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-DataProtection' }).resolves({
      Stacks: [
        {
          StackName: 'GuardedGenAi-DataProtection',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [],
        },
      ],
    });
    const { code, io } = await run(['--app', 'GuardedGenAi']);
    expect(code).toBe(1);
    expect(io.stderr).toContain('GuardedGenAi-DataProtection has no DataBucketName/ProjectKeyArn output');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  test('a failed upload exits 1 but keeps the local run', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const { code, io } = await run(['--app', 'GuardedGenAi', '--category', 'prompt-leaking']);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/saved in .*redteam-20261130T013629Z-800000\.json but could not be uploaded/);
    expect(fs.readdirSync(path.join(tmp, 'runs'))).toEqual(['redteam-20261130T013629Z-800000.json']);
  });

  test('an unknown category or an out-of-range concurrency is a usage error (exit 2)', async () => {
    expect((await run(['--app', 'GuardedGenAi', '--category', 'nope'])).code).toBe(2);
    expect((await run(['--concurrency', '17'])).code).toBe(2);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
