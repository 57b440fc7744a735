/**
 * Credentials and region, resolved the way the AWS CLI resolves them:
 * `--profile` / `--region`, then AWS_PROFILE / AWS_REGION / AWS_DEFAULT_REGION,
 * then the profile in the shared config files (~/.aws/config, ~/.aws/credentials).
 * https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
 *
 * Resolution itself is the SDK's: the Node.js credential provider chain and a
 * client's own region loader, both given the profile.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { fromEnv, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The SDK warns on every run under Node.js < 22 that its releases after
 * January 2027 will need Node.js 22. The SDK team documents this variable to
 * turn the notice off when upgrading is not yet possible:
 * https://github.com/aws/aws-sdk-js-v3/issues/7983 (read in
 * @aws-sdk/core's emitWarningIfUnsupportedVersion, which checks === "true").
 * package.json's engines still says which Node.js versions we run on.
 */
export function silenceNodeVersionNotice(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export const AWS_OPTIONS = {
  profile: {
    type: 'string',
    placeholder: 'name',
    description: 'Named profile from ~/.aws/config (else AWS_PROFILE, else "default").',
  },
  region: {
    type: 'string',
    placeholder: 'region',
    description: "AWS Region (else AWS_REGION, AWS_DEFAULT_REGION, then the profile's region in ~/.aws/config).",
  },
} as const;

/** Which deployed copy of the app a command talks to. */
export const APP_OPTION = {
  type: 'string',
  placeholder: 'name',
  description:
    'The appName the stacks were deployed under (default: appName from settings.json / cdk.context.json / cdk.json).',
} as const;

export const JSON_OPTION = {
  type: 'boolean',
  description:
    'Print one JSON document on stdout instead of text (progress still goes to stderr). To pipe it, run npm with -s (npm run -s <command> -- --json) so npm prints no banner.',
} as const;

/** The account could not be reached: no region, no or expired credentials. Exit 1, one line. */
export class AwsSetupError extends Error {
  override readonly name = 'AwsSetupError';
}

export interface AwsTarget {
  readonly region: string;
  /** The profile named by --profile or AWS_PROFILE (undefined: the default chain). */
  readonly profile?: string;
  readonly credentials: AwsCredentialIdentityProvider;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function noRegionMessage(profile: string | undefined): string {
  return `No AWS region: pass --region (e.g. --region us-east-1), or set AWS_REGION (or AWS_DEFAULT_REGION), or set region in ~/.aws/config for profile "${profile ?? 'default'}" (aws configure set region us-east-1${profile ? ` --profile ${profile}` : ''}).`;
}

/**
 * The region: --region, AWS_REGION, AWS_DEFAULT_REGION (the AWS CLI's name,
 * which the SDK itself does not read), then the profile's config entry.
 */
export async function resolveRegion(
  flags: { region?: string; profile?: string },
  env: NodeJS.ProcessEnv = process.env,
  fromConfigFile: (profile?: string) => Promise<string> = (profile) =>
    new CloudFormationClient({ profile }).config.region(),
): Promise<string> {
  const profile = flags.profile ?? env.AWS_PROFILE;
  let region = flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    region = await fromConfigFile(profile).catch(() => '');
    if (!region) throw new AwsSetupError(noRegionMessage(profile));
  }
  if (!REGION_PATTERN.test(region)) {
    throw new AwsSetupError(`"${region}" is not an AWS Region code (like us-east-1 or eu-central-1).`);
  }
  return region;
}

function profileText(profile: string | undefined): string {
  return profile ? ` for profile "${profile}"` : '';
}

/**
 * One line for an error that means "you are not signed in", or undefined for
 * any other error. Names: the SDK's CredentialsProviderError and
 * TokenProviderError, and the services' ExpiredToken(Exception).
 */
export function credentialProblem(error: unknown, profile: string | undefined): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const login = `aws sso login${profile ? ` --profile ${profile}` : ''}`;
  const expired =
    /^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired)$/.test(error.name) ||
    ((error.name === 'CredentialsProviderError' || error.name === 'TokenProviderError') &&
      /expired|refresh/i.test(error.message));
  if (expired) {
    return `AWS credentials${profileText(profile)} have expired: sign in again (${login}), or refresh your access keys (aws configure), then run this again.`;
  }
  if (error.name === 'CredentialsProviderError' || error.name === 'TokenProviderError') {
    const reason = /could not load credentials from any providers/i.test(error.message)
      ? 'No AWS credentials found'
      : `AWS credentials${profileText(profile)} could not be loaded (${error.message.split('\n')[0]})`;
    return `${reason}: run aws configure (access keys) or ${login} (IAM Identity Center), or pass --profile / set AWS_PROFILE to a profile that has them.`;
  }
  if (/^(InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException)$/.test(error.name)) {
    return `AWS rejected the credentials${profileText(profile)} (${error.name}): check the access key, or sign in again (${login}).`;
  }
  return undefined;
}

/**
 * Region and credentials for a command, checked before any work starts so
 * that a missing setup is one line, not one failure per call.
 */
export async function resolveAws(
  flags: { region?: string; profile?: string },
  env: NodeJS.ProcessEnv = process.env,
  chain: (init: { profile?: string }) => AwsCredentialIdentityProvider = fromNodeProviderChain,
): Promise<AwsTarget> {
  const region = await resolveRegion(flags, env);
  const profile = flags.profile ?? env.AWS_PROFILE;
  // As in the AWS CLI: --profile wins over everything; without it, keys in
  // the environment win over AWS_PROFILE (the SDK's chain would let AWS_PROFILE
  // win, https://github.com/aws/aws-cli/issues/7174).
  const envKeys = !flags.profile && Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
  const credentials = envKeys ? fromEnv() : chain(flags.profile ? { profile: flags.profile } : {});
  try {
    await credentials();
  } catch (error) {
    throw new AwsSetupError(credentialProblem(error, profile) ?? String(error));
  }
  return { region, profile, credentials };
}
