/** Name, HTTP status and the start of the message: AWS error messages describe the request, not the data. */
export function describeError(error: unknown): Record<string, unknown> {
  const name = (error as { name?: unknown } | null)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return {
    errorName: typeof name === 'string' ? name : 'Error',
    httpStatusCode: status,
    errorMessage: error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300),
  };
}
