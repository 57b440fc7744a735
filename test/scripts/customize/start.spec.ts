import {
  AccessDeniedException,
  ConflictException,
  CreateModelCustomizationJobCommand,
  GetModelCustomizationJobCommand,
  InternalServerException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  TooManyTagsException,
  ValidationException,
} from '@aws-sdk/client-bedrock';
import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import {
  CUSTOM_MODEL_NAME_PATTERN,
  JOB_NAME_PATTERN,
  JOB_TOKEN_PATTERN,
  jobName,
} from '../../../scripts/customize/names';
import {
  bedrock,
  bucket,
  CUSTOMIZATION_OUTPUTS,
  givenManifest,
  givenStacks,
  jobArn,
  jobRoleArn,
  keyArn,
  modelArn,
  reset,
  run,
  s3,
  state,
} from './harness';

const JOB = 'guardedgenai-ft-support-v1-20260601120000';
const created = () => bedrock.commandCalls(CreateModelCustomizationJobCommand).map((c) => c.args[0].input);

/** GetModelCustomizationJob as Bedrock answers it. */
function job(status: string, extra: object = {}) {
  return {
    jobArn,
    jobName: JOB,
    outputModelName: JOB,
    roleArn: jobRoleArn,
    status,
    creationTime: new Date(Date.UTC(2026, 5, 1, 12, 0, 0)),
    baseModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k',
    hyperParameters: { epochCount: '2', learningRate: '0.00001', learningRateWarmupSteps: '10' },
    trainingDataConfig: { s3Uri: `s3://${bucket}/training/approved/support-v1/train.jsonl` },
    validationDataConfig: { validators: [] },
    outputDataConfig: { s3Uri: `s3://${bucket}/training/output/` },
    ...extra,
  } as never;
}

let sha: string;
// One describe around the part: its beforeEach must not run for the folder's other parts.
describe('npm run customize -- start', () => {
  beforeEach(() => {
    reset();
    sha = givenManifest('support-v1');
    bedrock.on(CreateModelCustomizationJobCommand).resolves({ jobArn });
  });

  describe('start: the request', () => {
    test('every field from the manifest and the outputs: FINE_TUNING, project key, approved data, string hyperparameters, tags', async () => {
      const { code, stdout } = await run(['start', '--batch', 'support-v1', '--no-wait']);
      expect(code).toBe(0);
      const project = { key: 'project', value: 'GuardedGenAi' };
      const manifestTag = { key: 'training-manifest-sha256', value: sha };
      expect(created()).toEqual([
        {
          jobName: JOB,
          customModelName: JOB,
          roleArn: jobRoleArn,
          clientRequestToken: JOB,
          baseModelIdentifier: 'amazon.nova-micro-v1:0:128k',
          customizationType: 'FINE_TUNING',
          customModelKmsKeyId: keyArn,
          jobTags: [project, manifestTag],
          customModelTags: [project, manifestTag],
          trainingDataConfig: { s3Uri: `s3://${bucket}/training/approved/support-v1/train.jsonl` },
          outputDataConfig: { s3Uri: `s3://${bucket}/training/output/` },
          hyperParameters: { epochCount: '2', learningRate: '0.00001', learningRateWarmupSteps: '10' },
        },
      ]);
      expect(stdout).toContain(`Started ${JOB}\n  ${jobArn}`);
      expect(stdout).toContain(`npm run customize -- status ${JOB}`);
    });

    test('the cost estimate comes before the job: characters / 4 × epochs tokens, the training price, storage a month', async () => {
      const { stdout } = await run(['start', '--batch', 'support-v1', '--no-wait', '--epochs', '3']);
      expect(stdout).toContain(
        '4,000 characters ≈ 1,000 tokens × 3 epochs = 3,000 tokens: about $0.0030 at $0.0010 per 1,000 tokens',
      );
      expect(stdout).toContain('stored for about $1.95 a month');
      expect(stdout).toContain('UNVERIFIED');
      expect(stdout.indexOf('Cost estimate')).toBeLessThan(stdout.indexOf('Started'));
    });

    test('hyperparameters from the command line, as the strings Bedrock takes', async () => {
      await run([
        'start',
        '--batch',
        'support-v1',
        '--no-wait',
        '--epochs',
        '5',
        '--learning-rate',
        '5e-5',
        '--warmup-steps',
        '0',
      ]);
      expect(created()[0].hyperParameters).toEqual({
        epochCount: '5',
        learningRate: '0.00005',
        learningRateWarmupSteps: '0',
      });
    });

    test.each([
      [['--epochs', '6'], '--epochs needs a whole number from 1 to 5'],
      [['--learning-rate', '0.001'], '--learning-rate needs a number from 0.000001 to 0.0001'],
      [['--warmup-steps', '21'], '--warmup-steps needs a whole number from 0 to 20'],
    ])('%j is out of the documented range: exit 2', async (extra, message) => {
      const { code, stderr } = await run(['start', '--batch', 'support-v1', ...extra]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(created()).toHaveLength(0);
    });

    test('start without --batch is a usage error', async () => {
      const { code, stderr } = await run(['start']);
      expect(code).toBe(2);
      expect(stderr).toContain('start needs --batch');
    });

    test('vpcConfig only when the stack has the job security group and the network its subnets (isolatedNetwork)', async () => {
      givenStacks(
        { ...CUSTOMIZATION_OUTPUTS, JobSecurityGroupId: 'sg-0123abcd' },
        { IsolatedSubnetIds: 'subnet-0a1b2c3d,subnet-4e5f6a7b' },
      );
      await run(['start', '--batch', 'support-v1', '--no-wait']);
      expect(created()[0].vpcConfig).toEqual({
        subnetIds: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
        securityGroupIds: ['sg-0123abcd'],
      });
    });

    test('a job security group without the network subnets: refused before any job, asking for a deployment', async () => {
      givenStacks({ ...CUSTOMIZATION_OUTPUTS, JobSecurityGroupId: 'sg-0123abcd' });
      const { code, stderr } = await run(['start', '--batch', 'support-v1', '--no-wait']);
      expect(code).toBe(1);
      expect(stderr).toContain('has JobSecurityGroupId but GuardedGenAi-DataProtection has no IsolatedSubnetIds');
      expect(created()).toHaveLength(0);
    });

    test('names stay within Bedrock’s patterns and 63 characters with the longest app and batch names', () => {
      const name = jobName('A'.repeat(25), 'b'.repeat(40), new Date(Date.UTC(2026, 5, 1)));
      expect(name.length).toBeLessThanOrEqual(63);
      for (const pattern of [JOB_NAME_PATTERN, CUSTOM_MODEL_NAME_PATTERN, JOB_TOKEN_PATTERN])
        expect(name).toMatch(pattern);
      // A cut that would end in a hyphen is cut before it (no "--" for CustomModelName).
      expect(jobName('A'.repeat(25), `${'b'.repeat(17)}-${'c'.repeat(22)}`, new Date(0))).not.toContain('--');
      expect(JOB).toMatch(CUSTOM_MODEL_NAME_PATTERN);
    });

    test('a batch without a manifest is not approved: exit 1, no job', async () => {
      s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
      const { code, stderr } = await run(['start', '--batch', 'other', '--no-wait']);
      expect(code).toBe(1);
      expect(stderr).toContain('Batch other is not approved');
      expect(stderr).toContain('npm run customize -- prepare <files> --batch other');
      expect(created()).toHaveLength(0);
    });

    test('S3 answers a missing manifest with 403 to a caller who lists only under a prefix: not approved too', async () => {
      const denied = Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      s3.on(GetObjectCommand).rejects(denied);
      const { code, stderr } = await run(['start', '--batch', 'other', '--no-wait']);
      expect(code).toBe(1);
      expect(stderr).toContain('Batch other is not approved');
      expect(stderr).toContain('or none this identity may read');
      expect(created()).toHaveLength(0);
    });

    test('a manifest for another base model is refused', async () => {
      givenManifest('support-v1', { baseModel: 'amazon.nova-lite-v1:0:300k' });
      const { code, stderr } = await run(['start', '--batch', 'support-v1', '--no-wait']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        'approved for amazon.nova-lite-v1:0:300k, but the Customization stack customizes amazon.nova-micro-v1:0:128k',
      );
      expect(created()).toHaveLength(0);
    });

    test('--json with --no-wait: the job, the estimate and the request', async () => {
      const { code, stdout } = await run(['start', '--batch', 'support-v1', '--no-wait', '--json']);
      expect(code).toBe(0);
      const body = JSON.parse(stdout);
      expect(body).toMatchObject({ ok: true, jobName: JOB, jobArn, status: 'InProgress', estimate: { tokens: 2000 } });
      expect(body.request.jobName).toBe(JOB);
    });
  });

  describe('start: Bedrock’s documented errors, each with what to do', () => {
    const error = (Class: new (o: { message: string; $metadata: object }) => Error, message: string) =>
      new Class({ message, $metadata: {} });
    test.each([
      [error(AccessDeniedException, 'not authorized'), ['OperatorPolicy', `iam:PassRole on ${jobRoleArn}`]],
      [error(ConflictException, 'name in use'), ['conflicts with what exists', 'npm run customize -- status']],
      [error(InternalServerException, 'internal'), ['failed on its side', 'npm run customize -- status']],
      [
        error(ResourceNotFoundException, 'not found'),
        ['the base model amazon.nova-micro-v1:0:128k in us-east-1', jobRoleArn],
      ],
      [
        error(ServiceQuotaExceededException, 'quota reached'),
        [
          'may be lower than the defaults',
          'https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html',
          'aws service-quotas list-service-quotas --service-code bedrock --region us-east-1',
        ],
      ],
      [error(ThrottlingException, 'slow down'), ['wait a minute and run again']],
      [error(TooManyTagsException, 'too many tags'), ['refused the tags', 'training-manifest-sha256']],
      [
        error(ValidationException, '1 validation error detected: Value at hyperParameters.learningRateWarmupSteps'),
        [
          'hyperParameters.learningRateWarmupSteps',
          'The request asked for:',
          'hyperparameters epochCount=2, learningRate=0.00001, learningRateWarmupSteps=10',
          `training data s3://${bucket}/training/approved/support-v1/train.jsonl`,
        ],
      ],
    ])('%s', async (thrown, fragments) => {
      bedrock.on(CreateModelCustomizationJobCommand).rejects(thrown);
      const { code, stderr } = await run(['start', '--batch', 'support-v1']);
      expect(code).toBe(1);
      expect(stderr).toContain(`Bedrock refused the fine-tuning job ${JOB} (${thrown.name}: ${thrown.message})`);
      for (const fragment of fragments) expect(stderr).toContain(fragment);
    });

    test('an error Bedrock does not document here is reported as it is, exit 1', async () => {
      bedrock.on(CreateModelCustomizationJobCommand).rejects(new Error('socket hang up'));
      const { code, stderr } = await run(['start', '--batch', 'support-v1']);
      expect(code).toBe(1);
      expect(stderr).toContain('npm run customize: socket hang up');
    });
  });

  describe('start: following the job', () => {
    test('looks after 15 s, then every minute; Completed prints the custom model, its storage price and deploy', async () => {
      bedrock
        .on(GetModelCustomizationJobCommand)
        .resolvesOnce(job('InProgress'))
        .resolvesOnce(job('InProgress'))
        .resolves(job('Completed', { outputModelArn: modelArn, trainingMetrics: { trainingLoss: 0.42 } }));
      const { code, stdout, stderr } = await run(['start', '--batch', 'support-v1']);
      expect(code).toBe(0);
      expect(state.sleeps).toEqual([15_000, 60_000, 60_000]);
      expect(stderr).toContain(`${JOB}: InProgress after 15 s`);
      expect(stderr).toContain(`${JOB}: Completed after 2 min 15 s`);
      expect(stdout).toContain(`custom model ${modelArn}`);
      expect(stdout).toContain('training loss 0.42');
      expect(stdout).toContain('costs about $1.95 a month');
      expect(stdout).toContain(`Next: npm run customize -- deploy --model ${modelArn}`);
    });

    test('Failed: Bedrock’s failure message, exit 1', async () => {
      bedrock
        .on(GetModelCustomizationJobCommand)
        .resolves(job('Failed', { failureMessage: 'Data validation failed: line 3 has a reserved keyword.' }));
      const { code, stderr } = await run(['start', '--batch', 'support-v1', '--json']);
      expect(code).toBe(1);
      expect(stderr).toContain(`${JOB} ended Failed.`);
      expect(stderr).toContain('Data validation failed: line 3 has a reserved keyword.');
    });

    test('Stopped: exit 1', async () => {
      bedrock.on(GetModelCustomizationJobCommand).resolves(job('Stopped'));
      const { code, stderr } = await run(['start', '--batch', 'support-v1']);
      expect(code).toBe(1);
      expect(stderr).toContain('It was stopped');
    });

    test('still running at --timeout: exit 1, saying it keeps running and billing', async () => {
      bedrock.on(GetModelCustomizationJobCommand).resolves(job('InProgress'));
      const { code, stderr } = await run(['start', '--batch', 'support-v1', '--timeout', '3']);
      expect(code).toBe(1);
      expect(stderr).toContain('still InProgress after 3 min; it keeps running (and billing)');
    });
  });
});
