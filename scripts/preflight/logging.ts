/**
 * Bedrock model-invocation logging: one configuration per account and region.
 * The operations stack turns it on ("create") but never replaces a
 * configuration someone else made, so that one must be "existing".
 */
import { GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { stackNames } from '../../lib/shared/names';
import { type AccountClients, type AccountSettings, attachOrCreate, cannotInspect, type Part } from './account';

export async function inspectInvocationLogging(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
  let logGroup: string | undefined;
  let configured: boolean;
  try {
    const { loggingConfig } = await clients.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    // As the custom resource decides it (lambda/invocation-logging): a
    // configuration that names a destination.
    configured = Boolean(loggingConfig?.cloudWatchConfig?.logGroupName || loggingConfig?.s3Config?.bucketName);
    logGroup = loggingConfig?.cloudWatchConfig?.logGroupName;
  } catch (error) {
    return cannotInspect(
      'Bedrock model-invocation logging',
      'modelInvocationLogging',
      error,
      region,
      'bedrock:GetModelInvocationLoggingConfiguration',
    );
  }
  // CloudFormation names the operations stack's log group after the stack.
  if (logGroup?.startsWith(`${stackNames(settings.appName).operations}-`)) {
    return {
      checks: [
        {
          ok: true,
          what: `Bedrock model-invocation logging is this app's own (log group ${logGroup}); modelInvocationLogging "${settings.modelInvocationLogging}" fits`,
        },
      ],
    };
  }
  return attachOrCreate(
    'modelInvocationLogging',
    settings.modelInvocationLogging,
    configured,
    'Bedrock model-invocation logging configuration',
  );
}
