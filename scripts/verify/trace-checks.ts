/**
 * The check that settles assumption otel-udp-spans in a real account: with
 * inCodeSpans on, the X-Ray trace of a request this run made holds the span
 * of its Bedrock call, under the function's segment.
 */
import { BatchGetTracesCommand, GetTraceSummariesCommand } from '@aws-sdk/client-xray';
import { type CheckDefinition, fail, isOutcome, pass, poll, QUICK_TIMEOUT_MS, skip, stack, wait } from './context';

/** A segment or subsegment document, as BatchGetTraces returns them (the fields read here). */
interface SegmentDocument {
  readonly name?: string;
  readonly origin?: string;
  readonly aws?: { readonly request_id?: string; readonly operation?: string };
  readonly subsegments?: readonly SegmentDocument[];
}

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

export const TRACE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'in-code-spans',
    async run(context, state) {
      const invoke = stack(context, 'GuardedInvoke');
      if (isOutcome(invoke)) return invoke;
      if (invoke.InCodeSpans !== 'true') return skip("inCodeSpans is off (Lambda's active tracing only)");
      if (!invoke.FunctionName) return fail('no FunctionName output', 'Redeploy the GuardedInvoke stack.');
      if (state.requests.length === 0) return skip('no request was made (run it with benign)');
      const requestIds = new Set(state.requests.map((r) => r.requestId));
      const from = Math.min(...state.requests.map((r) => r.sentAt)) - 60_000;
      const deadline = context.now() + Math.min(context.timeoutMs, QUICK_TIMEOUT_MS - 10_000);
      // X-Ray makes a trace searchable some seconds after it ends.
      const found = await poll(context, 'the trace of a request of this run', deadline, 10_000, async () => {
        const { TraceSummaries } = await context.clients.xray.send(
          new GetTraceSummariesCommand({
            StartTime: new Date(from),
            EndTime: new Date(context.now()),
            FilterExpression: `service(id(name: "${invoke.FunctionName}", type: "AWS::Lambda::Function"))`,
          }),
        );
        const ids = (TraceSummaries ?? []).flatMap((s) => (s.Id ? [s.Id] : [])).slice(0, 5);
        if (ids.length === 0) return undefined;
        const { Traces } = await context.clients.xray.send(new BatchGetTracesCommand({ TraceIds: ids }));
        for (const trace of Traces ?? []) {
          const documents = (trace.Segments ?? []).map((s) => JSON.parse(s.Document ?? '{}') as SegmentDocument);
          // Lambda's own segments carry the invocation's request id, which the function returned.
          if (everyDocument(documents).some((d) => requestIds.has(d.aws?.request_id ?? ''))) {
            return { traceId: trace.Id ?? '?', call: bedrockCall(documents) };
          }
        }
        return undefined;
      });
      if (!found) {
        return wait(
          "no trace of this run's requests yet (a request is traced only when Lambda samples it): run `npm run verify -- --only benign,in-code-spans` again in a minute",
        );
      }
      if (found.call) return pass(`trace ${found.traceId}: ${found.call} under the function's segment`);
      return fail(
        `trace ${found.traceId} has the invocation but no span of its Bedrock call`,
        'Assumption otel-udp-spans does not hold here (docs/assumptions.md): turn inCodeSpans off, or check whether X-Ray needs Transaction Search for spans (aws xray get-trace-segment-destination).',
      );
    },
  },
];
