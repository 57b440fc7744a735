/**
 * The enforcement check: with enforcedGuardrail=create, the account's enforced
 * guardrail configuration is this app's, and names the guardrail version the
 * GuardedInvoke stack published last (a policy change must move it along).
 */
import { ListEnforcedGuardrailsConfigurationCommand } from '@aws-sdk/client-bedrock';
import { type CheckDefinition, fail, isOutcome, pass, skip, stack } from './context';

export const GOVERNANCE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'enforcement',
    async run(context) {
      const outputs = stack(context, 'GuardedInvoke');
      if (isOutcome(outputs)) return outputs;
      const { EnforcedGuardrailConfigId, GuardrailId, GuardrailVersion } = outputs;
      if (!EnforcedGuardrailConfigId) return skip('enforcedGuardrail is off: no account-wide enforcement');
      const { guardrailsConfig } = await context.clients.bedrock.send(
        new ListEnforcedGuardrailsConfigurationCommand({}),
      );
      const config = (guardrailsConfig ?? []).find((c) => c.configId === EnforcedGuardrailConfigId);
      if (!config) {
        return fail(
          `the account has no enforced guardrail configuration ${EnforcedGuardrailConfigId}`,
          'Someone removed or replaced it: redeploy the GuardedInvoke stack with -c enforcedGuardrail=create.',
        );
      }
      const named = config.guardrailId ?? config.guardrailArn?.split('/').pop();
      if (named !== GuardrailId || config.guardrailVersion !== GuardrailVersion) {
        return fail(
          `the account enforces guardrail ${named} version ${config.guardrailVersion}, not ${GuardrailId} version ${GuardrailVersion}`,
          'It was changed outside CloudFormation: redeploy the GuardedInvoke stack, which puts this app’s version back.',
        );
      }
      return pass(
        `every Bedrock call of the account goes through guardrail ${GuardrailId} version ${GuardrailVersion} (${config.selectiveContentGuarding?.messages ?? 'default'} guarding)`,
      );
    },
  },
];
