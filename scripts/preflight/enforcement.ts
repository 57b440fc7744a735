/**
 * Account-wide guardrail enforcement: one configuration per account and region
 * (ListEnforcedGuardrailsConfiguration returns at most one item,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListEnforcedGuardrailsConfiguration.html).
 * The GuardedInvoke stack creates it with enforcedGuardrail=create; it must
 * never take over a configuration someone else made.
 */
import { GetGuardrailCommand, ListEnforcedGuardrailsConfigurationCommand } from '@aws-sdk/client-bedrock';
import { guardrailName, stackNames } from '../../lib/shared/names';
import { type AccountClients, type AccountSettings, cannotInspect, type Part } from './account';
import { explain } from './model';

const WHAT = 'Bedrock account-wide guardrail enforcement';

export async function inspectGuardrailEnforcement(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
  let configs;
  try {
    configs = (await clients.bedrock.send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig ?? [];
  } catch (error) {
    if (settings.enforcedGuardrail === 'off') {
      // Nothing to deploy depends on it: only the advice that every answer
      // would also pass someone else's enforcement is lost (and where the
      // region has no enforcement at all, there is nothing to find).
      const why = explain(error, region, 'bedrock:ListEnforcedGuardrailsConfiguration');
      return {
        checks: [{ ok: true, what: `${WHAT}: not inspected; enforcedGuardrail "off" does not need it` }],
        notes: [`Could not tell whether an account-wide enforced guardrail applies to every answer here: ${why}`],
      };
    }
    return cannotInspect(WHAT, 'enforcedGuardrail', error, region, 'bedrock:ListEnforcedGuardrailsConfiguration');
  }
  const account = configs[0];
  if (!account) {
    return {
      checks: [
        { ok: true, what: `${WHAT}: none in this account; enforcedGuardrail "${settings.enforcedGuardrail}" fits` },
      ],
    };
  }

  const ours = await isThisAppsGuardrail(clients, account.guardrailArn ?? account.guardrailId, settings.appName);
  const described = `guardrail ${account.guardrailArn ?? account.guardrailId} version ${account.guardrailVersion}`;
  if (ours) {
    return {
      checks: [
        {
          ok: true,
          what: `${WHAT} is this app's own (${described}); enforcedGuardrail "${settings.enforcedGuardrail}" ${settings.enforcedGuardrail === 'create' ? 'keeps it' : 'removes it at the next deployment'}`,
        },
      ],
    };
  }
  if (settings.enforcedGuardrail === 'create') {
    // Someone else's enforcement: the stack would replace or collide with it
    // (one per account and region), changing what every caller here gets.
    return {
      flags: { enforcedGuardrail: 'off' },
      checks: [
        {
          ok: true,
          what: `${WHAT} already exists and is not this app's (${described}): enforcedGuardrail=off (there is one per account and region; remove theirs deliberately first if this app's should replace it)`,
        },
      ],
    };
  }
  return {
    notes: [
      `Every Bedrock call in this account already goes through ${described} (account-wide enforcement): this app's answers pass it as well as the project guardrail.`,
    ],
    checks: [{ ok: true, what: `${WHAT}: someone else's (${described}); enforcedGuardrail "off" leaves it alone` }],
  };
}

/** Whether the enforced guardrail is the one this app's GuardedInvoke stack creates (by its name). */
async function isThisAppsGuardrail(
  clients: AccountClients,
  identifier: string | undefined,
  appName: string,
): Promise<boolean> {
  if (!identifier) return false;
  try {
    const { name } = await clients.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: identifier }));
    return name === guardrailName(stackNames(appName).guardedInvoke);
  } catch {
    // Not readable here (another account's, or no bedrock:GetGuardrail): not
    // provably ours, so it is treated as someone else's.
    return false;
  }
}
