/**
 * The error a function answers with when its environment lacks a setting the
 * stack sets: every required name, and which are missing. Undefined when none is.
 */
export function missingEnvironment(env: NodeJS.ProcessEnv, required: readonly string[]): Error | undefined {
  const missing = required.filter((name) => !env[name]);
  return missing.length > 0
    ? new Error(`missing environment: ${required.join(', ')} are all required (missing ${missing.join(', ')})`)
    : undefined;
}
