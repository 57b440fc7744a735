import {
  AccessDeniedException,
  CreateClassificationJobCommand,
  InternalServerException,
  Macie2Client,
  ResourceNotFoundException,
  ConflictException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateClassificationJobCommand,
  ValidationException,
} from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CALL_TIMEOUT_MS, createHandler, NO_JOB, RESPONSE_MARGIN_MS } from '../../../lambda/macie-job/handler';
import { RESPONSE_TIMEOUT_MS } from '../../../lambda/shared/custom-resource';
import {
  customResourceHarness,
  type MakeHandler,
  responseTo,
  runWithFlakyResponseUrl,
} from '../support/custom-resource-harness';

const ACCOUNT = '111111111111';
const JOB_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const NEW_JOB_ID = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
const jobArn = (id: string) => `arn:aws:macie2:eu-west-1:${ACCOUNT}:classification-job/${id}`;
const RESPONSE_URL =
  'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation%3Aeu-west-1%3A111111111111%3Astack/GuardedGenAi-ThreatDetection/6f3a/MacieJob?X-Amz-Signature=abc';
const STACK_ID = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/GuardedGenAi-ThreatDetection/6f3a2c10-cd5e-11f0-8b1a-0a1b2c3d4e5f`;

/** A job definition as the construct serializes it (a JSON string: CloudFormation passes properties as strings). */
function jobProperty(clientToken: string) {
  return JSON.stringify({
    jobType: 'SCHEDULED',
    scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
    initialRun: true,
    managedDataIdentifierSelector: 'RECOMMENDED',
    customDataIdentifierIds: ['c2d3e4f5-1a2b-4c3d-8e9f-0a1b2c3d4e5f'],
    allowListIds: ['7ab2c3d4e5f6a7b8c9d0e1f2'],
    s3JobDefinition: { bucketDefinitions: [{ accountId: ACCOUNT, buckets: ['guardedgenai-data-bucket'] }] },
    clientToken,
    name: 'GuardedGenAi-ThreatDetection-records-d214d43e',
  });
}

const common = {
  ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:GuardedGenAi-ThreatDetection-MacieJobProvider`,
  ResponseURL: RESPONSE_URL,
  StackId: STACK_ID,
  RequestId: '5d3c2b1a-0f9e-4d8c-b7a6-958473625140',
  LogicalResourceId: 'MacieJob7F920554',
  ResourceType: 'Custom::MacieClassificationJob',
};
const properties = (token: string) => ({ ServiceToken: common.ServiceToken, Job: jobProperty(token) });
const createEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Create',
  ResourceProperties: properties('d214d43ecca5a343-6f3a2c10'),
};
const updateEvent: CloudFormationCustomResourceEvent = {
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: JOB_ID,
  ResourceProperties: properties('77c0ffee00112233-6f3a2c10'),
  OldResourceProperties: properties('d214d43ecca5a343-6f3a2c10'),
};
const deleteEvent = (physicalResourceId: string): CloudFormationCustomResourceEvent => ({
  ...common,
  RequestType: 'Delete',
  PhysicalResourceId: physicalResourceId,
  ResourceProperties: properties('d214d43ecca5a343-6f3a2c10'),
});

const meta = { $metadata: {} };
const accessDenied = (message = 'User is not authorized to perform: macie2:CreateClassificationJob') =>
  new AccessDeniedException({ message, ...meta });

const macieMock = mockClient(Macie2Client);

/** The handler, as customResourceHarness gives it, with the real Macie2Client (mocked). */
const make: MakeHandler = (deps) => createHandler({ ...deps, macie: new Macie2Client({ region: 'eu-west-1' }) });
const harness = (lambdaTimeoutMs?: number) => customResourceHarness(make, lambdaTimeoutMs);

beforeEach(() => macieMock.reset());

describe('create', () => {
  test('creates the job with the definition and client token as given, and answers SUCCESS with its id', async () => {
    macieMock.on(CreateClassificationJobCommand).resolves({ jobId: JOB_ID, jobArn: jobArn(JOB_ID) });
    const h = harness();
    await h.run(createEvent);
    const [call] = macieMock.commandCalls(CreateClassificationJobCommand);
    expect(call.args[0].input).toEqual(JSON.parse(jobProperty('d214d43ecca5a343-6f3a2c10')));
    expect(h.puts).toEqual([
      responseTo(createEvent, {
        Status: 'SUCCESS',
        PhysicalResourceId: JOB_ID,
        Data: { JobId: JOB_ID, JobArn: jobArn(JOB_ID) },
      }),
    ]);
  });

  test('AccessDenied just after the policy is attached, then Macie not enabled yet: retried with growing waits, then SUCCESS', async () => {
    macieMock
      .on(CreateClassificationJobCommand)
      .rejectsOnce(accessDenied())
      .rejectsOnce(accessDenied('Macie is not enabled.'))
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', ...meta }))
      .resolves({ jobId: JOB_ID, jobArn: jobArn(JOB_ID) });
    const h = harness();
    await h.run(createEvent);
    expect(macieMock.commandCalls(CreateClassificationJobCommand)).toHaveLength(4);
    // Exponential (1 s, 2 s, 4 s caps), with jitter of up to half of each.
    expect(h.sleeps).toEqual([750, 1500, 3000]);
    expect(h.puts.map((p) => p.body.Status)).toEqual(['SUCCESS']);
    expect(h.puts[0].body.PhysicalResourceId).toBe(JOB_ID);
  });

  test('a validation error saying Macie is not enabled is retried; any other is not', async () => {
    macieMock
      .on(CreateClassificationJobCommand)
      .rejectsOnce(new ValidationException({ message: 'Macie is not enabled for this account', ...meta }))
      .resolves({ jobId: JOB_ID, jobArn: jobArn(JOB_ID) });
    const retried = harness();
    await retried.run(createEvent);
    expect(retried.puts[0].body.Status).toBe('SUCCESS');

    macieMock.reset();
    macieMock
      .on(CreateClassificationJobCommand)
      .rejects(new ValidationException({ message: 'The allow list ID is not valid', ...meta }));
    const failed = harness();
    await failed.run(createEvent);
    expect(macieMock.commandCalls(CreateClassificationJobCommand)).toHaveLength(1);
    expect(failed.puts[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NO_JOB });
  });

  test('still denied at the deadline => FAILED naming the error, before the Lambda timeout', async () => {
    macieMock.on(CreateClassificationJobCommand).rejects(accessDenied());
    const timeout = 300_000;
    const h = harness(timeout);
    await h.run(createEvent);
    const attempts = macieMock.commandCalls(CreateClassificationJobCommand).length;
    expect(attempts).toBeGreaterThan(5);
    expect(h.elapsed()).toBeLessThanOrEqual(timeout - RESPONSE_MARGIN_MS);
    expect(h.puts).toHaveLength(1);
    expect(h.puts[0].body).toMatchObject({
      Status: 'FAILED',
      // The rollback's Delete sees this id and has nothing to cancel.
      PhysicalResourceId: NO_JOB,
      Reason: expect.stringContaining(
        `Create failed: AccessDeniedException: User is not authorized to perform: macie2:CreateClassificationJob (${attempts} attempts, still failing when time ran out)`,
      ),
    });
  });

  test.each([
    [
      'service quota',
      new ServiceQuotaExceededException({ message: 'quota exceeded', ...meta }),
      'ServiceQuotaExceeded',
    ],
    ['conflict', new ConflictException({ message: 'conflicts with the current state', ...meta }), 'ConflictException'],
  ])('a permanent error (%s) fails at once', async (_what, error, name) => {
    macieMock.on(CreateClassificationJobCommand).rejects(error);
    const h = harness();
    await h.run(createEvent);
    expect(macieMock.commandCalls(CreateClassificationJobCommand)).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
    expect(h.puts[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining(name) });
  });

  test('the margin kept for the answer covers a Macie call started at the deadline plus every response attempt', () => {
    expect(RESPONSE_MARGIN_MS).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS + 3 * RESPONSE_TIMEOUT_MS + 1000 + 2000);
  });

  test('a Job property that is not a job definition fails without calling Macie', async () => {
    const h = harness();
    await h.run({ ...createEvent, ResourceProperties: { ServiceToken: common.ServiceToken, Job: '{"name":"x"}' } });
    expect(macieMock.calls()).toHaveLength(0);
    expect(h.puts[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('no clientToken') });
  });
});

describe('update', () => {
  test('a changed definition creates a new job (a new id), and CloudFormation deletes the old one', async () => {
    macieMock.on(CreateClassificationJobCommand).resolves({ jobId: NEW_JOB_ID, jobArn: jobArn(NEW_JOB_ID) });
    const h = harness();
    await h.run(updateEvent);
    const [call] = macieMock.commandCalls(CreateClassificationJobCommand);
    expect(call.args[0].input.clientToken).toBe('77c0ffee00112233-6f3a2c10');
    expect(macieMock.commandCalls(UpdateClassificationJobCommand)).toHaveLength(0);
    expect(h.puts[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: NEW_JOB_ID });
  });

  test('a failed update keeps the old id, so CloudFormation does not delete the old job', async () => {
    macieMock.on(CreateClassificationJobCommand).rejects(new ValidationException({ message: 'bad', ...meta }));
    const h = harness();
    await h.run(updateEvent);
    expect(h.puts[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: JOB_ID });
  });
});

describe('delete', () => {
  test('cancels the job', async () => {
    macieMock.on(UpdateClassificationJobCommand).resolves({});
    const h = harness();
    await h.run(deleteEvent(JOB_ID));
    const [call] = macieMock.commandCalls(UpdateClassificationJobCommand);
    expect(call.args[0].input).toEqual({ jobId: JOB_ID, jobStatus: 'CANCELLED' });
    expect(h.puts[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: JOB_ID });
  });

  test.each([
    ['gone', new ResourceNotFoundException({ message: 'The job was not found', ...meta })],
    ['already cancelled or complete', new ValidationException({ message: 'The job status is CANCELLED', ...meta })],
    ['Macie disabled (which deletes its jobs)', accessDenied('Macie is not enabled.')],
  ])('a job that is %s needs no cancelling: SUCCESS', async (_case, error) => {
    macieMock.on(UpdateClassificationJobCommand).rejects(error);
    const h = harness();
    await h.run(deleteEvent(JOB_ID));
    expect(macieMock.commandCalls(UpdateClassificationJobCommand)).toHaveLength(1);
    expect(h.puts[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: JOB_ID });
  });

  test('a server error is retried; a plain AccessDenied fails (the role is in place long before a delete)', async () => {
    macieMock
      .on(UpdateClassificationJobCommand)
      .rejectsOnce(new InternalServerException({ message: 'internal error', ...meta }))
      .resolves({});
    const retried = harness();
    await retried.run(deleteEvent(JOB_ID));
    expect(macieMock.commandCalls(UpdateClassificationJobCommand)).toHaveLength(2);
    expect(retried.puts[0].body.Status).toBe('SUCCESS');

    macieMock.reset();
    macieMock.on(UpdateClassificationJobCommand).rejects(accessDenied());
    const denied = harness();
    await denied.run(deleteEvent(JOB_ID));
    expect(macieMock.commandCalls(UpdateClassificationJobCommand)).toHaveLength(1);
    expect(denied.puts[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: JOB_ID });
  });

  test('the delete of a create that failed calls nothing', async () => {
    const h = harness();
    await h.run(deleteEvent(NO_JOB));
    expect(macieMock.calls()).toHaveLength(0);
    expect(h.puts[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: NO_JOB });
  });
});

describe('the response', () => {
  test('is PUT again when the pre-signed URL answers with an error, and the URL is never logged', async () => {
    macieMock.on(UpdateClassificationJobCommand).resolves({});
    const { urls, logged } = await runWithFlakyResponseUrl(make, deleteEvent(JOB_ID));
    expect(urls).toEqual([RESPONSE_URL, RESPONSE_URL]);
    expect(logged).not.toContain('X-Amz-Signature');
  });
});
