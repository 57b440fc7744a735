/**
 * The project's own record identifiers (`GGA-2026-7QX4PZ`): the guardrail
 * blocks them in answers and Macie reports them in stored data.
 */
export const INTERNAL_ID_PATTERN = '\\bGGA-[0-9]{4}-[A-Z0-9]{6}\\b';

/**
 * Identifiers that look like ours but are the documented examples (`GGA-0000-…`)
 * used in the docs, the tests and sample prompts: not sensitive.
 */
export const EXAMPLE_ID_PATTERN = 'GGA-0000-[A-Z0-9]{6}';
