import { BedrockClient, GetEvaluationJobCommand } from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import { elapsed, waitForJob } from '../../../scripts/evaluate/progress';
import { jobArnOf, region } from './fixtures';

const bedrock = mockClient(BedrockClient);
const job = (status: string) => ({
  jobName: 'guardedgenai-eval-20260601-120000',
  jobArn: jobArnOf(),
  status,
  jobType: 'Automated',
  roleArn: 'arn:aws:iam::111122223333:role/r',
  creationTime: new Date(),
  evaluationConfig: undefined,
  inferenceConfig: undefined,
  outputDataConfig: undefined,
});

let clock = 0;
let sleeps: number[] = [];
let messages: string[] = [];
const options = (timeoutMs = 3_600_000) => ({
  timeoutMs,
  intervalMs: 15_000,
  maxIntervalMs: 60_000,
  sleep: async (ms: number) => {
    sleeps.push(ms);
    clock += ms;
  },
  now: () => clock,
  progress: (m: string) => messages.push(m),
});

beforeEach(() => {
  bedrock.reset();
  clock = 0;
  sleeps = [];
  messages = [];
});

function statuses(...list: string[]) {
  let call = bedrock.on(GetEvaluationJobCommand);
  for (const s of list) call = call.resolvesOnce(job(s) as never);
}

test('polls until Completed, reporting each change once, with growing then capped intervals', async () => {
  statuses('InProgress', 'InProgress', 'InProgress', 'InProgress', 'InProgress', 'Completed');
  const outcome = await waitForJob(new BedrockClient({ region }), jobArnOf(), options());
  expect(outcome.finished).toBe(true);
  expect(outcome.job.status).toBe('Completed');
  expect(bedrock.commandCalls(GetEvaluationJobCommand)[0].args[0].input).toEqual({ jobIdentifier: jobArnOf() });
  expect(sleeps).toEqual([15_000, 22_500, 33_750, 50_625, 60_000]);
  expect(messages).toEqual([
    'guardedgenai-eval-20260601-120000: InProgress after 0 s',
    'guardedgenai-eval-20260601-120000: Completed after 3 min 2 s',
  ]);
});

test.each(['Failed', 'Stopped'])('%s ends the wait', async (status) => {
  statuses('InProgress', 'Stopping', status);
  const outcome = await waitForJob(new BedrockClient({ region }), jobArnOf(), options());
  expect(outcome).toMatchObject({ finished: true, job: { status } });
  expect(messages.map((m) => m.split(': ')[1].split(' after')[0])).toEqual(['InProgress', 'Stopping', status]);
});

test('a long wait says it is still going; the timeout returns unfinished', async () => {
  bedrock.on(GetEvaluationJobCommand).resolves(job('InProgress') as never);
  const outcome = await waitForJob(new BedrockClient({ region }), jobArnOf(), options(12 * 60_000));
  expect(outcome.finished).toBe(false);
  expect(clock).toBe(12 * 60_000);
  expect(messages.some((m) => /still InProgress after [5-9] min/.test(m))).toBe(true);
});

test('elapsed time reads naturally', () => {
  expect(elapsed(4_400)).toBe('4 s');
  expect(elapsed(125_000)).toBe('2 min 5 s');
  expect(elapsed(2 * 3_600_000 + 61_000)).toBe('2 h 1 min');
});
