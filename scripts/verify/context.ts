/**
 * What every check of `npm run verify` shares: the clients it may call, the
 * deployed stacks' outputs, outcomes, and a bounded wait.
 */
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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
import { XRayClient } from '@aws-sdk/client-xray';
import { stackNames as projectStackNames } from '../../lib/shared/names';

export type Send<C extends { send: unknown }> = Pick<C, 'send'>;

export interface VerifyClients {
  readonly cloudformation: Send<CloudFormationClient>;
  readonly bedrock: Send<BedrockClient>;
  /** Knowledge bases and their ingestion jobs (the control plane: bedrock-agent). */
  readonly bedrockAgent: Send<BedrockAgentClient>;
  readonly s3: Send<S3Client>;
  readonly guardDuty: Send<GuardDutyClient>;
  readonly macie: Send<Macie2Client>;
  readonly cloudTrail: Send<CloudTrailClient>;
  readonly cloudWatch: Send<CloudWatchClient>;
  /** Bedrock's invocation log group. */
  readonly cloudWatchLogs: Send<CloudWatchLogsClient>;
  /** The isolated network's flow logs. */
  readonly ec2: Send<EC2Client>;
  /** The Config recorder and its delivery channel. */
  readonly config: Send<ConfigServiceClient>;
  readonly sqs: Send<SQSClient>;
  /** The alert topic's subscriptions. */
  readonly sns: Send<SNSClient>;
  readonly accessAnalyzer: Send<AccessAnalyzerClient>;
  /** The traces of the function's requests (in-code spans). */
  readonly xray: Send<XRayClient>;
  /** The guarded agent's turns (the agent check), as the trusted caller's runTurn takes it. */
  readonly agentRuntime: BedrockAgentRuntimeClient;
  /** Who is calling: the agent check acts for the customer the caller maps to. */
  readonly sts: Send<STSClient>;
}

export type StackKind =
  'DataProtection' | 'GuardedInvoke' | 'ThreatDetection' | 'Knowledge' | 'Ingestion' | 'Operations' | 'Agent';

/** The stacks the app cannot do without; the others are switches (or may be left undeployed). */
const REQUIRED_STACKS: readonly StackKind[] = ['DataProtection', 'GuardedInvoke'];

export interface StackOutputs {
  /** Outputs by stack kind; absent when the stack could not be read. */
  readonly stacks: Partial<Record<StackKind, Record<string, string>>>;
  readonly names: Record<StackKind, string>;
  /** Why a stack could not be read. */
  readonly problems: Partial<Record<StackKind, string>>;
}

export interface VerifyContext {
  readonly clients: VerifyClients;
  readonly outputs: StackOutputs;
  /** POST a JSON body to the Function URL, signed (ask.ts's signedRequest + fetch in real use). */
  readonly invoke: (url: string, body: Record<string, unknown>) => Promise<Response>;
  /** The bounded wait of the slow checks, in milliseconds. */
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Progress of the slow checks (stderr). */
  readonly progress: (message: string) => void;
  /** Unique per run: names the test objects. */
  readonly runId: string;
}

/**
 * WAIT: not provable yet because AWS delivers later than this run can wait
 * (the detail says when to run the check again); it does not fail the run.
 */
export type Result = 'PASS' | 'FAIL' | 'SKIP' | 'WAIT';

export interface Outcome {
  readonly result: Result;
  readonly detail: string;
  /** What to do, when it failed. */
  readonly fix?: string;
}

export interface CheckResult extends Outcome {
  readonly id: string;
}

/** What the invoke checks leave for the audit-record check. */
export interface RunState {
  readonly requests: { check: string; requestId: string; sentAt: number }[];
  /** When the alert check raised its sample finding (the findings export waits for it). */
  sampleFindingAt?: number;
}

export interface CheckDefinition {
  readonly id: string;
  /** Slow checks wait for AWS (scans, finding delivery) up to the configured timeout. */
  readonly slow?: boolean;
  run(context: VerifyContext, state: RunState): Promise<Outcome>;
}

export const pass = (detail: string): Outcome => ({ result: 'PASS', detail });
export const fail = (detail: string, fix: string): Outcome => ({ result: 'FAIL', detail, fix });
export const skip = (detail: string): Outcome => ({ result: 'SKIP', detail });
export const wait = (detail: string): Outcome => ({ result: 'WAIT', detail });

/** Timeout of a check that makes a few API calls. */
export const QUICK_TIMEOUT_MS = 60_000;

/** Stack names, as the CDK app names them (lib/shared/names.ts), by the kind verify reads. */
export function stackNames(appName: string): Record<StackKind, string> {
  const names = projectStackNames(appName);
  return {
    DataProtection: names.dataProtection,
    GuardedInvoke: names.guardedInvoke,
    ThreatDetection: names.threatDetection,
    Knowledge: names.knowledge,
    Ingestion: names.ingestion,
    Operations: names.operations,
    Agent: names.agent,
  };
}

export async function loadOutputs(cloudformation: Send<CloudFormationClient>, appName: string): Promise<StackOutputs> {
  const names = stackNames(appName);
  const stacks: StackOutputs['stacks'] = {};
  const problems: StackOutputs['problems'] = {};
  for (const kind of Object.keys(names) as StackKind[]) {
    try {
      const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: names[kind] }));
      stacks[kind] = Object.fromEntries(
        (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
      );
    } catch (error) {
      problems[kind] = error instanceof Error ? error.message : String(error);
    }
  }
  return { stacks, names, problems };
}

/** The outputs of a stack, or the outcome when it is missing (a failure for the two the app needs; the others are switches). */
export function stack(context: VerifyContext, kind: StackKind): Record<string, string> | Outcome {
  const outputs = context.outputs.stacks[kind];
  if (outputs) return outputs;
  const name = context.outputs.names[kind];
  const why = context.outputs.problems[kind] ?? 'not found';
  return !REQUIRED_STACKS.includes(kind)
    ? skip(`stack ${name} not deployed (${why})`)
    : fail(
        `stack ${name} not readable (${why})`,
        'Deploy it (npx cdk deploy --all) with the same appName, in this region.',
      );
}

export function isOutcome(value: object): value is Outcome {
  const { result, detail } = value as Partial<Outcome>;
  return (
    typeof detail === 'string' && (result === 'PASS' || result === 'FAIL' || result === 'SKIP' || result === 'WAIT')
  );
}

/** Call `attempt` every `intervalMs` until it gives a value or the deadline passes. */
export async function poll<T>(
  context: VerifyContext,
  what: string,
  deadline: number,
  intervalMs: number,
  attempt: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (context.now() + intervalMs > deadline) return undefined;
    context.progress(`waiting for ${what} (${Math.round((deadline - context.now()) / 1000)} s left)`);
    await context.sleep(intervalMs);
  }
}

export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10).replace(/-/g, '/');
}
