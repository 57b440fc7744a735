import { createHash } from 'node:crypto';
import { PLAN_TOOLS, type ToolName, type ToolParameter } from '../../lib/shared/agent-contract';
import type { EventParameter } from './event';

/**
 * The parameters of a call checked against the tool's declaration
 * (lib/shared/agent-contract.ts): Bedrock's function schema has types but no
 * allowed values or bounds, so the executor is where those hold. Every value
 * arrives as a string.
 */

export type ParameterValues = Readonly<Record<string, string | boolean>>;

export type ParameterCheck =
  | { readonly ok: true; readonly values: ParameterValues }
  /** A parameter the tool does not declare: a customer, an account, anything smuggled in. */
  | { readonly ok: false; readonly kind: 'undeclared'; readonly message: string }
  /** A declared parameter the model got wrong: said so, so that it can correct its call. */
  | { readonly ok: false; readonly kind: 'invalid'; readonly message: string };

/**
 * Characters a note may not hold: control and format characters (invisible
 * text and direction overrides hide words from the person who reads the
 * note), line and paragraph separators, and lone surrogates.
 */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

function declaredOf(tool: ToolName): Readonly<Record<string, ToolParameter>> {
  return PLAN_TOOLS[tool].parameters;
}

/** What a parameter accepts, in words, for a message that lets the model correct its call. */
export function allowed(name: string, declared: ToolParameter): string {
  if (declared.type === 'boolean') return `${name} must be "true" or "false"`;
  if ('oneOf' in declared) return `${name} must be one of: ${declared.oneOf.join(', ')}`;
  return `${name} must be text of at most ${declared.maxLength} characters on one line, without control characters`;
}

function takes(tool: ToolName): string {
  const names = Object.keys(declaredOf(tool));
  return names.length === 0 ? `${tool} takes no parameters` : `${tool} takes only: ${names.join(', ')}`;
}

/** One value checked against its declaration: the value as the tool uses it, or undefined. */
function valueOf(declared: ToolParameter, parameter: EventParameter): string | boolean | undefined {
  if (parameter.type !== declared.type) return undefined;
  if (declared.type === 'boolean') {
    return parameter.value === 'true' ? true : parameter.value === 'false' ? false : undefined;
  }
  if ('oneOf' in declared) return declared.oneOf.includes(parameter.value) ? parameter.value : undefined;
  const fits = Array.from(parameter.value).length <= declared.maxLength && !FORBIDDEN_IN_TEXT.test(parameter.value);
  return fits ? parameter.value : undefined;
}

/**
 * The call's parameters as the tool uses them, or why not. Every declared
 * parameter is required; a bad value is described by what is allowed, never
 * quoted back.
 */
export function checkParameters(tool: ToolName, parameters: readonly EventParameter[]): ParameterCheck {
  const declared = declaredOf(tool);
  if (parameters.some((p) => !Object.hasOwn(declared, p.name))) {
    return {
      ok: false,
      kind: 'undeclared',
      message: `The tools act only on the signed-in customer's own plan: no tool takes a customer, an account or any other extra parameter. ${takes(tool)}.`,
    };
  }
  const values: Record<string, string | boolean> = {};
  for (const [name, declaration] of Object.entries(declared)) {
    const given = parameters.filter((p) => p.name === name);
    if (given.length === 0) return invalid(`${name} is required: ${allowed(name, declaration)}.`);
    if (given.length > 1) return invalid(`${name} was given more than once: give it once.`);
    const value = valueOf(declaration, given[0]);
    if (value === undefined) return invalid(`${allowed(name, declaration)}.`);
    values[name] = value;
  }
  return { ok: true, values };
}

function invalid(message: string): ParameterCheck {
  return { ok: false, kind: 'invalid', message };
}

/** A note as the audit keeps it: never the words, only enough to tell two notes apart. */
export interface TextDigest {
  readonly length: number;
  readonly sha256: string;
}

/** The checked parameters as the audit record holds them: free text replaced by its length and digest. */
export function auditedParameters(
  tool: ToolName,
  values: ParameterValues,
): Readonly<Record<string, string | boolean | TextDigest>> {
  const declared = declaredOf(tool);
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      const declaration = declared[name];
      const freeText = declaration.type === 'string' && 'maxLength' in declaration && typeof value === 'string';
      return [
        name,
        freeText
          ? { length: Array.from(value).length, sha256: createHash('sha256').update(value).digest('hex') }
          : value,
      ];
    }),
  );
}
