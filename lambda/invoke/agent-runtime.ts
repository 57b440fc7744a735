/**
 * The Bedrock Agent Runtime client and the one command the function sends,
 * loaded by the first retrieval request (lazy.ts).
 *
 * A dynamic import() of the SDK package itself would keep all of it in the
 * bundle: esbuild cannot tree-shake a module namespace loaded that way (every
 * command, paginator and schema stays). These named re-exports, loaded lazily
 * as one small module, let it drop the rest, which keeps the bundle, and so
 * every cold start, smaller.
 */
export { BedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
