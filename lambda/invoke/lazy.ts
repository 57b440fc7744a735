/**
 * Modules the function loads on first use, not at cold start: the S3 client
 * (audit records, written after the answer is sent), the Bedrock Agent
 * Runtime client (only requests that ask for retrieval) and the OpenTelemetry
 * SDK (only with in-code spans on).
 *
 * require() rather than import(): a relative import() must name a .js file
 * under NodeNext resolution, which Jest cannot map back to the TypeScript
 * source, while esbuild turns this require() of a bundled module into a lazy
 * initialiser and still tree-shakes what the module re-exports.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const loadS3 = (): typeof import('./s3') => require('./s3');
export const loadAgentRuntime = (): typeof import('./agent-runtime') => require('./agent-runtime');
export const loadTracing = (): typeof import('./tracing') => require('./tracing');
