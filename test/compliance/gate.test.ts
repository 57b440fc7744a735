import { App, Stack } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { buildApp, readValidationReport, TEST_ENV, unacknowledgedFindings } from '../support/build-app';

/** Test-only: everything the packs exist to catch, in one construct. */
class NonCompliantThing extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new s3.CfnBucket(this, 'PlainBucket', {});
    new lambda.CfnFunction(this, 'PlainFunction', {
      role: 'arn:aws:iam::111111111111:role/any',
      runtime: 'nodejs18.x',
      handler: 'index.handler',
      code: { zipFile: 'exports.handler = async () => 1;' },
    });
  }
}

/** A resource no rule pack objects to, with a property value the schema does not allow. */
function addSchemaInvalidParameter(scope: Construct) {
  new ssm.CfnParameter(scope, 'Misspelt', { type: 'Strng', value: 'x' });
}

describe('compliance gate', () => {
  // The real app in every configuration: test/compliance/gate-matrix.test.ts.

  test('a non-compliant construct fails synth in all five cdk-nag packs and the Control Tower controls', () => {
    const { app } = buildApp({}, { gate: true });
    new NonCompliantThing(new Stack(app, 'Bad', { env: TEST_ENV }), 'Thing');
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = String(error);
    }
    for (const pack of ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless']) {
      expect(message).toContain(`(${pack})`);
    }
    expect(message).toContain('[CT.S3.PR.1]');
    expect(message).toContain('[CT.LAMBDA.PR.');
  });

  test('a Control Tower finding alone fails synth, although the app acknowledges other Control Tower findings', () => {
    const { app } = buildApp({}, { gate: true });
    // No cdk-nag rule covers GuardDuty; CT.GUARDDUTY.PR.1 wants S3 protection on.
    new guardduty.CfnDetector(new Stack(app, 'NoS3Protection', { env: TEST_ENV }), 'Detector', { enable: true });
    expect(() => app.synth()).toThrow(/\[CT\.GUARDDUTY\.PR\.1\]/);
  });

  test('a schema warning (invalid property value) fails synth behind the gate', () => {
    const { app } = buildApp({}, { gate: true });
    addSchemaInvalidParameter(new Stack(app, 'Misspelt', { env: TEST_ENV }));
    expect(() => app.synth()).toThrow(/WARNING Type: 'Strng' is not one of[\s\S]*CloudFormation Validate/);
  });

  test('without the gate the same template only warns: the gate is what makes it fail', () => {
    // CDK prints the warning report; the assertion below is on the report file.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    addSchemaInvalidParameter(new Stack(app, 'Misspelt', { env: TEST_ENV }));
    const assembly = app.synth();
    const findings = unacknowledgedFindings(readValidationReport(assembly));
    expect(findings).toEqual([expect.stringMatching(/^CloudFormation Validate: W3030 at Misspelt\/Misspelt/)]);
  });
});
