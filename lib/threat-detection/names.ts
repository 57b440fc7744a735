import { Stack } from 'aws-cdk-lib';

/**
 * Names the threat-detection stack and the data-protection stack agree on.
 *
 * The project key lives in the data-protection stack and the resources that
 * use it (trail, alert topic, findings export) in the threat-detection stack,
 * which depends on it. The key policy cannot refer to those resources without
 * a dependency cycle, so it names them by what is known before deployment: the
 * stack name, and names derived from it.
 */
export function threatDetectionStackName(appName: string): string {
  return `${appName}-ThreatDetection`;
}

/**
 * The trail's name: derived from its stack's name (so two copies of the
 * project never collide) and fixed, so that the key policy, the bucket policy
 * and the trail's log-delivery role can each name exactly this trail.
 */
export function trailName(threatDetectionStack: string): string {
  return `${threatDetectionStack}-audit-trail`;
}

/** The ARN of a resource of `service` in the account and region of `scope`'s stack. */
export function arnInAccount(scope: Stack, service: string, resource: string): string {
  return `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
}
