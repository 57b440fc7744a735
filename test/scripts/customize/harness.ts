/**
 * `npm run customize` against a mocked account: the stacks' outputs, S3,
 * Bedrock and STS stubbed with aws-sdk-client-mock (answers shaped like the
 * real APIs), the approval function's URL answered from a queue, training
 * files in memory, a clock that moves only when the command sleeps.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { manifestKey, type TrainingManifest } from '../../../lib/shared/customization-contract';
import type { Terminal } from '../../../scripts/agent/prompt';
import { captureIo } from '../../../scripts/cli/output';
import { command, customize, type CustomizeDeps } from '../../../scripts/customize';
import { execute } from '../../../scripts/run-cli';
import { describeStacks } from '../../support/deployed-stacks';

export const region = 'us-east-1';
export const account = '111122223333';
export const app = 'GuardedGenAi';
export const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
export const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const jobRoleArn = `arn:aws:iam::${account}:role/GuardedGenAi-Customization-customization-job`;
export const operatorPolicyArn = `arn:aws:iam::${account}:policy/GuardedGenAi-Customization-OperatorPolicy-1X2Y3Z`;
export const approvalUrl = 'https://abcdefghijklmnopqrstuvwxyz234567.lambda-url.us-east-1.on.aws/';
export const baseModel = 'amazon.nova-micro-v1:0:128k';
export const modelArn = `arn:aws:bedrock:${region}:${account}:custom-model/${baseModel}/abcdefghijkl`;
export const jobArn = `arn:aws:bedrock:${region}:${account}:model-customization-job/${baseModel}/mnopqrstuvwx`;
export const deploymentArn = `arn:aws:bedrock:${region}:${account}:custom-model-deployment/q1w2e3r4t5y6`;
/** 2026-06-01T12:00:00Z: the clock's start. */
export const START = Date.UTC(2026, 5, 1, 12, 0, 0);

export const CUSTOMIZATION_OUTPUTS: Record<string, string> = {
  ApprovalFunctionUrl: approvalUrl,
  ApprovalFunctionName: 'GuardedGenAi-Customization-ApprovalFunction-AbC123',
  JobRoleArn: jobRoleArn,
  OperatorPolicyArn: operatorPolicyArn,
  BaseModelIdentifier: baseModel,
};

/**
 * One client of each, mocked on the instance (not the class), so that another
 * part of the folder may mock its own clients without touching these.
 */
const clients = {
  s3: new S3Client({ region }),
  cloudformation: new CloudFormationClient({ region }),
  bedrock: new BedrockClient({ region }),
  sts: new STSClient({ region }),
};
export const s3 = mockClient(clients.s3);
export const cloudformation = mockClient(clients.cloudformation);
export const bedrock = mockClient(clients.bedrock);
export const sts = mockClient(clients.sts);

/** A record the shared validator accepts (the documented Nova conversation format). */
export function record(n: number): string {
  return JSON.stringify({
    schemaVersion: 'bedrock-conversation-2024',
    system: [{ text: 'You are the support assistant of a small telecom company.' }],
    messages: [
      { role: 'user', content: [{ text: `How do I change plan number ${n}?` }] },
      { role: 'assistant', content: [{ text: `Open your account page and pick plan ${n}.` }] },
    ],
  });
}

export function jsonl(from: number, count: number): string {
  return `${Array.from({ length: count }, (_, i) => record(from + i)).join('\n')}\n`;
}

/** A terminal that answers with `lines` in order, then end of input. */
export function fakeTerminal(interactive: boolean, lines: string[] = []): Terminal & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive,
    asked,
    question: async (prompt) => {
      asked.push(prompt);
      return lines.shift();
    },
    close: () => undefined,
  };
}

export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** What a run sees and leaves: the clock, files, the URL's answers and the requests it got. */
export const state = {
  clock: START,
  region,
  files: {} as Record<string, string>,
  answers: [] as FakeAnswer[],
  requests: [] as { url: string; init: RequestInit }[],
  sleeps: [] as number[],
  terminal: fakeTerminal(false),
};

const deps = (): CustomizeDeps => ({
  region: async () => state.region,
  resolve: async () => ({
    region: state.region,
    credentials: async () => ({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/EXAMPLEKEY',
    }),
  }),
  clients: () => clients,
  fetch: async (url, init) => {
    state.requests.push({ url, init });
    const answer = state.answers.shift();
    if (!answer) throw new Error('the test gave the approval function no answer');
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return { status: answer.status, ok: answer.status < 300, text: async () => text } as Response;
  },
  sleep: async (ms) => {
    state.sleeps.push(ms);
    state.clock += ms;
  },
  now: () => state.clock,
  appName: () => app,
  modelId: () => 'amazon.nova-micro-v1:0',
  terminal: () => state.terminal,
  readFile: (file) => {
    const text = state.files[file];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
    return text;
  },
});

/** Run the command as `npm run customize -- <argv>` would. */
export async function run(argv: string[]) {
  const io = captureIo();
  const code = await execute(command, argv, (parsed, out) => customize(parsed, out, deps()), io);
  return { code, io, stdout: io.stdout, stderr: io.stderr };
}

/** The stacks as deployed; `customization` replaces the Customization stack's outputs. */
export function givenStacks(
  customization: Record<string, string> = CUSTOMIZATION_OUTPUTS,
  dataProtection: Record<string, string> = {},
): void {
  cloudformation.on(DescribeStacksCommand).callsFake(
    describeStacks({
      'GuardedGenAi-DataProtection': { DataBucketName: bucket, ProjectKeyArn: keyArn, ...dataProtection },
      'GuardedGenAi-Customization': customization,
    }),
  );
}

export function manifest(batch: string, overrides: Partial<TrainingManifest> = {}): TrainingManifest {
  return {
    schema: 'training-manifest/1',
    batch,
    baseModel,
    file: {
      key: `training/approved/${batch}/train.jsonl`,
      sha256: 'f'.repeat(64),
      bytes: 4100,
      records: 10,
      characters: 4000,
      sourceKey: `training/intake/${batch}/train.jsonl`,
      sourceVersionId: 'v-intake-1',
    },
    checks: [
      { name: 'malware-scan', passed: true, detail: 'NO_THREATS_FOUND' },
      { name: 'format', passed: true, detail: '10 records for amazon.nova-micro-v1:0:128k' },
      { name: 'sensitive-information', passed: true, detail: 'no sensitive information in 10 records' },
    ],
    requestedBy: `arn:aws:sts::${account}:assumed-role/Developer/alice`,
    approvedAt: '2026-06-01T11:00:00.000Z',
    guardrail: { arn: `arn:aws:bedrock:${region}:${account}:guardrail/abc123def456`, version: '1' },
    ...overrides,
  };
}

/** The manifest stored for `batch`; returns the SHA-256 of its bytes. */
export function givenManifest(batch: string, overrides: Partial<TrainingManifest> = {}): string {
  const bytes = Buffer.from(JSON.stringify(manifest(batch, overrides), null, 2));
  s3.on(GetObjectCommand, { Bucket: bucket, Key: manifestKey(batch) }).resolves({
    Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never,
  });
  return createHash('sha256').update(bytes).digest('hex');
}

/** Before each test: the app deployed in us-east-1, nothing else. */
export function reset(): void {
  s3.reset();
  cloudformation.reset();
  bedrock.reset();
  sts.reset();
  state.clock = START;
  state.region = region;
  state.files = {};
  state.answers = [];
  state.requests = [];
  state.sleeps = [];
  state.terminal = fakeTerminal(false);
  givenStacks();
}
