/**
 * Ask the approval function (Customization stack, IAM-authenticated function
 * URL) to approve an uploaded batch, and say what it answered. The function
 * re-checks everything itself; what this side checked before is a courtesy
 * that saves an upload, not a gate.
 */
import type {
  ApprovalCheck,
  ApprovalRequest,
  ApprovalResponse,
  TrainingManifest,
} from '../../lib/shared/customization-contract';
import { regionOf, signedRequest } from '../ask';
import { type Io, json } from '../cli/output';
import type { Run } from './context';

/** The function answers 409 while the malware scan of that version has not finished: ask again after this long. */
export const APPROVAL_RETRY_MS = 5_000;

export interface ApprovalAnswer {
  readonly status: number;
  /** The function's JSON answer, or undefined when the body was not one (a 403 from the URL's IAM check, say). */
  readonly body?: ApprovalResponse;
  /** The raw body when it was not an ApprovalResponse. */
  readonly text?: string;
}

function parse(text: string): ApprovalResponse | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' &&
      value !== null &&
      typeof (value as { approved?: unknown }).approved === 'boolean'
      ? (value as ApprovalResponse)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POST {batch, versionId}, signed with the caller's credentials (SigV4 for
 * the `lambda` service, as the URL's AWS_IAM auth requires), again on 409
 * until `deadline` (epoch ms).
 */
export async function requestApproval(
  run: Pick<Run, 'deps' | 'io' | 'target'>,
  url: string,
  request: ApprovalRequest,
  deadline: number,
): Promise<ApprovalAnswer> {
  const body = JSON.stringify(request);
  for (;;) {
    // Signed again on each try: a signature carries its time.
    const { init } = await signedRequest(url, regionOf(url), body, run.target.credentials);
    const response = await run.deps.fetch(url, init);
    const text = await response.text();
    const parsed = parse(text);
    const answer: ApprovalAnswer = { status: response.status, ...(parsed ? { body: parsed } : { text }) };
    const left = deadline - run.deps.now();
    if (response.status !== 409 || left <= 0) return answer;
    run.io.progress(
      `the approval function has not seen the scan result yet (409); asking again in ${APPROVAL_RETRY_MS / 1000} s (${Math.round(left / 1000)} s left)`,
    );
    await run.deps.sleep(Math.min(APPROVAL_RETRY_MS, left));
  }
}

function checkLine(io: Io, check: ApprovalCheck): string {
  const mark = check.passed ? io.colour.ok('passed') : io.colour.bad('FAILED');
  return `  ${check.name}: ${mark}: ${check.detail}`;
}

export interface VerdictContext {
  readonly batch: string;
  readonly bucket: string;
  readonly timeoutSeconds: number;
  readonly approvalFunctionName?: string;
  readonly operatorPolicyArn?: string;
  readonly customizationStack: string;
}

/** Print the verdict (text, or the ApprovalResponse with --json); the exit code: 0 approved, 1 anything else. */
export function printVerdict(io: Io, answer: ApprovalAnswer, context: VerdictContext, asJson: boolean): number {
  const { body, status } = answer;
  if (asJson) {
    json(
      io,
      body ?? { approved: false, error: `the approval function answered ${status}: ${(answer.text ?? '').trim()}` },
    );
  }
  if (status === 200 && body?.approved) {
    if (!asJson) approvedText(io, body.manifest, body.manifestKey, body.manifestSha256, context);
    return 0;
  }
  if (asJson) return 1;
  if (status === 403 && !body) {
    io.err(
      `The approval function's URL refused your credentials (403): calling it needs lambda:InvokeFunctionUrl on ${context.approvalFunctionName ?? `the ApprovalFunctionName output of ${context.customizationStack}`}; attach ${context.operatorPolicyArn ?? `the managed policy in the OperatorPolicyArn output of ${context.customizationStack}`} to your role or user.`,
    );
    return 1;
  }
  if (status === 409) {
    io.err(
      `The malware scan of batch ${context.batch} had not finished for the approval function within ${context.timeoutSeconds} s (409). Run prepare again with a longer --timeout.`,
    );
    return 1;
  }
  const error = body && !body.approved ? body.error : (answer.text ?? '').trim() || 'no answer';
  io.err(io.colour.bad(`The approval function refused batch ${context.batch} (${status}): ${error}`));
  const checks = body && !body.approved ? (body.checks ?? []) : [];
  for (const check of checks.filter((c) => !c.passed)) io.err(checkLine(io, check));
  for (const check of checks.filter((c) => c.passed)) io.err(io.colour.dim(checkLine(io, check)));
  if (status === 422) io.err('Nothing was approved: fix the data (or remove the records named) and run prepare again.');
  else if (status >= 500) io.err('The function failed; its log (ApprovalFunctionName output) says why. Try again.');
  return 1;
}

function approvedText(io: Io, manifest: TrainingManifest, key: string, sha256: string, context: VerdictContext): void {
  io.out(
    `Approved batch ${manifest.batch}: ${manifest.file.records} records, ${manifest.file.characters.toLocaleString('en-US')} characters, for ${manifest.baseModel}.`,
  );
  for (const check of manifest.checks) io.out(checkLine(io, check));
  io.out(`  manifest s3://${context.bucket}/${key}`);
  io.out(`  sha256   ${sha256}`);
  io.out(`Next: npm run customize -- start --batch ${manifest.batch}`);
}
