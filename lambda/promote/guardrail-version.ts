import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { guardrailVersionFrom } from './settings';

/**
 * How long a warm execution environment keeps the version it read. The
 * guarded-invoke stack publishes a new version whenever the guardrail policy
 * changes and writes its number to the parameter; a warm function picks it up
 * within this time. A record checked in between uses the previous version,
 * which stays usable until CloudFormation deletes it at the end of that
 * deployment; after that, the call fails and the record is retried.
 */
export const VERSION_CACHE_MS = 5 * 60 * 1000;

/**
 * The guardrail version to check text with, read from the SSM parameter named
 * in the settings and kept for at most VERSION_CACHE_MS (timed from the start
 * of the read). A failed read or a value that is not a version number throws,
 * and is not kept.
 */
export function guardrailVersionReader(
  ssm: Pick<SSMClient, 'send'>,
  now: () => number,
): (parameterName: string) => Promise<string> {
  let cached: { readonly name: string; readonly version: string; readonly readAt: number } | undefined;
  return async (parameterName) => {
    const started = now();
    if (cached?.name === parameterName && started - cached.readAt < VERSION_CACHE_MS) return cached.version;
    // A String parameter (not SecureString): its value is not encrypted, so no
    // WithDecryption and no KMS permission.
    const response = await ssm.send(new GetParameterCommand({ Name: parameterName }));
    const version = guardrailVersionFrom(parameterName, response.Parameter?.Value);
    if (version instanceof Error) throw version;
    cached = { name: parameterName, version, readAt: started };
    return version;
  };
}
