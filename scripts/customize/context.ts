/**
 * What every action of `npm run customize` works with: the AWS clients (each
 * a `Pick<Client, 'send'>` so tests stub them), the waits' clock, the
 * deployed stacks' outputs, and the checks and hints they share.
 */
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import { CUSTOMIZATION_REGIONS } from '../../lib/shared/customization-contract';
import { stackNames } from '../../lib/shared/names';
import type { Terminal } from '../agent/prompt';
import type { AwsTarget } from '../cli/aws';
import type { Io } from '../cli/output';
import { stackOutputs } from '../cli/stack-outputs';
import type { CustomizeParsed } from '../customize';

export interface CustomizeClients {
  readonly s3: Pick<S3Client, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly bedrock: Pick<BedrockClient, 'send'>;
  /** Who is asking (GetCallerIdentity), for records that name their author. */
  readonly sts: Pick<STSClient, 'send'>;
}

export interface CustomizeDeps {
  /** The region alone, so that a region customization does not exist in is refused before credentials are looked for. */
  readonly region: (flags: { region?: string; profile?: string }) => Promise<string>;
  readonly resolve: (flags: { region?: string; profile?: string }) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => CustomizeClients;
  /** The approval function's URL is called with it (global fetch in Node.js 20). */
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly appName: () => string;
  /** The configured modelId: compare checks the base model's run called it. */
  readonly modelId: () => string;
  /** Where `delete` asks before it deletes. */
  readonly terminal: () => Terminal;
  readonly readFile: (file: string) => string;
}

/** One run of an action: the command line, where it writes, and the account it talks to. */
export interface Run {
  readonly parsed: CustomizeParsed;
  readonly values: CustomizeParsed['values'];
  /** The arguments after the action (files for prepare, a job for status). */
  readonly args: readonly string[];
  readonly io: Io;
  readonly deps: CustomizeDeps;
  readonly target: AwsTarget;
  readonly clients: CustomizeClients;
  readonly appName: string;
  readonly stacks: { readonly dataProtection: string; readonly customization: string };
}

export function stacksOf(appName: string): Run['stacks'] {
  const names = stackNames(appName);
  return { dataProtection: names.dataProtection, customization: names.customization };
}

/**
 * Why this region cannot be used, or undefined when it can. Bedrock lists
 * every Nova model it fine-tunes in US East (N. Virginia) only, and on-demand
 * deployment of the result likewise
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/custom-model-fine-tuning.html,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html).
 */
export function regionProblem(region: string): string | undefined {
  if ((CUSTOMIZATION_REGIONS as readonly string[]).includes(region)) return undefined;
  return `Bedrock fine-tunes Amazon Nova models, and deploys the result on demand, only in ${CUSTOMIZATION_REGIONS.join(', ')}; this command was pointed at ${region}. Deploy the app in ${CUSTOMIZATION_REGIONS[0]} with modelCustomization on, and pass --region ${CUSTOMIZATION_REGIONS[0]} (or set AWS_REGION).`;
}

/** The outputs the actions read: the data bucket and key, and the Customization stack's. */
export interface Deployed {
  readonly bucket: string;
  readonly keyArn: string;
  readonly approvalUrl: string;
  readonly approvalFunctionName?: string;
  readonly jobRoleArn: string;
  readonly baseModel: string;
  readonly operatorPolicyArn?: string;
  /** Only when the app is deployed with isolatedNetwork: the job then runs in the VPC. */
  readonly subnetIds?: readonly string[];
  readonly securityGroupId?: string;
}

/** The stacks' outputs, or one line saying which are missing and what to do. */
export async function deployedOutputs(run: Run): Promise<Deployed | string> {
  const { dataProtection, customization } = run.stacks;
  run.io.progress(`reading the outputs of ${dataProtection} and ${customization} in ${run.target.region}`);
  const [data, custom] = await Promise.all([
    stackOutputs(run.clients.cloudformation, dataProtection),
    stackOutputs(run.clients.cloudformation, customization),
  ]);
  if (!custom) {
    return `${customization} does not exist in ${run.target.region}: deploy the app with model customization on (npm run config -- set modelCustomization=true, then npx cdk deploy --all), or pass --app / --region.`;
  }
  const missing = [
    !data?.DataBucketName || !data.ProjectKeyArn ? `${dataProtection} (DataBucketName, ProjectKeyArn)` : '',
    ['ApprovalFunctionUrl', 'JobRoleArn', 'BaseModelIdentifier'].some((k) => !custom[k])
      ? `${customization} (ApprovalFunctionUrl, JobRoleArn, BaseModelIdentifier)`
      : '',
  ].filter(Boolean);
  if (missing.length > 0 || !data) {
    return `Missing stack outputs in ${run.target.region}: ${missing.join('; ')}. Deploy the app again (npx cdk deploy --all) with this version and the same appName.`;
  }
  // With isolatedNetwork, the job runs in DataProtection's isolated subnets behind the Customization stack's group.
  const subnets = custom.JobSecurityGroupId
    ? (data.IsolatedSubnetIds ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  if (custom.JobSecurityGroupId && subnets.length === 0) {
    return `${customization} has JobSecurityGroupId but ${dataProtection} has no IsolatedSubnetIds: a job in the VPC needs both; deploy the app again (npx cdk deploy --all).`;
  }
  return {
    bucket: data.DataBucketName,
    keyArn: data.ProjectKeyArn,
    approvalUrl: custom.ApprovalFunctionUrl,
    approvalFunctionName: custom.ApprovalFunctionName,
    jobRoleArn: custom.JobRoleArn,
    baseModel: custom.BaseModelIdentifier,
    operatorPolicyArn: custom.OperatorPolicyArn,
    ...(subnets.length > 0 ? { subnetIds: subnets, securityGroupId: custom.JobSecurityGroupId } : {}),
  };
}

const isAccessDenied = (error: unknown) =>
  error instanceof Error && /AccessDenied|Forbidden|UnauthorizedOperation/.test(error.name);

/** An access-denied error, naming the policy that grants what this command does; any other error as it is. */
export function accessHint(error: unknown, what: string, run: Pick<Run, 'stacks'>, policyArn?: string): Error {
  if (isAccessDenied(error)) {
    const policy = policyArn
      ? `the managed policy ${policyArn} (output OperatorPolicyArn of ${run.stacks.customization})`
      : `the managed policy in the OperatorPolicyArn output of ${run.stacks.customization}`;
    return new Error(`${what}: access denied (${(error as Error).message}). Attach ${policy} to your role or user.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Seconds or minutes and seconds, for progress lines. */
export function elapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface PollOptions {
  readonly firstMs: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/**
 * Ask `check` until it answers something, first after `firstMs`, then every
 * `intervalMs`, until `timeoutMs` has passed (the last look is at the deadline).
 * Returns what it answered, or undefined when the time ran out.
 */
export async function poll<T>(
  check: (spentMs: number) => Promise<T | undefined>,
  options: PollOptions,
): Promise<T | undefined> {
  const start = options.now();
  let wait = options.firstMs;
  for (;;) {
    const left = options.timeoutMs - (options.now() - start);
    if (left <= 0) return undefined;
    await options.sleep(Math.min(wait, left));
    const answer = await check(options.now() - start);
    if (answer !== undefined) return answer;
    wait = options.intervalMs;
  }
}
