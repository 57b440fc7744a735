/**
 * Where alerts go. Without alertEmail the alert topic has no subscription:
 * every finding and alarm is published to nobody, which no deployment error
 * reveals (docs/threat-detection.md, "The alert path").
 */
import type { AccountSettings, Part } from './account';

export function alertSubscription(settings: Pick<AccountSettings, 'alertEmail'>): Part {
  if (settings.alertEmail) {
    return {
      checks: [
        {
          ok: true,
          what: `alerts are e-mailed to ${settings.alertEmail} (accept the confirmation e-mail AWS sends after the deployment)`,
        },
      ],
    };
  }
  return {
    checks: [{ ok: true, what: 'alertEmail is empty: the alert topic gets no subscription' }],
    notes: [
      'No one receives alerts: alertEmail is empty, so findings and alarms are published to a topic without subscribers. Set -c alertEmail=you@example.com (and accept the confirmation e-mail), or subscribe another endpoint to the topic (output AlertTopicArn of the threat-detection stack) yourself.',
    ],
  };
}
