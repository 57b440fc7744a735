import type { Duration, Stack } from 'aws-cdk-lib';
import type { ServiceDelivery } from '../data-protection/data-protection-stack';
import type { ServiceKeyUse } from '../data-protection/project-key';
import { arnInAccount } from '../shared/names';

/**
 * What Bedrock needs of the data-protection stack to deliver model-invocation
 * logs to the data bucket: write its objects under the prefix (Bedrock adds
 * AWSLogs/<account>/BedrockModelInvocationLogs/), and encrypt them with the
 * project key. AWS documents both with aws:SourceAccount and aws:SourceArn
 * of this account's Bedrock resources.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html
 */
export function invocationLogDelivery(prefix: string, expiresAfter: Duration): ServiceDelivery {
  return {
    sid: 'BedrockDeliversInvocationLogs',
    service: 'bedrock.amazonaws.com',
    prefix,
    keysUnderPrefix: (account) => `AWSLogs/${account}/BedrockModelInvocationLogs/*`,
    sourceArn: (stack) => arnInAccount(stack, 'bedrock', '*'),
    expiresAfter,
  };
}

export function invocationLogKeyUse(scope: Stack): ServiceKeyUse {
  return {
    sid: 'BedrockEncryptsInvocationLogs',
    service: 'bedrock.amazonaws.com',
    actions: ['kms:GenerateDataKey'],
    sourceArn: arnInAccount(scope, 'bedrock', '*'),
  };
}
