import { Duration } from 'aws-cdk-lib';
import type * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { arnInAccount } from '../shared/names';

export interface RecorderTeardownProps {
  readonly recorder: config.CfnConfigurationRecorder;
  readonly deliveryChannel: config.CfnDeliveryChannel;
  /** The role of the stack's AwsCustomResource function (gets the stop permission). */
  readonly role: iam.IRole;
}

/**
 * Stop the recorder before CloudFormation deletes the delivery channel.
 *
 * AWS Config refuses to delete the last delivery channel while a recorder
 * runs ("LastDeliveryChannelDeleteFailedException: Failed to delete last
 * specified delivery channel ... because there is a running configuration
 * recorder", as reported in
 * https://github.com/hashicorp/terraform-provider-aws/pull/2910). No AWS page
 * says whether CloudFormation's Config handlers stop the recorder first, and
 * the recorder and channel cannot be ordered by a DependsOn (that deadlocks
 * their creation: https://github.com/aws/aws-cdk/issues/9001). So a resource
 * that depends on both, and does nothing but StopConfigurationRecorder on
 * Delete, is deleted first, whether or not the handlers would stop it. The
 * DependsOn page: "Declare dependencies for resources that must be created or
 * deleted in a specific order", and for a resource A that refers to B,
 * "Resource A is deleted before resource B"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html).
 * Creation is unchanged: it waits for both and calls nothing.
 */
export function stopRecorderBeforeTeardown(scope: Construct, props: RecorderTeardownProps): cr.AwsCustomResource {
  // StopConfigurationRecorder's resource type is the recorder,
  // configuration-recorder/<name>/<id> (Service Authorization Reference for AWS Config).
  // A policy of its own: it names the recorder, which waits for the
  // service-linked role that the role's first policy creates.
  const recorderArn = arnInAccount(props.recorder.stack, 'config', `configuration-recorder/${props.recorder.ref}/*`);
  const policy = new iam.ManagedPolicy(scope, 'StopRecorderPolicy', {
    roles: [props.role],
    statements: [
      new iam.PolicyStatement({
        sid: 'StopThisRecorderBeforeTeardown',
        actions: ['config:StopConfigurationRecorder'],
        resources: [recorderArn],
      }),
    ],
  });
  acknowledgeWildcardResource(
    policy,
    recorderArn,
    "The recorder's ARN ends in an id AWS Config assigns at creation, which no template can name; the statement names this stack's recorder and allows only stopping it.",
  );
  const stop = new cr.AwsCustomResource(scope, 'StopRecorderOnDelete', {
    resourceType: 'Custom::ConfigRecorderStop',
    onDelete: {
      service: 'ConfigService',
      action: 'stopConfigurationRecorder',
      parameters: { ConfigurationRecorderName: props.recorder.ref },
      // Already gone is stopped.
      ignoreErrorCodesMatching: 'NoSuchConfigurationRecorder',
    },
    // The stack's one AwsCustomResource function runs with this role already.
    role: props.role,
    timeout: Duration.minutes(2),
    installLatestAwsSdk: false,
  });
  stop.node.addDependency(props.recorder, props.deliveryChannel, policy);
  return stop;
}
