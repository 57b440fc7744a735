import { type Attributes, type CallNames, MAX_PARAMETER_BYTES } from './event';

/**
 * The response Bedrock Agents expects from a function-details action group.
 * No responseState means success; REPROMPT hands the body back to the model
 * so that it can correct its call; FAILURE ends the turn with a dependency
 * failure. https://docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html
 */
export interface AgentResponse {
  readonly messageVersion: '1.0';
  readonly response: {
    readonly actionGroup: string;
    readonly function: string;
    readonly functionResponse: {
      readonly responseState?: 'FAILURE' | 'REPROMPT';
      readonly responseBody: { readonly TEXT: { readonly body: string } };
    };
  };
  readonly sessionAttributes?: Attributes;
  readonly promptSessionAttributes?: Attributes;
}

export type ResponseState = 'FAILURE' | 'REPROMPT' | undefined;

export function agentResponse(
  names: CallNames,
  state: ResponseState,
  body: unknown,
  sessionAttributes: Attributes | undefined,
  promptSessionAttributes: Attributes | undefined,
): AgentResponse {
  return {
    messageVersion: '1.0',
    response: {
      actionGroup: names.actionGroup,
      function: names.function,
      functionResponse: {
        ...(state ? { responseState: state } : {}),
        responseBody: { TEXT: { body: JSON.stringify(body) } },
      },
    },
    ...(sessionAttributes ? { sessionAttributes } : {}),
    ...(promptSessionAttributes ? { promptSessionAttributes } : {}),
  };
}

/** What the model is told when a call does not go through: short, fixed, never the input. */
export const MESSAGES = {
  'malformed-event': 'The tool call could not be read. Nothing was changed.',
  'unknown-function': 'There is no such tool. Nothing was changed.',
  'turn-limit': 'Too many tool calls this turn. Nothing was changed.',
  'no-turn': 'The tool call names no turn. Nothing was changed.',
  'no-customer': 'No customer is signed in: the tools act only for a signed-in customer. Nothing was changed.',
  'parameters-too-large': `The parameters are too large: at most ${MAX_PARAMETER_BYTES} bytes in all.`,
  'confirmation-missing': 'The customer has not confirmed this change. Nothing was changed.',
  'confirmation-mismatch': 'The customer confirmed a different change. Nothing was changed.',
  replayed: 'This confirmed change was already applied. Nothing more was changed.',
  'no-plan': 'There is no plan for this customer.',
  'invalid-item': 'The plan could not be read.',
  'store-error': 'The plan store is not available right now.',
  misconfigured: 'The tools are not available right now.',
  'internal-error': 'The tools are not available right now.',
} as const;
