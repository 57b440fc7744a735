/**
 * findings-export: GuardDuty writes findings to the export bucket. The
 * publishing destination's status says whether GuardDuty can (it tests the
 * bucket and key when the destination is created, and reports
 * UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY when it no longer can); an
 * object newer than the alert check's sample finding says that it did.
 * "Any new active findings that GuardDuty generates are automatically exported
 * within about 5 minutes after the finding is generated"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html).
 */
import { DescribePublishingDestinationCommand, ListPublishingDestinationsCommand } from '@aws-sdk/client-guardduty';
import { type CheckDefinition, fail, isOutcome, pass, poll, skip, stack, wait } from './context';
import { age, newestObject, ofType, stackResources } from './resources';

export const FINDINGS_EXPORT_CHECK: CheckDefinition = {
  id: 'findings-export',
  slow: true,
  async run(context, state) {
    const threat = stack(context, 'ThreatDetection');
    if (isOutcome(threat)) return threat;
    const detectorId = threat.GuardDutyDetectorId;
    if (!detectorId) return skip('guardDuty is off');
    const resources = await stackResources(context, 'ThreatDetection');
    if (isOutcome(resources)) return resources;
    if (ofType(resources, 'AWS::GuardDuty::PublishingDestination').length === 0) {
      return skip('findingsExport is off');
    }
    const bucket = ofType(resources, 'AWS::S3::Bucket', 'GuardDutyFindings')[0]?.PhysicalResourceId;
    if (!bucket) return fail('the stack has no findings bucket', 'Redeploy the ThreatDetection stack.');
    const { Destinations } = await context.clients.guardDuty.send(
      new ListPublishingDestinationsCommand({ DetectorId: detectorId }),
    );
    const described = await Promise.all(
      (Destinations ?? []).map((d) =>
        context.clients.guardDuty.send(
          new DescribePublishingDestinationCommand({ DetectorId: detectorId, DestinationId: d.DestinationId }),
        ),
      ),
    );
    const destination = described.find((d) => (d.DestinationProperties?.DestinationArn ?? '').includes(`:::${bucket}`));
    if (!destination) {
      return fail(
        `detector ${detectorId} has no publishing destination to s3://${bucket}`,
        'Someone removed it: redeploy the ThreatDetection stack.',
      );
    }
    if (destination.Status !== 'PUBLISHING') {
      const since = destination.PublishingFailureStartTimestamp
        ? ` since ${new Date(destination.PublishingFailureStartTimestamp).toISOString()}`
        : '';
      if (destination.Status === 'PENDING_VERIFICATION') {
        return wait(`destination ${destination.DestinationId} is PENDING_VERIFICATION: run it again in a few minutes`);
      }
      return fail(
        `destination ${destination.DestinationId} is ${destination.Status ?? 'unknown'}${since}`,
        'GuardDuty cannot write: the findings bucket policy must let guardduty.amazonaws.com PutObject and GetBucketLocation, and the project key must let it GenerateDataKey (docs/service-principals.md); fix and redeploy the ThreatDetection stack.',
      );
    }
    // arn:aws:s3:::bucket/prefix/ -> prefix/
    const prefix = (destination.DestinationProperties?.DestinationArn ?? '').split(`:::${bucket}/`)[1] ?? '';
    const after = state.sampleFindingAt;
    const isNew = (o: { LastModified?: Date }) => !after || (o.LastModified?.getTime() ?? 0) >= after - 60_000;
    const exported = await poll(
      context,
      'the findings export',
      (after ?? context.now()) + context.timeoutMs,
      30_000,
      async () => newestObject(context, bucket, prefix, isNew),
    );
    if (exported) {
      return pass(`PUBLISHING; newest export ${age(context, exported.LastModified)} ago (${exported.Key})`);
    }
    if (after === undefined) {
      return wait(
        `PUBLISHING; nothing exported under s3://${bucket}/${prefix} yet (GuardDuty exports active findings only): run it with alerts (--only alerts,findings-export) to raise one`,
      );
    }
    return fail(
      `PUBLISHING, but the alert check's sample finding is not under s3://${bucket}/${prefix} after ${Math.round(context.timeoutMs / 1000)} s`,
      'GuardDuty exports a new finding within about 5 minutes: run again with a longer --timeout; if nothing comes, the project key must let GuardDuty encrypt (with an S3 Bucket Key it may need kms:Decrypt too, review core F7).',
    );
  },
};
