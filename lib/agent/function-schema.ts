import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import { PLAN_TOOLS, type ToolDefinition } from '../shared/agent-contract';

/** Bedrock's limits on a function's and a parameter's description (agents-action-function.html). */
const FUNCTION_DESCRIPTION_MAX = 1200;
const PARAMETER_DESCRIPTION_MAX = 500;

/**
 * The action group's function schema, from the tools of the contract. Bedrock
 * types a parameter but cannot bound it (no enum, no length): those bounds
 * are in each description for the model, and enforced by the executor.
 * Every tool that writes asks the person first (requireConfirmation).
 */
export function functionSchema(): bedrock.CfnAgent.FunctionSchemaProperty {
  return {
    functions: Object.entries(PLAN_TOOLS as Record<string, ToolDefinition>).map(([name, tool]) => {
      if (tool.description.length > FUNCTION_DESCRIPTION_MAX) {
        throw new Error(
          `${name}: description of ${tool.description.length} characters, allowed: ${FUNCTION_DESCRIPTION_MAX}`,
        );
      }
      return {
        name,
        description: tool.description,
        requireConfirmation: tool.writes ? 'ENABLED' : 'DISABLED',
        parameters: Object.fromEntries(
          Object.entries(tool.parameters).map(([parameter, spec]) => {
            if (spec.description.length > PARAMETER_DESCRIPTION_MAX) {
              throw new Error(`${name}.${parameter}: description too long, allowed: ${PARAMETER_DESCRIPTION_MAX}`);
            }
            return [parameter, { type: spec.type, description: spec.description, required: true }];
          }),
        ),
      };
    }),
  };
}
