import {
  type BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import {
  type CustomResourceDependencies,
  type CustomResourceEvent,
  CustomResourceFailure,
  customResource,
  type OnEventResult,
} from '../shared/custom-resource';
import { errorName, isTransientSdkError } from '../shared/sdk-errors';
import {
  type Destinations,
  describeConfig,
  explain,
  ForeignConfigurationError,
  isConfigured,
  isOurs,
  loggingConfig,
  notOursBecause,
  type Operation,
  parseDestinations,
} from './configuration';

/**
 * CloudFormation custom resource for Amazon Bedrock model invocation logging:
 * one setting per account and Region, with no CloudFormation resource type.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html
 *
 * "Ours" means BOTH destinations are the ones we set: our log group, and our
 * bucket under our prefix (configuration.ts, ownership). A configuration
 * that shares only one of them has been changed by someone since, and the
 * other destination is theirs.
 *
 * - Create: read the current configuration. One that is not ours is never
 *   overwritten: that is someone's audit trail, so the create fails and says
 *   to use modelInvocationLogging=existing. None, or ours already: put ours
 *   (a repeated create is harmless).
 * - Update: put ours over ours, where "ours" also covers the previous
 *   properties (a renamed log group is still ours to replace), and over none.
 *   One that is not ours is left as it is, with a warning that says why, and
 *   the update succeeds: failing it would fail the rollback's Update too (it
 *   meets the same configuration), leaving the stack in UPDATE_ROLLBACK_FAILED.
 *   The physical id is echoed: a new one would be a replacement, and the old
 *   resource's Delete would then switch the new configuration off.
 * - Delete: delete the configuration only while it is still ours; otherwise
 *   someone has taken it over since (in whole or in part), and it stays.
 *   Deleting ours turns the account's invocation logging off: that is what
 *   switching modelInvocationLogging from create to existing or off does
 *   (docs/operations.md says so, and the log line says it too).
 *
 * Bedrock checks the destinations when the configuration is put: that it can
 * assume the role and write to the log group, and write to the bucket. The
 * role and its policy are created moments before, and IAM takes a while to
 * apply them everywhere, so access errors are retried for a short while
 * before the create fails with what to check. Throttling and server errors
 * are retried until shortly before the function times out.
 *
 * The function is the onEvent handler of aws-cdk-lib's Provider framework,
 * which answers CloudFormation (lambda/shared/custom-resource.ts).
 */

/** The physical id of a create: there is one configuration per account and Region. */
export const PHYSICAL_ID = 'model-invocation-logging';

/** Longest one Bedrock call may take: the client's connection plus request timeouts (index.ts). */
export const CALL_TIMEOUT_MS = 15_000;

/**
 * How long access errors of a put count as IAM still settling. Longer than
 * the usual few seconds of propagation, short enough that a real mistake in
 * a policy fails the deployment within a couple of minutes.
 */
export const PROPAGATION_WINDOW_MS = 90_000;

/** Errors of the Bedrock control-plane API that a later attempt can get past. */
const TRANSIENT = new Set(['ThrottlingException', 'InternalServerException', 'ServiceUnavailableException']);

export interface HandlerDependencies extends CustomResourceDependencies {
  readonly bedrock: Pick<BedrockClient, 'send'>;
}

/** Throttling, server-side and network errors: worth another attempt for any call. */
export function isServerSideTransient(error: unknown): boolean {
  return isTransientSdkError(error, TRANSIENT);
}

/**
 * An error that IAM propagation may explain while the role and policies are
 * new: AccessDeniedException, and ValidationException, which Bedrock answers
 * when it cannot use a destination (e.g. "Failed to validate permissions for
 * log group: ..., with role: ..."). The SDK model has no code of its own for
 * that, so no wording is relied on: every ValidationException is retried
 * within the propagation window, and a real mistake fails when the window
 * ends, with its message and what to check (explain()).
 */
export function isAccessError(error: unknown): boolean {
  const name = errorName(error);
  return name === 'AccessDeniedException' || name === 'ValidationException';
}

export function createHandler(deps: HandlerDependencies) {
  const { now, retrying, handler } = customResource(deps);
  const { bedrock, logger } = deps;

  async function call<T>(
    operation: Operation,
    deadline: number,
    isTransient: (error: unknown) => boolean,
    send: () => Promise<T>,
    d?: Destinations,
  ): Promise<T> {
    try {
      return await retrying(deadline, isTransient, send, { operation });
    } catch (error) {
      throw new CustomResourceFailure(explain(operation, error, d), { cause: error });
    }
  }

  const current = async (
    deadline: number,
    isTransient: (error: unknown) => boolean,
  ): Promise<LoggingConfig | undefined> => {
    const out = await call('GetModelInvocationLoggingConfiguration', deadline, isTransient, () =>
      bedrock.send(new GetModelInvocationLoggingConfigurationCommand({})),
    );
    return isConfigured(out.loggingConfig) ? out.loggingConfig : undefined;
  };

  async function put(event: CustomResourceEvent, deadline: number): Promise<void> {
    const d = parseDestinations(event.ResourceProperties);
    const previous = event.RequestType === 'Update' ? safeDestinations(event.OldResourceProperties) : undefined;
    // The function's own policy is as new as the logging role: both settle within the window.
    const propagationEnds = now() + PROPAGATION_WINDOW_MS;
    const isTransient = (error: unknown) =>
      isServerSideTransient(error) || (isAccessError(error) && now() < propagationEnds);
    const existing = await current(deadline, isTransient);
    if (existing && !isOurs(existing, d) && !(previous && isOurs(existing, previous))) {
      if (event.RequestType !== 'Update') throw new ForeignConfigurationError(existing, d);
      logger.warn('Model invocation logging is not ours: left as it is, and this app logs nothing of its own', {
        reason: notOursBecause(existing, d),
        fix: 'use modelInvocationLogging=existing if that configuration is meant to stay, or restore ours (docs/runbook.md#invocation-log-delivery-failures)',
      });
      return;
    }
    await call(
      'PutModelInvocationLoggingConfiguration',
      deadline,
      isTransient,
      () => bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: loggingConfig(d) })),
      d,
    );
    logger.info(existing ? 'Model invocation logging updated' : 'Model invocation logging configured', {
      logGroupName: d.logGroupName,
      bucketName: d.bucketName,
      keyPrefix: d.keyPrefix,
    });
  }

  async function remove(event: CustomResourceEvent, deadline: number): Promise<void> {
    const d = safeDestinations(event.ResourceProperties);
    // Without properties (never the case for a resource this construct made) nothing can be ours.
    if (!d) return;
    // The role has been in place since the create: only throttling and server errors are retried.
    const existing = await current(deadline, isServerSideTransient);
    if (!existing || !isOurs(existing, d)) {
      logger.info('Model invocation logging is not ours (or off): left as it is', {
        current: existing ? describeConfig(existing) : 'none',
        ...(existing ? { reason: notOursBecause(existing, d) } : {}),
      });
      return;
    }
    await call('DeleteModelInvocationLoggingConfiguration', deadline, isServerSideTransient, () =>
      bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({})),
    );
    logger.warn('Model invocation logging deleted: it is now off in this account and Region', {
      was: describeConfig(existing),
    });
  }

  return handler(CALL_TIMEOUT_MS, async (event: CustomResourceEvent, type, deadline): Promise<OnEventResult> => {
    if (type === 'Delete') {
      await remove(event, deadline);
      // The framework answers with the event's own id.
      return {};
    }
    await put(event, deadline);
    // An update keeps the id it has: a new one would make CloudFormation
    // delete the "old" configuration, which is this very one.
    return { PhysicalResourceId: type === 'Update' ? (event.PhysicalResourceId ?? PHYSICAL_ID) : PHYSICAL_ID };
  });
}

/** Destinations of properties that may be incomplete (a Delete after a failed create): undefined then. */
function safeDestinations(properties: Record<string, unknown> | undefined): Destinations | undefined {
  try {
    return parseDestinations(properties);
  } catch {
    return undefined;
  }
}
