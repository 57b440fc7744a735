import {
  AccessDeniedException,
  ConflictException,
  CreateClassificationJobCommand,
  DescribeClassificationJobCommand,
  InternalServerException,
  ListClassificationJobsCommand,
  Macie2Client,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateClassificationJobCommand,
  ValidationException,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandlers, NO_JOB, READINESS_WINDOW_MS } from '../../../lambda/macie-job/handler';
import type { CustomResourceDependencies } from '../../../lambda/shared/custom-resource';
import { customResourceHarness } from '../support/custom-resource-harness';
import { common, jobArn, jobProperty, NAME, TOKEN } from './fixtures';

const JOB_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OTHER_JOB_ID = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
const NEW_TOKEN = '77c0ffee00112233-6f3a2c10';

const properties = (token: string) => ({ ServiceToken: common.ServiceToken, Job: jobProperty(token) });
const createEvent = { ...common, RequestType: 'Create', ResourceProperties: properties(TOKEN) };
const updateEvent = (physicalId: string, oldToken: string, newToken: string) => ({
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: physicalId,
  ResourceProperties: properties(newToken),
  OldResourceProperties: properties(oldToken),
});
const deleteEvent = (physicalId: string) => ({
  ...common,
  RequestType: 'Delete',
  PhysicalResourceId: physicalId,
  ResourceProperties: properties(TOKEN),
});

const meta = { $metadata: {} };
const accessDenied = (message = 'User is not authorized to perform: macie2:CreateClassificationJob') =>
  new AccessDeniedException({ message, ...meta });
const described = (jobId: string, jobStatus: string, clientToken = TOKEN) => ({
  jobId,
  jobArn: jobArn(jobId),
  jobStatus: jobStatus as 'RUNNING',
  clientToken,
  name: NAME,
});

const macieMock = mockClient(Macie2Client);
const make = (deps: CustomResourceDependencies) =>
  createHandlers({ ...deps, macie: new Macie2Client({ region: 'eu-west-1' }) });
const harness = () => customResourceHarness(make);
const calls = (command: Parameters<typeof macieMock.commandCalls>[0]) => macieMock.commandCalls(command);

beforeEach(() => macieMock.reset());

describe('create', () => {
  test('onEvent answers with the client token as the physical id, and calls nothing yet', async () => {
    const h = harness();
    const answer = await h.run('onEvent', createEvent);
    expect(answer).toEqual({ Status: 'SUCCESS', PhysicalResourceId: TOKEN, ReadyBy: h.now() + READINESS_WINDOW_MS });
    expect(macieMock.calls()).toHaveLength(0);
  });

  test('isComplete creates the job from the definition as given, and completes with its id and ARN', async () => {
    macieMock.on(CreateClassificationJobCommand).resolves({ jobId: JOB_ID, jobArn: jobArn(JOB_ID) });
    const h = harness();
    const first = await h.run('onEvent', createEvent);
    const answer = await h.run('isComplete', { ...createEvent, ...first });
    expect(calls(CreateClassificationJobCommand)[0].args[0].input).toEqual(JSON.parse(jobProperty(TOKEN)));
    expect(answer).toEqual({ Status: 'SUCCESS', IsComplete: true, Data: { JobId: JOB_ID, JobArn: jobArn(JOB_ID) } });
  });

  test('access denied (Macie or the policy not ready) and throttling: not complete yet, one call per poll', async () => {
    macieMock
      .on(CreateClassificationJobCommand)
      .rejectsOnce(accessDenied())
      .rejectsOnce(accessDenied('Macie is not enabled.'))
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', ...meta }))
      .resolves({ jobId: JOB_ID, jobArn: jobArn(JOB_ID) });
    const h = harness();
    const first = await h.run('onEvent', createEvent);
    const polls = [];
    for (let i = 0; i < 4; i++) polls.push(await h.run('isComplete', { ...createEvent, ...first }));
    expect(polls.map((p) => p.IsComplete)).toEqual([false, false, false, true]);
    // "Data" is not allowed while incomplete (the framework fails the request otherwise).
    expect(polls.slice(0, 3).every((p) => p.Data === undefined)).toBe(true);
    expect(h.sleeps).toEqual([]);
  });

  test('still denied when the readiness window has ended: FAILED with the error, not "Operation timed out"', async () => {
    macieMock.on(CreateClassificationJobCommand).rejects(accessDenied());
    const h = harness();
    const first = await h.run('onEvent', createEvent);
    h.advance(READINESS_WINDOW_MS);
    const answer = await h.run('isComplete', { ...createEvent, ...first });
    expect(answer).toMatchObject({
      Status: 'FAILED',
      Reason:
        'Create failed: CreateClassificationJob: AccessDeniedException: User is not authorized to perform: ' +
        'macie2:CreateClassificationJob (still failing when the readiness window ended)',
    });
  });

  // Macie's documented codes decide, never the wording: a ValidationException
  // saying Macie is not enabled fails like any other.
  test.each([
    ['a validation error, whatever it says', new ValidationException({ message: 'Macie is not enabled', ...meta })],
    ['a service quota', new ServiceQuotaExceededException({ message: 'quota exceeded', ...meta })],
    ['a conflict', new ConflictException({ message: 'conflicts with the current state', ...meta })],
  ])('%s fails at the first poll', async (_what, error) => {
    macieMock.on(CreateClassificationJobCommand).rejects(error);
    const h = harness();
    const first = await h.run('onEvent', createEvent);
    const answer = await h.run('isComplete', { ...createEvent, ...first });
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining(error.name) });
    expect(calls(CreateClassificationJobCommand)).toHaveLength(1);
  });

  test('a Job property that is not a job definition fails in onEvent without calling Macie', async () => {
    const h = harness();
    const answer = await h.run('onEvent', { ...createEvent, ResourceProperties: { Job: '{"name":"x"}' } });
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('no clientToken') });
    expect(macieMock.calls()).toHaveLength(0);
  });
});

describe('update', () => {
  test('a changed definition is a new job: the new token, a replacement that CloudFormation deletes the old job for', async () => {
    macieMock.on(CreateClassificationJobCommand).resolves({ jobId: OTHER_JOB_ID, jobArn: jobArn(OTHER_JOB_ID) });
    const h = harness();
    const event = updateEvent(JOB_ID, TOKEN, NEW_TOKEN);
    const first = await h.run('onEvent', event);
    expect(first).toMatchObject({ PhysicalResourceId: NEW_TOKEN });
    const done = await h.run('isComplete', { ...event, ...first });
    expect(calls(CreateClassificationJobCommand)[0].args[0].input.clientToken).toBe(NEW_TOKEN);
    expect(done).toMatchObject({ IsComplete: true, Data: { JobId: OTHER_JOB_ID } });
  });

  test.each([
    ['a job id (a job created before the Provider framework)', JOB_ID],
    ['a client token', TOKEN],
  ])('an unchanged definition echoes the physical id, %s, and keeps its job', async (_what, physicalId) => {
    macieMock.on(ListClassificationJobsCommand).resolves({ items: [{ jobId: JOB_ID, name: NAME }] });
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, 'IDLE'));
    const h = harness();
    const event = updateEvent(physicalId, TOKEN, TOKEN);
    const first = await h.run('onEvent', event);
    expect(first).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: physicalId,
      Data: { JobId: JOB_ID, JobArn: jobArn(JOB_ID) },
    });
    expect(await h.run('isComplete', { ...event, ...first })).toEqual({ Status: 'SUCCESS', IsComplete: true });
    expect(calls(CreateClassificationJobCommand)).toHaveLength(0);
  });

  test('the token it already has is the same job, even when the old properties cannot be read', async () => {
    macieMock.on(ListClassificationJobsCommand).resolves({ items: [{ jobId: JOB_ID, name: NAME }] });
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, 'IDLE'));
    const event = { ...updateEvent(TOKEN, TOKEN, TOKEN), OldResourceProperties: { Job: 'not json' } };
    expect(await harness().run('onEvent', event)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: TOKEN });
    expect(calls(CreateClassificationJobCommand)).toHaveLength(0);
  });
});

describe('delete', () => {
  test('a job id: the job is read, then cancelled', async () => {
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, 'IDLE'));
    macieMock.on(UpdateClassificationJobCommand).resolves({});
    const h = harness();
    expect(await h.run('onEvent', deleteEvent(JOB_ID))).toEqual({ Status: 'SUCCESS' });
    expect(calls(UpdateClassificationJobCommand)[0].args[0].input).toEqual({ jobId: JOB_ID, jobStatus: 'CANCELLED' });
  });

  test('a client token: the job of that name created with that token is cancelled, and no other', async () => {
    macieMock.on(ListClassificationJobsCommand).resolves({
      items: [
        { jobId: OTHER_JOB_ID, name: NAME },
        { jobId: JOB_ID, name: NAME },
      ],
    });
    macieMock
      .on(DescribeClassificationJobCommand, { jobId: OTHER_JOB_ID })
      .resolves(described(OTHER_JOB_ID, 'RUNNING', 'an-earlier-stack'));
    macieMock.on(DescribeClassificationJobCommand, { jobId: JOB_ID }).resolves(described(JOB_ID, 'RUNNING'));
    macieMock.on(UpdateClassificationJobCommand).resolves({});
    const h = harness();
    await h.run('onEvent', deleteEvent(TOKEN));
    expect(calls(ListClassificationJobsCommand)[0].args[0].input.filterCriteria).toEqual({
      includes: [{ key: 'name', comparator: 'EQ', values: [NAME] }],
    });
    expect(calls(UpdateClassificationJobCommand).map((c) => c.args[0].input.jobId)).toEqual([JOB_ID]);
  });

  // "CANCELLED ... is valid only if the job's current status is IDLE, PAUSED,
  // RUNNING, or USER_PAUSED" (SDK model, UpdateClassificationJobRequest.jobStatus).
  test.each([['CANCELLED'], ['COMPLETE']])('a job already %s is not cancelled again: SUCCESS', async (status) => {
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, status));
    macieMock.on(UpdateClassificationJobCommand).rejects(new ConflictException({ message: 'conflict', ...meta }));
    const h = harness();
    expect(await h.run('onEvent', deleteEvent(JOB_ID))).toEqual({ Status: 'SUCCESS' });
    expect(calls(UpdateClassificationJobCommand)).toHaveLength(0);
  });

  test('a cancel refused because the job finished meanwhile: read again, SUCCESS', async () => {
    macieMock
      .on(DescribeClassificationJobCommand)
      .resolvesOnce(described(JOB_ID, 'RUNNING'))
      .resolves(described(JOB_ID, 'CANCELLED'));
    macieMock.on(UpdateClassificationJobCommand).rejects(new ConflictException({ message: 'conflict', ...meta }));
    expect(await harness().run('onEvent', deleteEvent(JOB_ID))).toEqual({ Status: 'SUCCESS' });
    expect(calls(DescribeClassificationJobCommand)).toHaveLength(2);
  });

  test('a cancel refused while the job is still running: FAILED with the error', async () => {
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, 'RUNNING'));
    macieMock.on(UpdateClassificationJobCommand).rejects(new ConflictException({ message: 'conflict', ...meta }));
    expect(await harness().run('onEvent', deleteEvent(JOB_ID))).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('ConflictException'),
    });
  });

  test.each([
    ['gone', new ResourceNotFoundException({ message: 'The job was not found', ...meta })],
    ['deleted with Macie ("Macie is not enabled")', accessDenied('Macie is not enabled.')],
  ])('a job that is %s: SUCCESS', async (_case, error) => {
    macieMock.on(DescribeClassificationJobCommand).rejects(error);
    const h = harness();
    expect(await h.run('onEvent', deleteEvent(JOB_ID))).toEqual({ Status: 'SUCCESS' });
    expect(calls(UpdateClassificationJobCommand)).toHaveLength(0);
  });

  test('a server error is retried', async () => {
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, 'IDLE'));
    macieMock
      .on(UpdateClassificationJobCommand)
      .rejectsOnce(new InternalServerException({ message: 'internal error', ...meta }))
      .resolves({});
    expect(await harness().run('onEvent', deleteEvent(JOB_ID))).toEqual({ Status: 'SUCCESS' });
    expect(calls(UpdateClassificationJobCommand)).toHaveLength(2);
  });

  test('any other access error fails (the role is in place long before a delete)', async () => {
    macieMock.on(DescribeClassificationJobCommand).resolves(described(JOB_ID, 'IDLE'));
    macieMock.on(UpdateClassificationJobCommand).rejects(accessDenied('not authorized: UpdateClassificationJob'));
    expect(await harness().run('onEvent', deleteEvent(JOB_ID))).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('AccessDeniedException: not authorized'),
    });
  });

  test.each([
    ['a failed create of the former function', NO_JOB],
    ['no physical id at all', undefined],
  ])('%s: nothing to cancel, nothing called, no id of its own', async (_what, physicalId) => {
    const h = harness();
    expect(await h.run('onEvent', deleteEvent(physicalId as string))).toEqual({ Status: 'SUCCESS' });
    expect(macieMock.calls()).toHaveLength(0);
  });

  test('isComplete of a delete has nothing left to do', async () => {
    const h = harness();
    expect(await h.run('isComplete', deleteEvent(JOB_ID))).toEqual({ Status: 'SUCCESS', IsComplete: true });
    expect(macieMock.calls()).toHaveLength(0);
  });
});

describe('requests the handlers do not expect', () => {
  test.each([['Destroy'], [undefined], [42]])(
    'RequestType %p is refused by both handlers, calling nothing',
    async (type) => {
      const h = harness();
      for (const name of ['onEvent', 'isComplete'] as const) {
        expect(await h.run(name, { ...createEvent, RequestType: type })).toMatchObject({
          Status: 'FAILED',
          Reason: expect.stringContaining('unknown RequestType'),
        });
      }
      expect(macieMock.calls()).toHaveLength(0);
    },
  );

  test('neither the properties nor the response URL are logged', async () => {
    macieMock.on(CreateClassificationJobCommand).rejects(accessDenied());
    const h = harness();
    const event = { ...createEvent, ResourceProperties: { ...properties(TOKEN), Secret: 'NoEchoParameterValue' } };
    const first = await h.run('onEvent', event);
    await h.run('isComplete', { ...event, ...first });
    expect(h.logged()).toContain(common.RequestId);
    expect(h.logged()).not.toContain('NoEchoParameterValue');
    expect(h.logged()).not.toContain('X-Amz-Signature');
  });
});
