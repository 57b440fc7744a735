import {
  GetIngestionJobCommand,
  GetKnowledgeBaseCommand,
  ListIngestionJobsCommand,
} from '@aws-sdk/client-bedrock-agent';
import { ListEnforcedGuardrailsConfigurationCommand } from '@aws-sdk/client-bedrock';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { KNOWLEDGE_QUESTION } from '../../../scripts/verify-checks';
import { account, citation, error, fake, json, mocks, OUTPUTS, region, sse, verify } from './harness';

describe('enforcement check (enforcedGuardrail=create)', () => {
  const configId = 'cfg0abc123';
  /** GuardedInvoke deployed with enforcedGuardrail=create: its outputs gain the configuration id. */
  function enforcedDeployment() {
    const outputs = { ...OUTPUTS['GuardedGenAi-GuardedInvoke'], EnforcedGuardrailConfigId: configId };
    mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-GuardedInvoke' }).resolves({
      Stacks: [
        {
          StackName: 'GuardedGenAi-GuardedInvoke',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
  }
  const enforcing = (guardrailId: string, guardrailVersion: string) =>
    mocks.bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({
      guardrailsConfig: [
        {
          configId,
          guardrailArn: `arn:aws:bedrock:${region}:${account}:guardrail/${guardrailId}`,
          guardrailId,
          guardrailVersion,
          owner: 'ACCOUNT',
          selectiveContentGuarding: { system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE' },
        },
      ],
    });

  test('off (no configuration output) => skipped, and the account is not asked', async () => {
    expect((await verify({ only: ['enforcement'] })).enforcement).toMatchObject({ result: 'SKIP' });
    expect(mocks.bedrock.commandCalls(ListEnforcedGuardrailsConfigurationCommand)).toHaveLength(0);
  });

  test("the account enforces this app's guardrail at the deployed version => pass", async () => {
    enforcedDeployment();
    enforcing('gr1abc', '3');
    expect((await verify({ only: ['enforcement'] })).enforcement).toMatchObject({
      result: 'PASS',
      detail: expect.stringContaining('guardrail gr1abc version 3'),
    });
  });

  test('an older version enforced (changed outside CloudFormation) => fail, saying to redeploy', async () => {
    enforcedDeployment();
    enforcing('gr1abc', '2');
    expect((await verify({ only: ['enforcement'] })).enforcement).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('version 2, not gr1abc version 3'),
      fix: expect.stringContaining('redeploy'),
    });
  });

  test('the configuration is gone => fail', async () => {
    enforcedDeployment();
    mocks.bedrock.on(ListEnforcedGuardrailsConfigurationCommand).resolves({ guardrailsConfig: [] });
    expect((await verify({ only: ['enforcement'] })).enforcement).toMatchObject({ result: 'FAIL' });
  });
});

describe('retrieval check (knowledge)', () => {
  const knowledgeAnswer = (body: unknown, status = 200) => {
    fake.invoke = jest.fn(async (_url: string, _body: Record<string, unknown>) => json(body, status));
  };

  test('ACTIVE knowledge base, completed job, cited answer => PASS; the request asks for the knowledge base', async () => {
    const result = (await verify({ only: ['knowledge'] })).knowledge;
    expect(result).toEqual({
      id: 'knowledge',
      result: 'PASS',
      detail:
        'knowledge base KB12345678 ACTIVE; last ingestion job COMPLETE (19 indexed, 0 failed); the answer cites 2 passages from 2 documents',
    });
    expect(fake.invoke).toHaveBeenCalledWith(OUTPUTS['GuardedGenAi-GuardedInvoke'].FunctionUrl, {
      prompt: KNOWLEDGE_QUESTION,
      knowledgeBase: true,
      stream: false,
    });
    // The newest job of this data source only.
    expect(mocks.bedrockAgent.commandCalls(ListIngestionJobsCommand)[0].args[0].input).toEqual({
      knowledgeBaseId: 'KB12345678',
      dataSourceId: 'DS12345678',
      sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
      maxResults: 1,
    });
  });

  test('streamed answers carry the citations as their own event', async () => {
    fake.invoke = jest.fn(async (_url: string, _body: Record<string, unknown>) =>
      sse(
        ['text', { text: 'Promoted to knowledge/ [1].' }],
        ['citations', { citations: [citation(1, 'data-protection.md', 0.7)] }],
        ['metadata', { guardrail: { intervened: false, policies: [] }, requestId: 'req-k' }],
      ),
    );
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'PASS',
      detail: expect.stringContaining('cites 1 passages from 1 documents'),
    });
  });

  test('no documents indexed: empty citations and the no-passages answer => SKIP saying to ingest the sample', async () => {
    mocks.bedrockAgent.on(ListIngestionJobsCommand).resolves({ ingestionJobSummaries: [] });
    knowledgeAnswer({
      text: 'Nothing in the knowledge base matches this question, so there is no grounded answer to give.',
      stopReason: 'no_passages',
      guardrail: { intervened: false, inputRefused: false, policies: [] },
      citations: [],
      requestId: 'req-empty',
    });
    expect((await verify({ only: ['knowledge'] })).knowledge).toEqual({
      id: 'knowledge',
      result: 'SKIP',
      detail:
        'knowledge base KB12345678 ACTIVE; no ingestion job yet; no documents indexed yet: run npm run ingest -- --sample',
    });
  });

  test('empty citations while the first job still runs => SKIP saying to come back', async () => {
    mocks.bedrockAgent.on(ListIngestionJobsCommand).resolves({
      ingestionJobSummaries: [
        {
          knowledgeBaseId: 'KB12345678',
          dataSourceId: 'DS12345678',
          ingestionJobId: 'JOB1',
          status: 'IN_PROGRESS',
          startedAt: new Date(),
          updatedAt: new Date(),
        },
      ],
    });
    knowledgeAnswer({ text: 'Nothing matches.', guardrail: { intervened: false, policies: [] }, citations: [] });
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'SKIP',
      detail: expect.stringContaining('last ingestion job IN_PROGRESS; documents are being indexed'),
    });
  });

  test('no Knowledge stack (knowledgeBase off) => SKIP, nothing called', async () => {
    mocks.cloudformation
      .on(DescribeStacksCommand, { StackName: 'GuardedGenAi-Knowledge' })
      .rejects(error('ValidationError', 'Stack with id GuardedGenAi-Knowledge does not exist'));
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'SKIP',
      detail: expect.stringContaining('stack GuardedGenAi-Knowledge not deployed'),
    });
    expect(mocks.bedrockAgent.calls()).toHaveLength(0);
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  test('last ingestion job FAILED => FAIL with its reasons, before asking', async () => {
    mocks.bedrockAgent.on(ListIngestionJobsCommand).resolves({
      ingestionJobSummaries: [
        {
          knowledgeBaseId: 'KB12345678',
          dataSourceId: 'DS12345678',
          ingestionJobId: 'JOB9',
          status: 'FAILED',
          startedAt: new Date(),
          updatedAt: new Date(),
        },
      ],
    });
    mocks.bedrockAgent.on(GetIngestionJobCommand).resolves({
      ingestionJob: {
        failureReasons: [
          'User: arn:aws:sts::111122223333:assumed-role/kb-role is not authorized to perform: s3vectors:PutVectors',
        ],
      } as never,
    });
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'FAIL',
      detail: expect.stringMatching(/^ingestion job JOB9 FAILED: .*s3vectors:PutVectors$/),
      fix: expect.stringContaining('vector index'),
    });
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  test('knowledge base not ACTIVE => FAIL with its failure reasons', async () => {
    mocks.bedrockAgent
      .on(GetKnowledgeBaseCommand)
      .resolves({ knowledgeBase: { status: 'FAILED', failureReasons: ['Index dimension mismatch'] } as never });
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'FAIL',
      detail: 'knowledge base KB12345678 is FAILED: Index dimension mismatch',
    });
  });

  test('the function refuses knowledge-base requests (knowledge_base_off) => FAIL saying to redeploy', async () => {
    knowledgeAnswer(
      {
        error: {
          code: 'knowledge_base_off',
          message: 'This deployment has no knowledge base.',
          requestId: 'req-off',
        },
      },
      400,
    );
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'FAIL',
      detail: 'HTTP 400 knowledge_base_off: This deployment has no knowledge base.',
      fix: expect.stringContaining('redeploy the GuardedInvoke stack'),
    });
  });

  test('an answer without a citations field (function not updated) => FAIL', async () => {
    knowledgeAnswer({ text: 'An answer.', guardrail: { intervened: false, policies: [] }, requestId: 'r' });
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'FAIL',
      detail: 'the answer has no citations',
    });
  });

  test('the guardrail intervened on the question => FAIL, not "no documents"', async () => {
    knowledgeAnswer({
      text: 'Sorry, the model cannot answer that.',
      guardrail: { intervened: true, policies: ['contextual-grounding'] },
      citations: [],
      requestId: 'r',
    });
    expect((await verify({ only: ['knowledge'] })).knowledge).toMatchObject({
      result: 'FAIL',
      detail: 'the guardrail intervened on a knowledge-base question (contextual-grounding)',
    });
  });
});
