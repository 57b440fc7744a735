/**
 * npm run verify: after `cdk deploy`, proves each capability of the deployed
 * stacks end to end with the caller's own credentials (checks in
 * scripts/verify/), prints a table and exits 1 when any check fails.
 */
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { XRayClient } from '@aws-sdk/client-xray';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { regionOf, signedRequest } from './ask';
import { APP_OPTION, AWS_OPTIONS, JSON_OPTION, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { type Io, json } from './cli/output';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';
import { CHECKS, loadOutputs, runChecks, table, type VerifyClients, type VerifyContext } from './verify-checks';

/**
 * GuardDuty publishes a new finding to EventBridge within about five minutes
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html),
 * and CloudWatch metrics arrive a minute or two later.
 */
export const DEFAULT_TIMEOUT_SECONDS = 480;

export const command = {
  name: 'verify',
  summary: 'After cdk deploy: prove each capability of the deployed stacks end to end.',
  description: `Runs each check with your credentials and prints a table (check, result, what to do); exits 1 when any check fails. Checks of switched-off services are skipped and say so. WAIT means AWS has not delivered yet and says when to run the check again (server access logs within a few hours, the first CloudTrail digest after an hour, Config deliveries after the first changes); it does not fail the run. Side effects you will notice: the malware check uploads the EICAR test file, which raises a real High GuardDuty finding and, with the alert rules on, an alert e-mail; the alerts check raises a GuardDuty sample finding (an alert e-mail; it stays in GuardDuty, marked [SAMPLE], for 90 days); alarm-delivery sets one of the app's alarms to ALARM and back to OK (two alert e-mails). Test objects (under "verify/", all versions) are deleted again. GuardDuty exports a new finding within about 5 minutes, an update only at the detector's publishing frequency (15 minutes here), so alerts and findings-export wait up to --timeout; each run raises a sample type no earlier run used, so a second run minutes later still proves delivery. The knowledge check asks the knowledge base a question about this project and is skipped, saying to run npm run ingest -- --sample, while nothing is indexed. Checks: ${CHECKS.map((c) => c.id).join(', ')}.`,
  options: {
    only: { type: 'list', placeholder: 'ids', description: 'Run only these checks (repeatable, or comma-separated).' },
    skip: { type: 'list', placeholder: 'ids', description: 'Leave these checks out (repeatable, or comma-separated).' },
    timeout: {
      type: 'number',
      placeholder: 'seconds',
      integer: true,
      min: 10,
      max: 3600,
      default: DEFAULT_TIMEOUT_SECONDS,
      description:
        'How long the slow checks (malware scan, alert and alarm delivery, findings export, invocation logs) wait for AWS.',
    },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: JSON_OPTION,
  },
  examples: ['npm run verify', 'npm run verify -- --only guardrail,benign --profile dev --json'],
} as const satisfies CommandSpec;

export type VerifyParsed = Parsed<typeof command.options>;

/** Check ids named by --only / --skip must exist. */
export function selection({ values }: VerifyParsed): { only?: string[]; skip: string[] } {
  const known = new Set(CHECKS.map((c) => c.id));
  const unknown = [...values.only, ...values.skip].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown check ${unknown.join(', ')} (checks: ${[...known].join(', ')})`);
  }
  return { only: values.only.length > 0 ? values.only : undefined, skip: values.skip };
}

/** One client per service the checks call, all in `region`. */
export function verifyClients(region: string, credentials?: AwsCredentialIdentityProvider): VerifyClients {
  const config = { region, credentials };
  return {
    cloudformation: new CloudFormationClient(config),
    bedrock: new BedrockClient(config),
    bedrockAgent: new BedrockAgentClient(config),
    s3: new S3Client(config),
    guardDuty: new GuardDutyClient(config),
    macie: new Macie2Client(config),
    cloudTrail: new CloudTrailClient(config),
    cloudWatch: new CloudWatchClient(config),
    cloudWatchLogs: new CloudWatchLogsClient(config),
    ec2: new EC2Client(config),
    config: new ConfigServiceClient(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    accessAnalyzer: new AccessAnalyzerClient(config),
    xray: new XRayClient(config),
    agentRuntime: new BedrockAgentRuntimeClient(config),
    sts: new STSClient(config),
  };
}

async function main(parsed: VerifyParsed, io: Io): Promise<number> {
  const selected = selection(parsed);
  const { values } = parsed;
  const appName = values.app ?? projectConfig().appName;
  const { region, credentials } = await resolveAws(values);
  const clients = verifyClients(region, credentials);
  io.progress(`reading the outputs of the ${appName} stacks in ${region}`);
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
    timeoutMs: values.timeout * 1000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    progress: (message) => io.progress(message),
    runId: `${new Date().toISOString().slice(0, 10)}-${randomUUID()}`,
  };
  const results = await runChecks(context, selected);
  const failed = results.some((r) => r.result === 'FAIL');
  if (values.json) json(io, { app: appName, region, ok: !failed, results });
  else io.out(`Verify ${appName} in ${region}:\n${table(results, io.colour)}`);
  return failed ? 1 : 0;
}

runCommand(module, command, main);
