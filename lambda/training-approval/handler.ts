import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import {
  type ApprovalCheck,
  type ApprovalResponse,
  approvedKey,
  intakeKey,
  manifestKey,
  type TrainingManifest,
} from '../../lib/shared/customization-contract';
import { recordTexts, trainingDataProblems } from '../../lib/shared/training-data';
import { describeError, type Logger } from '../promote/errors';
import { alreadyApproved, findManifest, type StoredManifest, writeApproval } from './approve';
import { ApprovalFailure, toFailure } from './errors';
import { decodeUtf8, type Intake, malwareCheck, readVersion, requirePresent } from './intake';
import { type ParsedRequest, parseApprovalRequest } from './request';
import { screenRecords } from './screen';
import type { ApprovalSettings } from './settings';

/**
 * The training-data approval function, behind a function URL with IAM auth:
 * `npm run customize -- prepare` asks it to approve one uploaded version of
 * a batch's training file. It checks everything itself, trusting nothing the
 * command did: the malware scan's tag on that version, the size, the format
 * for the configured base model (lib/shared/training-data.ts), and every
 * record's text with the guardrail's sensitive-information policy; then it
 * copies the version to training/approved/ and writes the manifest a
 * customization job relies on. Every outcome is a JSON answer
 * (ApprovalResponse): 200 approved, 400/403/405 a bad request, 404 no such
 * upload, 409 not yet (scan running) or never (batch approved with other
 * data), 422 refused, 503 try again later, 500 a fault. It never throws.
 */

export interface HandlerDependencies {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bedrock: Pick<BedrockRuntimeClient, 'send'>;
  readonly settings: ApprovalSettings | Error;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Time kept back from the invocation's end for the two writes and the
 * answer: the screen stops starting guardrail requests after that, and the
 * caller is told to try again (503), instead of Lambda ending the run
 * without an answer.
 */
export const RESERVE_MS = 20_000;

export type ApprovalHandler = (
  event: LambdaFunctionURLEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

function respond(
  status: number,
  body: ApprovalResponse,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function createHandler(deps: HandlerDependencies): ApprovalHandler {
  const { s3, bedrock, logger } = deps;
  const now = deps.now ?? Date.now;

  /**
   * The batch already has a manifest: the same upload, or the same bytes
   * uploaded again, gets that manifest back (asking twice approves once);
   * anything else is refused, since the approved file is never replaced.
   */
  async function approvedBefore(stored: StoredManifest, intake: Intake, batch: string): Promise<StoredManifest> {
    if (stored.manifest.file.sourceVersionId === intake.versionId) return stored;
    await requirePresent(s3, intake);
    const read = await readVersion(s3, intake);
    if (read.sha256 === stored.manifest.file.sha256) return stored;
    throw alreadyApproved(batch, stored.manifest);
  }

  async function approve(
    settings: ApprovalSettings,
    request: ParsedRequest,
    outOfTime: () => boolean,
    log: Record<string, unknown>,
  ): Promise<{ stored: StoredManifest; again: boolean }> {
    const { batch, versionId } = request;
    const intake: Intake = { bucket: settings.dataBucket, key: intakeKey(batch), versionId };
    const before = await findManifest(s3, settings.dataBucket, batch);
    if (before) return { stored: await approvedBefore(before, intake, batch), again: true };

    await requirePresent(s3, intake);
    const scan = await malwareCheck(s3, intake);
    const read = await readVersion(s3, intake, [scan]);
    const text = decodeUtf8(read.bytes, [scan]);
    const report = trainingDataProblems(text, settings.baseModel);
    const format: ApprovalCheck =
      report.problems.length === 0
        ? {
            name: 'format',
            passed: true,
            detail: `${report.records} records, ${report.characters} characters of text, ${report.bytes} bytes, in the Nova conversation format for ${settings.baseModel}`,
          }
        : { name: 'format', passed: false, detail: report.problems.join('; ') };
    if (!format.passed) {
      throw new ApprovalFailure(
        422,
        `Refused: the training file is not in the format Bedrock fine-tunes ${settings.baseModel} on; the format check lists what to fix.`,
        [scan, format],
      );
    }
    const guardrail = { guardrailArn: settings.guardrailArn, guardrailVersion: settings.guardrailVersion, outOfTime };
    const screened = await screenRecords(bedrock, guardrail, recordTexts(text), logger, log);
    if (!screened.check.passed) {
      throw new ApprovalFailure(
        422,
        'Refused: records hold sensitive information the guardrail detects; a model trained on it learns to repeat it. Remove it and upload again.',
        [scan, format, screened.check],
      );
    }
    const manifest: TrainingManifest = {
      schema: 'training-manifest/1',
      batch,
      baseModel: settings.baseModel,
      file: {
        key: approvedKey(batch),
        sha256: read.sha256,
        bytes: read.bytes.length,
        records: report.records,
        characters: report.characters,
        sourceKey: intake.key,
        sourceVersionId: versionId,
      },
      checks: [scan, format, screened.check],
      requestedBy: request.requestedBy,
      approvedAt: new Date(now()).toISOString(),
      guardrail: { arn: settings.guardrailArn, version: settings.guardrailVersion },
    };
    return { stored: await writeApproval(s3, settings, intake, manifest), again: false };
  }

  return async (event, context) => {
    const started = now();
    const deadline = context ? started + context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY;
    const outOfTime = () => now() >= deadline - RESERVE_MS;
    const log: Record<string, unknown> = { requestId: context?.awsRequestId };
    try {
      const settings = deps.settings;
      if (settings instanceof Error) {
        logger.error('The approval function is misconfigured', { ...log, error: settings.message });
        throw new ApprovalFailure(
          500,
          'The approval function is misconfigured; nothing was approved. Operator: see the function log.',
        );
      }
      const request = parseApprovalRequest(event);
      Object.assign(log, { batch: request.batch, versionId: request.versionId });
      logger.info('Approval requested', { ...log, requestedBy: request.requestedBy });
      const { stored, again } = await approve(settings, request, outOfTime, log);
      logger.info(again ? 'Batch already approved' : 'Batch approved', {
        ...log,
        status: 200,
        manifestSha256: stored.sha256,
        sha256: stored.manifest.file.sha256,
        records: stored.manifest.file.records,
        latencyMs: now() - started,
      });
      return respond(200, {
        approved: true,
        manifestKey: manifestKey(stored.manifest.batch),
        manifestSha256: stored.sha256,
        manifest: stored.manifest,
      });
    } catch (error) {
      const failure = toFailure(error);
      const fields = { ...log, status: failure.status, latencyMs: now() - started };
      if (error instanceof ApprovalFailure) {
        logger.info('Approval refused', { ...fields, error: failure.message, failed: failedChecks(failure) });
      } else if (failure.status >= 500 && failure.status !== 503) {
        logger.error('Approval failed', { ...fields, ...describeError(error) });
      } else {
        logger.warn('Approval deferred', { ...fields, ...describeError(error) });
      }
      const body: ApprovalResponse = {
        approved: false,
        error: failure.message,
        ...(failure.checks ? { checks: failure.checks } : {}),
      };
      return respond(failure.status, body, failure.headers);
    }
  };
}

/** The names of the checks that failed (their details can be long; the answer carries them). */
function failedChecks(failure: ApprovalFailure): string[] | undefined {
  return failure.checks?.filter((check) => !check.passed).map((check) => check.name);
}
