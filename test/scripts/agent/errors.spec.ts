import { InvokeAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describeStacks } from '../../support/deployed-stacks';
import { serviceException, stream } from './events';
import { bedrock, CALLER_POLICY, cloudformation, invocations, reset, run } from './harness';

beforeEach(reset);

describe('npm run agent: errors', () => {
  test('stack not deployed => exit 1 naming the stack', async () => {
    cloudformation.on(DescribeStacksCommand).callsFake(describeStacks({}));
    const { code, io } = await run(['x']);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/GuardedGenAi-Agent does not exist in eu-west-1: deploy it/);
    expect(invocations()).toHaveLength(0);
  });

  test('outputs missing => exit 1 naming them', async () => {
    cloudformation.on(DescribeStacksCommand).callsFake(describeStacks({ 'GuardedGenAi-Agent': { AgentId: 'A' } }));
    const { code, io } = await run(['x']);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/has no AgentId\/AgentAliasId output/);
  });

  test('access denied => says which policy to attach', async () => {
    bedrock.on(InvokeAgentCommand).rejects(serviceException('AccessDeniedException', 'not authorized to InvokeAgent'));
    const { code, io } = await run(['x']);
    expect(code).toBe(1);
    expect(io.stderr).toContain('AccessDeniedException: not authorized to InvokeAgent');
    expect(io.stderr).toContain(`attach the Agent stack's caller policy ${CALLER_POLICY}`);
  });

  test('throttling in the stream => wait and retry; --json still prints the document with the error', async () => {
    bedrock
      .on(InvokeAgentCommand)
      .resolves({ completion: stream({ throttlingException: { message: 'Rate exceeded' } } as never) });
    const { code, io } = await run(['x', '--json']);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/ThrottlingException: Rate exceeded\. Bedrock is limiting requests: wait a minute/);
    expect(JSON.parse(io.stdout)).toMatchObject({ turns: [], error: expect.stringMatching(/^ThrottlingException/) });
  });
});
