/**
 * npm run verify [-- --only a,b] [--skip c] [--timeout <seconds>] [--app <appName>]
 *
 * After `cdk deploy`: proves each capability of the deployed stacks end to end
 * with the caller's own credentials, prints a table (check, result, what to do)
 * and exits 1 when any check fails (2 on a bad command line). Checks of
 * switched-off services are skipped and say so. Everything a check creates is
 * deleted again (test objects under "verify/", all versions; sample findings
 * are archived, as GuardDuty cannot delete them).
 */
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { regionOf, signedRequest } from './ask';
import { CDK_JSON_CONTEXT } from './generated-block';
import { CONTEXT_FILE, effectiveContext, readContextFile } from './preflight';
import { runCli } from './run-cli';
import { CHECKS, loadOutputs, runChecks, table, type VerifyClients, type VerifyContext } from './verify-checks';
import { parseConfig } from '../lib/config';

const USAGE = `usage: npm run verify -- [--only <ids>] [--skip <ids>] [--timeout <seconds>] [--app <appName>]
checks: ${CHECKS.map((c) => c.id).join(', ')}`;

const OPTIONS = {
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  app: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface VerifyArgs {
  readonly only?: string[];
  readonly skip: string[];
  /** The bounded wait of the slow checks (malware scan, alert delivery), in milliseconds. */
  readonly timeoutMs: number;
  readonly app?: string;
  readonly help: boolean;
}

/**
 * GuardDuty publishes a new finding to EventBridge within about five minutes
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html),
 * and CloudWatch metrics arrive a minute or two later.
 */
export const DEFAULT_TIMEOUT_SECONDS = 480;

/** The command line (ids may be repeated or comma-separated), or the message for a bad one. */
export function parseCommandLine(argv: readonly string[]): VerifyArgs | Error {
  let values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const ids = (list: string[] | undefined) =>
    list
      ?.flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  const only = ids(values.only);
  const skip = ids(values.skip) ?? [];
  const known = new Set(CHECKS.map((c) => c.id));
  const unknown = [...(only ?? []), ...skip].filter((id) => !known.has(id));
  if (unknown.length > 0) return new Error(`unknown check ${unknown.join(', ')}\n${USAGE}`);
  const seconds = Number(values.timeout ?? DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isInteger(seconds) || seconds < 10 || seconds > 3600) {
    return new Error(`--timeout needs whole seconds from 10 to 3600\n${USAGE}`);
  }
  return { only, skip, timeoutMs: seconds * 1000, app: values.app, help: values.help === true };
}

/** One client per service the checks call, all in `region`. */
export function verifyClients(region: string): VerifyClients {
  return {
    cloudformation: new CloudFormationClient({ region }),
    bedrock: new BedrockClient({ region }),
    s3: new S3Client({ region }),
    guardDuty: new GuardDutyClient({ region }),
    macie: new Macie2Client({ region }),
    cloudTrail: new CloudTrailClient({ region }),
    cloudWatch: new CloudWatchClient({ region }),
    sqs: new SQSClient({ region }),
    accessAnalyzer: new AccessAnalyzerClient({ region }),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (args instanceof Error) {
    console.error(args.message);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const appName = args.app ?? parseConfig(effectiveContext(CDK_JSON_CONTEXT, readContextFile(CONTEXT_FILE))).appName;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (await new S3Client({}).config.region());
  const credentials = fromNodeProviderChain();
  const clients = verifyClients(region);
  const outputs = await loadOutputs(clients.cloudformation, appName);
  const context: VerifyContext = {
    clients,
    outputs,
    // The Function URL call, signed and sent as `npm run ask` does.
    invoke: async (url, body) => {
      const text = JSON.stringify(body);
      const { init } = await signedRequest(url, regionOf(url), text, credentials);
      return fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    },
    timeoutMs: args.timeoutMs,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    progress: (message) => process.stderr.write(`… ${message}\n`),
    runId: `${new Date().toISOString().slice(0, 10)}-${randomUUID()}`,
  };
  const results = await runChecks(context, { only: args.only, skip: args.skip });
  console.log(`Verify ${appName} in ${region}:\n${table(results)}`);
  return results.some((r) => r.result === 'FAIL') ? 1 : 0;
}

runCli(module, main);
