/**
 * The check that settles assumption otel-udp-spans in a real account: with
 * inCodeSpans on, the X-Ray trace of a request this run made holds the span
 * of its Bedrock call, under the function's segment.
 */
import {
  BatchGetTracesCommand,
  GetTraceSegmentDestinationCommand,
  GetTraceSummariesCommand,
} from '@aws-sdk/client-xray';
import { type CheckDefinition, fail, isOutcome, pass, poll, skip, stack, type VerifyContext, wait } from './context';

/** A segment or subsegment document, as BatchGetTraces returns them (the fields read here). */
interface SegmentDocument {
  readonly name?: string;
  readonly aws?: { readonly request_id?: string; readonly operation?: string };
  readonly subsegments?: readonly SegmentDocument[];
}

/** BatchGetTraces takes "Maximum number of 5 items" (API reference). */
const TRACES_PER_BATCH = 5;
/** Enough for a sandbox's traffic in the run's window; more pages are not read. */
const MOST_TRACES = 50;

const everyDocument = (documents: readonly SegmentDocument[]): SegmentDocument[] =>
  documents.flatMap((d) => [d, ...everyDocument(d.subsegments ?? [])]);

/**
 * The span of a Bedrock Runtime call, as X-Ray shows it: the span's own name
 * (`BedrockRuntime.ConverseStream`), or the AWS service with the operation
 * beside it, which is how X-Ray names AWS calls. AWS does not say which of the
 * two a span sent through the daemon becomes, so both count.
 */
function bedrockCall(documents: readonly SegmentDocument[]): string | undefined {
  const call = everyDocument(documents).find(
    (d) => d.name?.startsWith('BedrockRuntime.') || (d.name === 'BedrockRuntime' && d.aws?.operation),
  );
  return call && (call.aws?.operation ? `${call.name} ${call.aws.operation}` : call.name);
}

type Found = { readonly traceId: string; readonly call?: string };

/**
 * The traces of the function since `from` that hold one of `requestIds`
 * (Lambda's own segment carries the invocation's request id, which the
 * function returned), with the Bedrock call each shows, if any.
 */
async function tracesOfRun(
  context: VerifyContext,
  functionName: string,
  from: number,
  requestIds: ReadonlySet<string>,
): Promise<Found[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await context.clients.xray.send(
      new GetTraceSummariesCommand({
        StartTime: new Date(from),
        EndTime: new Date(context.now()),
        FilterExpression: `service(id(name: "${functionName}", type: "AWS::Lambda::Function"))`,
        NextToken,
      }),
    );
    ids.push(...(page.TraceSummaries ?? []).flatMap((s) => (s.Id ? [s.Id] : [])));
    NextToken = page.NextToken;
  } while (NextToken && ids.length < MOST_TRACES);
  const found: Found[] = [];
  for (let i = 0; i < Math.min(ids.length, MOST_TRACES); i += TRACES_PER_BATCH) {
    const { Traces } = await context.clients.xray.send(
      new BatchGetTracesCommand({ TraceIds: ids.slice(i, i + TRACES_PER_BATCH) }),
    );
    for (const trace of Traces ?? []) {
      const documents = (trace.Segments ?? []).map((s) => JSON.parse(s.Document ?? '{}') as SegmentDocument);
      if (everyDocument(documents).some((d) => requestIds.has(d.aws?.request_id ?? ''))) {
        found.push({ traceId: trace.Id ?? '?', call: bedrockCall(documents) });
      }
    }
  }
  return found;
}

export const TRACE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'in-code-spans',
    slow: true,
    async run(context, state) {
      const invoke = stack(context, 'GuardedInvoke');
      if (isOutcome(invoke)) return invoke;
      if (invoke.InCodeSpans !== 'true') return skip("inCodeSpans is off (Lambda's active tracing only)");
      if (!invoke.FunctionName) return fail('no FunctionName output', 'Redeploy the GuardedInvoke stack.');
      if (state.requests.length === 0) return skip('no request was made (run it with benign)');
      // "You cannot find traces through this API if Transaction Search is
      // enabled since trace is not indexed in X-Ray" (BatchGetTraces reference).
      const destination = await context.clients.xray.send(new GetTraceSegmentDestinationCommand({}));
      if (destination.Destination === 'CloudWatchLogs') {
        return skip(
          'Transaction Search is on, so traces are in the aws/spans log group, which this check does not read: look for BedrockRuntime spans in CloudWatch Transaction Search',
        );
      }
      const requestIds = new Set(state.requests.map((r) => r.requestId));
      const from = Math.min(...state.requests.map((r) => r.sentAt)) - 60_000;
      const deadline = context.now() + context.timeoutMs;
      let last: Found[] = [];
      // X-Ray makes a trace searchable some seconds after it ends, and a span
      // sent through the daemon may arrive after the invocation's segments.
      const withCall = await poll(context, 'a trace of this run with its Bedrock span', deadline, 10_000, async () => {
        last = await tracesOfRun(context, invoke.FunctionName, from, requestIds);
        return last.find((t) => t.call);
      });
      if (withCall) return pass(`trace ${withCall.traceId}: ${withCall.call} under the function's segment`);
      if (last.length === 0) {
        return wait(
          "no trace of this run's requests (a request is traced only when Lambda samples it): run `npm run verify -- --only benign,in-code-spans` again",
        );
      }
      return fail(
        `${last.length} trace(s) of this run (${last.map((t) => t.traceId).join(', ')}) have the invocation but no span of its Bedrock call`,
        'Assumption otel-udp-spans does not hold here (docs/assumptions.md): turn inCodeSpans off, and tell the project what the trace shows (aws xray batch-get-traces).',
      );
    },
  },
];
