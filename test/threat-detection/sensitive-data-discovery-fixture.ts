import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecureBucket } from '../../lib/data-protection/secure-bucket';
import {
  SensitiveDataDiscovery,
  type SensitiveDataDiscoveryProps,
} from '../../lib/threat-detection/sensitive-data-discovery';
import { CDK_JSON_CONTEXT, TEST_ENV, testApp } from '../support/build-app';

/**
 * The Macie construct alone, in a small stack (no compliance gate: the
 * whole-app tests cover it), so that each variant is cheap. Bundled only when
 * the test runs the bundle.
 */
export function macieStack(overrides: Partial<SensitiveDataDiscoveryProps> = {}, options: { bundle?: boolean } = {}) {
  // cdk.json's context (feature flags included), as the real app has it.
  const app = testApp({
    context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new Stack(app, 'GuardedGenAi-ThreatDetection', { env: TEST_ENV });
  const key = new kms.Key(stack, 'Key');
  const bucket = new SecureBucket(stack, 'Data', {
    encryption: { kind: 'kms', key },
    noncurrentVersionRetention: Duration.days(30),
    accessLogsOmittedReason: 'test stack',
    objectLockOmittedReason: 'test stack',
  });
  const construct = new SensitiveDataDiscovery(stack, 'Macie', {
    session: 'create',
    bucket,
    prefix: 'records/',
    logKey: key,
    logRetention: logs.RetentionDays.ONE_YEAR,
    ...overrides,
  });
  return { app, stack, construct };
}
