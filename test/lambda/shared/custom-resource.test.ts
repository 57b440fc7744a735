import { BedrockClient, GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { ListClassificationJobsCommand, Macie2Client } from '@aws-sdk/client-macie2';
import {
  boundedClientConfig,
  boundedMessage,
  CustomResourceFailure,
  customResource,
  InvalidPropertiesError,
  MAX_MESSAGE_BYTES,
} from '../../../lambda/shared/custom-resource';
import { recordingServer } from '../../support/bundle-process';

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');

describe('an API that never answers', () => {
  // Accepts the connection and reads the request, then says nothing.
  const silentApi = () => recordingServer(() => undefined);
  const options = (base: string, config: object) => ({
    ...config,
    region: 'eu-west-1',
    endpoint: base,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' },
  });
  const settlesWithin = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([
      promise.then(
        () => 'resolved',
        (e: Error) => e.name,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), ms)),
    ]);

  test.each([
    ['Bedrock', (c: object) => new BedrockClient(c).send(new GetModelInvocationLoggingConfigurationCommand({}))],
    ['Macie', (c: object) => new Macie2Client(c).send(new ListClassificationJobsCommand({}))],
  ])('%s: the bounded client fails with TimeoutError once the call timeout has passed', async (_name, call) => {
    const { server, base } = await silentApi();
    try {
      const started = Date.now();
      expect(await settlesWithin(call(options(base, boundedClientConfig(1_200))), 5_000)).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  // The probe's finding: @smithy/node-http-handler only logs a warning when
  // requestTimeout passes unless throwOnRequestTimeout is set.
  test('with requestTimeout alone (the former settings), the call is still waiting well after it', async () => {
    const { server, base } = await silentApi();
    try {
      const config = {
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 400, requestTimeout: 800 },
        logger: undefined,
      };
      const call = new BedrockClient(options(base, config)).send(new GetModelInvocationLoggingConfigurationCommand({}));
      call.catch(() => undefined);
      expect(await settlesWithin(call, 2_500)).toBe('still waiting');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('boundedMessage', () => {
  test('a short message is kept as it is, on one line', () => {
    expect(boundedMessage('Create failed:\n  AccessDenied')).toBe('Create failed: AccessDenied');
  });

  test.each([
    ['ASCII', 'x'.repeat(10_000)],
    ['two-byte characters', 'é'.repeat(10_000)],
    ['three-byte characters', '€'.repeat(10_000)],
    ['four-byte characters', '🧾'.repeat(10_000)],
    ['characters JSON escapes', '"\\\u0001'.repeat(5_000)],
  ])('%s: at most MAX_MESSAGE_BYTES as JSON, cut on a whole character and marked', (_what, text) => {
    const bounded = boundedMessage(text);
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(jsonBytes(bounded)).toBeGreaterThan(MAX_MESSAGE_BYTES - 12);
    expect(bounded.endsWith(' [cut]')).toBe(true);
    expect(text.startsWith(bounded.slice(0, -' [cut]'.length))).toBe(true);
    expect(bounded).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  test('a CustomResourceFailure carries the bounded message and a stack of that one line', () => {
    const failure = new CustomResourceFailure(`Create failed: ${'€'.repeat(5_000)}\nsecond line`);
    expect(jsonBytes(failure.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(failure.stack).toBe(`CustomResourceFailure: ${failure.message}`);
    expect(failure.stack?.split('\n')).toHaveLength(1);
  });
});

test('a failure is logged whole, while the error thrown for the reason is cut', async () => {
  const logged: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>) =>
    logged.push(JSON.stringify({ message, fields }));
  const { handler } = customResource({ logger: { info: record, warn: record, error: record } });
  const long = `${'€'.repeat(3_000)} END`;
  const failing = handler(1_000, async () => {
    throw new InvalidPropertiesError(long);
  });
  const thrown = await failing({ RequestType: 'Create' }, { getRemainingTimeInMillis: () => 60_000 }).catch(
    (e: Error) => e,
  );
  expect((thrown as Error).message).toMatch(/^Create failed: €+ \[cut\]$/);
  expect(logged.at(-1)).toContain(' END');
});
