import {
  ConflictException,
  CreateCustomModelDeploymentCommand,
  DeleteCustomModelCommand,
  DeleteCustomModelDeploymentCommand,
  GetCustomModelDeploymentCommand,
  GetModelCustomizationJobCommand,
  ListCustomModelDeploymentsCommand,
  ListCustomModelsCommand,
  ListModelCustomizationJobsCommand,
  type ModelCustomizationJobStatus,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
} from '@aws-sdk/client-bedrock';
import { DEPLOYMENT_NAME_PATTERN } from '../../../scripts/customize/names';
import { bedrock, deploymentArn, fakeTerminal, jobArn, modelArn, reset, run, state } from './harness';

const JOB = 'guardedgenai-ft-support-v1-20260601120000';
const created = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));
const summary = (name: string, status: ModelCustomizationJobStatus, extra: object = {}) => ({
  jobArn: name === JOB ? jobArn : `${jobArn.slice(0, -12)}zzzzzzzzzzzz`,
  jobName: name,
  baseModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k',
  status,
  creationTime: created,
  ...extra,
});
const job = (status: string, extra: object = {}) =>
  ({
    jobArn,
    jobName: JOB,
    outputModelName: JOB,
    roleArn: 'arn:aws:iam::111122223333:role/x',
    status,
    creationTime: created,
    baseModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k',
    hyperParameters: { epochCount: '2' },
    trainingDataConfig: { s3Uri: 's3://bucket/training/approved/support-v1/train.jsonl' },
    validationDataConfig: { validators: [] },
    outputDataConfig: { s3Uri: 's3://bucket/training/output/' },
    ...extra,
  }) as never;
const deployment = (status: string, extra: object = {}) =>
  ({
    customModelDeploymentArn: deploymentArn,
    modelDeploymentName: 'guardedgenai-abcdefghijkl',
    modelArn,
    createdAt: created,
    status,
    ...extra,
  }) as never;
const notFound = () => new ResourceNotFoundException({ message: 'Deployment not found', $metadata: {} });
/** The Bedrock commands sent, by name, in order. */
const sent = () => bedrock.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));

// One describe around the part: its beforeEach must not run for the folder's other parts.
describe('npm run customize -- status, deploy, delete, compare', () => {
  beforeEach(reset);

  describe('status', () => {
    test('the newest job of this app (the name prefix), with its metrics and custom model', async () => {
      bedrock.on(ListModelCustomizationJobsCommand).resolves({
        modelCustomizationJobSummaries: [
          summary('otherapp-ft-x-20260601130000', 'InProgress'),
          summary(JOB, 'Completed'),
        ],
      });
      bedrock
        .on(GetModelCustomizationJobCommand)
        .resolves(job('Completed', { outputModelArn: modelArn, trainingMetrics: { trainingLoss: 0.31 } }));
      const { code, stdout } = await run(['status']);
      expect(code).toBe(0);
      expect(bedrock.commandCalls(ListModelCustomizationJobsCommand)[0].args[0].input).toMatchObject({
        nameContains: 'guardedgenai-ft-',
        sortBy: 'CreationTime',
        sortOrder: 'Descending',
      });
      expect(bedrock.commandCalls(GetModelCustomizationJobCommand)[0].args[0].input).toEqual({ jobIdentifier: jobArn });
      expect(stdout).toContain(`${JOB}: Completed`);
      expect(stdout).toContain('training loss 0.31');
      expect(stdout).toContain(`custom model ${modelArn}`);
    });

    test('a named job, --json; a Failed job exits 1 with its message', async () => {
      bedrock
        .on(ListModelCustomizationJobsCommand)
        .resolves({ modelCustomizationJobSummaries: [summary(JOB, 'Failed')] });
      bedrock.on(GetModelCustomizationJobCommand).resolves(job('Failed', { failureMessage: 'Internal failure' }));
      const { code, stdout } = await run(['status', JOB, '--json']);
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({ jobName: JOB, status: 'Failed', failureMessage: 'Internal failure' });
    });

    test('no job of this app: exit 1', async () => {
      bedrock.on(ListModelCustomizationJobsCommand).resolves({ modelCustomizationJobSummaries: [] });
      const { code, stderr } = await run(['status']);
      expect(code).toBe(1);
      expect(stderr).toContain('No customization job named guardedgenai-ft-* in us-east-1');
    });
  });

  describe('deploy', () => {
    beforeEach(() => {
      bedrock
        .on(ListModelCustomizationJobsCommand)
        .resolves({ modelCustomizationJobSummaries: [summary(JOB, 'Completed', { customModelArn: modelArn })] });
      bedrock.on(ListCustomModelDeploymentsCommand).resolves({ modelDeploymentSummaries: [] });
      bedrock.on(CreateCustomModelDeploymentCommand).resolves({ customModelDeploymentArn: deploymentArn });
    });

    test('the newest completed job’s model: says the cost first, creates, waits until Active, prints the next steps', async () => {
      bedrock.on(GetCustomModelDeploymentCommand).resolvesOnce(deployment('Creating')).resolves(deployment('Active'));
      const { code, stdout } = await run(['deploy']);
      expect(code).toBe(0);
      expect(bedrock.commandCalls(ListModelCustomizationJobsCommand)[0].args[0].input).toMatchObject({
        statusEquals: 'Completed',
      });
      const [request] = bedrock.commandCalls(CreateCustomModelDeploymentCommand).map((c) => c.args[0].input);
      expect(request).toMatchObject({
        modelDeploymentName: 'guardedgenai-abcdefghijkl',
        modelArn,
        tags: [{ key: 'project', value: 'GuardedGenAi' }],
      });
      expect(request.modelDeploymentName).toMatch(DEPLOYMENT_NAME_PATTERN);
      expect(request.clientRequestToken).toMatch(/^[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$/);
      expect(state.sleeps).toEqual([15_000, 30_000]);
      expect(stdout).toContain(
        'bills per token, in and out, like its base model (about $0.000035 per 1,000 input and $0.00014 per 1,000 output tokens)',
      );
      expect(stdout.indexOf('bills per token')).toBeLessThan(stdout.indexOf(`Deployment ${deploymentArn}`));
      expect(stdout).toContain(`npm run redteam -- --model ${deploymentArn}`);
      expect(stdout).toContain('npm run redteam -- --model base');
      expect(stdout).toContain('npm run customize -- compare --base-run <run id> --custom-run <run id>');
    });

    test('Failed: its failure message, exit 1', async () => {
      bedrock
        .on(GetCustomModelDeploymentCommand)
        .resolves(deployment('Failed', { failureMessage: 'Model is not Active' }));
      const { code, stderr } = await run(['deploy', '--model', modelArn]);
      expect(code).toBe(1);
      expect(stderr).toContain('Model is not Active');
    });

    test('a model already deployed is not deployed again', async () => {
      bedrock.on(ListCustomModelDeploymentsCommand).resolves({
        modelDeploymentSummaries: [
          {
            customModelDeploymentArn: deploymentArn,
            customModelDeploymentName: 'guardedgenai-abcdefghijkl',
            modelArn,
            createdAt: created,
            status: 'Active',
          },
        ],
      });
      bedrock.on(GetCustomModelDeploymentCommand).resolves(deployment('Active'));
      const { code, stdout } = await run(['deploy', '--model', modelArn, '--json']);
      expect(code).toBe(0);
      expect(bedrock.commandCalls(CreateCustomModelDeploymentCommand)).toHaveLength(0);
      expect(JSON.parse(stdout)).toMatchObject({ ok: true, deploymentArn, modelArn, status: 'Active' });
    });

    test('a documented error, explained; a --model that is no custom model ARN is a usage error', async () => {
      bedrock
        .on(CreateCustomModelDeploymentCommand)
        .rejects(new ServiceQuotaExceededException({ message: 'Deployments quota reached', $metadata: {} }));
      const refused = await run(['deploy', '--model', modelArn]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('ServiceQuotaExceededException: Deployments quota reached');
      expect(refused.stderr).toContain('Service Quotas');
      expect((await run(['deploy', '--model', 'amazon.nova-micro-v1:0'])).code).toBe(2);
    });
  });

  describe('delete', () => {
    beforeEach(() => {
      bedrock.on(ListCustomModelsCommand).resolves({
        modelSummaries: [
          { modelArn, modelName: JOB, creationTime: created, baseModelArn: 'x', baseModelName: 'Nova Micro' },
          {
            modelArn: `${modelArn.slice(0, -12)}zzzzzzzzzzzz`,
            modelName: 'other-ft-x',
            creationTime: created,
            baseModelArn: 'x',
            baseModelName: 'y',
          },
        ],
      });
      bedrock.on(ListCustomModelDeploymentsCommand).resolves({
        modelDeploymentSummaries: [
          {
            customModelDeploymentArn: deploymentArn,
            customModelDeploymentName: 'guardedgenai-abcdefghijkl',
            modelArn,
            createdAt: created,
            status: 'Active',
          },
          {
            customModelDeploymentArn: `${deploymentArn}x`,
            customModelDeploymentName: 'someone-else',
            modelArn: 'arn:other',
            createdAt: created,
            status: 'Active',
          },
        ],
      });
      bedrock.on(DeleteCustomModelDeploymentCommand).resolves({});
      bedrock.on(GetCustomModelDeploymentCommand).resolvesOnce(deployment('Active')).rejects(notFound());
      bedrock.on(DeleteCustomModelCommand).resolves({});
    });

    test('--yes: the app’s deployment first, waits until it is gone, then the app’s model; says what stops billing', async () => {
      const { code, stdout, stderr } = await run(['delete', '--yes']);
      expect(code).toBe(0);
      expect(sent().filter((c) => c.startsWith('Delete') || c.startsWith('Get'))).toEqual([
        'DeleteCustomModelDeployment',
        'GetCustomModelDeployment',
        'GetCustomModelDeployment',
        'DeleteCustomModel',
      ]);
      expect(bedrock.commandCalls(DeleteCustomModelDeploymentCommand)[0].args[0].input).toEqual({
        customModelDeploymentIdentifier: deploymentArn,
      });
      expect(bedrock.commandCalls(DeleteCustomModelCommand).map((c) => c.args[0].input)).toEqual([
        { modelIdentifier: modelArn },
      ]);
      expect(stderr).toContain(`  deployment ${deploymentArn}\n  custom model ${modelArn}`);
      expect(stdout).toContain('it bills no more tokens');
      expect(stdout).toContain('its storage (about $1.95 a month) stops');
    });

    test('ConflictException on the model: a deployment or Provisioned Throughput still uses it, exit 1', async () => {
      bedrock
        .on(DeleteCustomModelCommand)
        .rejects(new ConflictException({ message: 'The model is in use', $metadata: {} }));
      const { code, stderr } = await run(['delete', '--model', modelArn, '--yes']);
      expect(code).toBe(1);
      expect(bedrock.commandCalls(ListCustomModelDeploymentsCommand)[0].args[0].input).toMatchObject({
        modelArnEquals: modelArn,
      });
      expect(stderr).toContain('a deployment or a Provisioned Throughput still uses it');
      expect(stderr).toContain('aws bedrock list-provisioned-model-throughputs');
    });

    test('without a terminal and without --yes nothing is deleted, exit 1', async () => {
      const { code, stderr } = await run(['delete']);
      expect(code).toBe(1);
      expect(stderr).toContain('pass --yes');
      expect(bedrock.commandCalls(DeleteCustomModelDeploymentCommand)).toHaveLength(0);
      expect(bedrock.commandCalls(DeleteCustomModelCommand)).toHaveLength(0);
    });

    test('on a terminal it asks; only y deletes', async () => {
      state.terminal = fakeTerminal(true, ['n']);
      expect((await run(['delete', '--deployment', deploymentArn])).code).toBe(1);
      expect(bedrock.commandCalls(DeleteCustomModelDeploymentCommand)).toHaveLength(0);

      state.terminal = fakeTerminal(true, ['y']);
      const { code, stdout } = await run(['delete', '--deployment', deploymentArn, '--json']);
      expect(code).toBe(0);
      expect(state.terminal.asked).toEqual(['Delete it? This cannot be undone. [y/N] ']);
      expect(JSON.parse(stdout)).toMatchObject({
        ok: true,
        deleted: { deployments: [deploymentArn], models: [] },
      });
      expect(bedrock.commandCalls(DeleteCustomModelCommand)).toHaveLength(0);
    });

    test('nothing of the app: exit 0', async () => {
      bedrock.on(ListCustomModelsCommand).resolves({ modelSummaries: [] });
      bedrock.on(ListCustomModelDeploymentsCommand).resolves({ modelDeploymentSummaries: [] });
      const { code, stdout } = await run(['delete', '--yes']);
      expect(code).toBe(0);
      expect(stdout).toContain('Nothing of GuardedGenAi to delete');
    });
  });

  describe('compare (scripts/customize/compare.ts) is wired', () => {
    test('needs both runs; what it is given reaches compareAction, whose usage errors exit 2', async () => {
      const missing = await run(['compare', '--base-run', '20261130T013629Z-1a2b3c']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('compare needs --base-run <id> and --custom-run <id>');
      const bad = await run(['compare', '--base-run', 'not-a-run', '--custom-run', 'not-a-run']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('not-a-run');
    });

    test('outside us-east-1 it is refused like every action', async () => {
      state.region = 'eu-central-1';
      const { code, stderr } = await run(['compare', '--base-run', 'a', '--custom-run', 'b']);
      expect(code).toBe(1);
      expect(stderr).toContain('only in us-east-1');
    });
  });
});
