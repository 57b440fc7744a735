/**
 * aws-cdk-lib's Provider framework as deployed: the runtime code of its own
 * functions (custom-resources/lib/provider-framework/runtime, at the version
 * the app synthesizes), run in this process. Its two ways out are replaced by
 * local stand-ins: invoking a user handler calls our handler here, with the
 * payload and error shape of Lambda's Node.js runtime; and the PUT of the
 * response goes over plain HTTP to a server on 127.0.0.1 instead of HTTPS to
 * S3. Everything in between (what the framework makes of a returned value or
 * a thrown error, the response body, its retries) is the framework's own.
 *
 * The test file must mock '@aws-sdk/client-sfn' (virtual: the runtime
 * requires it, Lambda provides it, the project does not install it).
 */
import * as http from 'node:http';
import * as path from 'node:path';
import type { DeadlineContext } from '../../../lambda/shared/custom-resource';
import { type RecordingServer, recordingServer } from '../../support/bundle-process';

const RUNTIME = path.join(
  path.dirname(require.resolve('aws-cdk-lib/custom-resources')),
  'lib',
  'provider-framework',
  'runtime',
);

type Handler = (event: never, context: DeadlineContext) => Promise<unknown>;
type FrameworkEntry = (event: unknown) => Promise<void>;

interface Outbound {
  invokeFunction: (req: { FunctionName: string; Payload: string }) => Promise<unknown>;
  httpRequest: (
    options: { path: string; method: string; headers: Record<string, unknown> },
    body: string,
  ) => Promise<void>;
  startExecution: (req: { stateMachineArn: string; input: string }) => Promise<unknown>;
}

/**
 * What Lambda returns for a synchronous invoke: the handler's result as JSON,
 * or, when it throws, FunctionError and the error document of the Node.js
 * runtime, the stack split into lines: "{ "errorType": "ReferenceError",
 * "errorMessage": "x is not defined", "trace": [ "ReferenceError: x is not
 * defined", " at Runtime.exports.handler (/var/task/index.js:2:3)", ... ] }"
 * ("AWS Lambda function errors in Node.js",
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html).
 */
async function invokeAsLambda(handler: Handler, payload: string, lambdaTimeoutMs: number) {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const started = Date.now();
  const context = { getRemainingTimeInMillis: () => lambdaTimeoutMs - (Date.now() - started) };
  try {
    return { StatusCode: 200, Payload: encode((await handler(JSON.parse(payload) as never, context)) ?? null) };
  } catch (error) {
    const e = error as Error;
    return {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: e.name, errorMessage: e.message, trace: String(e.stack).split('\n') }),
    };
  }
}

/**
 * The framework with `handlers` (function name to handler) behind it, and a
 * response URL on a local server whose first `failingPuts` PUTs answer 500.
 */
export async function providerFramework(
  handlers: Record<string, Handler>,
  options: { failingPuts?: number; lambdaTimeoutMs?: number } = {},
) {
  let failures = options.failingPuts ?? 0;
  const responses: RecordingServer = await recordingServer((_req, res) => {
    res.writeHead(failures-- > 0 ? 500 : 200);
    res.end();
  });
  const port = Number(new URL(responses.base).port);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const outbound = require(path.join(RUNTIME, 'outbound.js')) as Outbound;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const framework = require(path.join(RUNTIME, 'framework.js')) as Record<string, FrameworkEntry>;
  const executions: string[] = [];
  outbound.invokeFunction = async ({ FunctionName, Payload }) => {
    const handler = handlers[FunctionName];
    if (!handler) throw new Error(`no stand-in for function ${FunctionName}`);
    return invokeAsLambda(handler, Payload, options.lambdaTimeoutMs ?? 120_000);
  };
  outbound.startExecution = async ({ input }) => executions.push(input);
  outbound.httpRequest = (opts, body) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: opts.path,
          method: opts.method,
          headers: opts.headers as http.OutgoingHttpHeaders,
        },
        (res) => {
          res.resume();
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve();
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    framework,
    /** The response URL to put into events. */
    responseUrl: `${responses.base}/response?X-Amz-Signature=abc`,
    /** Every PUT the response URL received, in order. */
    puts: () => responses.seen.filter((s) => s.method === 'PUT'),
    /** The inputs of the waiter executions the framework started. */
    executions,
    close: () => responses.server.close(),
  };
}
