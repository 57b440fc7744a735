import { z } from 'zod';
import { parametersDigest, SESSION_CONFIRMATION } from '../../lib/shared/agent-contract';
import type { Attributes, EventParameter } from './event';

/**
 * The executor's own check that a write was confirmed. Bedrock's Lambda event
 * says nothing about confirmation, so the trusted caller puts what the person
 * confirmed into the session (SESSION_CONFIRMATION) and the executor compares
 * it with the call it is given: the same function, the same parameters.
 */

/** Longest confirmation read: three short fields as JSON. */
export const MAX_CONFIRMATION_CHARS = 1_024;

const CONFIRMED_CALL = z.object({
  // Bedrock's returnControl invocation id (a UUID); bounded, as it is stored.
  invocationId: z.string().regex(/^[0-9a-zA-Z._:-]{1,100}$/),
  function: z.string().max(100),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});

export type ConfirmationCheck =
  | { readonly state: 'confirmed'; readonly invocationId: string }
  | { readonly state: 'missing' }
  /** Unreadable, or a confirmation of another call. */
  | { readonly state: 'mismatch' };

export function checkConfirmation(
  sessionAttributes: Attributes,
  fn: string,
  parameters: readonly EventParameter[],
): ConfirmationCheck {
  const text = sessionAttributes[SESSION_CONFIRMATION];
  if (text === undefined || text === '') return { state: 'missing' };
  if (text.length > MAX_CONFIRMATION_CHARS) return { state: 'mismatch' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'mismatch' };
  }
  const confirmed = CONFIRMED_CALL.safeParse(json);
  if (!confirmed.success) return { state: 'mismatch' };
  const { invocationId, function: confirmedFunction, digest } = confirmed.data;
  if (confirmedFunction !== fn || digest !== parametersDigest(fn, parameters)) return { state: 'mismatch' };
  return { state: 'confirmed', invocationId };
}

/** The session without its confirmation: returned once the confirmation is spent. */
export function withoutConfirmation(attributes: Attributes | undefined): Attributes | undefined {
  if (!attributes) return undefined;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => name !== SESSION_CONFIRMATION));
}
