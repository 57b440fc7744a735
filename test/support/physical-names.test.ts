import { generatedName, NAMED_TYPES } from './physical-names';

describe('names CloudFormation generates', () => {
  test('a Lambda function of a 26-character stack splits the room 25/25, as a real deployment did', () => {
    // Real name: ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d
    // (https://github.com/KensioSoftware/yulin/issues/1113); only the random suffix differs.
    const name = generatedName(
      'ChineseboostAnalyticsStack',
      'RainlyticsSummariesJobFunction6A1B2C3D',
      'AWS::Lambda::Function',
    );
    expect(name).toMatch(/^ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-[A-Za-z0-9]{12}$/);
    expect(name).toHaveLength(64);
  });

  test('a short stack name leaves its unused room to the logical id', () => {
    const name = generatedName('Ops', 'AVeryLongLogicalIdThatWouldNotFitInHalfOfTheRoom12345678', 'AWS::IAM::Role');
    expect(name).toMatch(/^Ops-AVeryLongLogicalIdThatWouldNotFitInHalfOfTheRoo-[A-Za-z0-9]{12}$/);
    expect(name).toHaveLength(64);
  });

  test('buckets are lowercase with a 13-character suffix, within 63 characters', () => {
    const name = generatedName('GuardedGenAi-DataProtection', 'DataBucketE6B0FAA8', 'AWS::S3::Bucket');
    expect(name).toMatch(/^guardedgenai-dataprotection-databuckete6b0faa8-[a-z0-9]{13}$/);
    const long = generatedName('A'.repeat(60), 'B'.repeat(60), 'AWS::S3::Bucket');
    expect(long).toHaveLength(NAMED_TYPES['AWS::S3::Bucket'].maxLength);
  });

  test('an SQS queue gets the provider name: fair split, 12 mixed-case characters, as a real queue shows', () => {
    // Real name (80 characters): StackSet-master-config-exclusion-cfn-bb504b54-5f7-SQSConfigRecorder-PgvEuTNmRU9F
    // (https://github.com/aws-samples/aws-control-tower-config-customization/issues/36): the stack
    // name is cut to 49 characters, the logical id kept whole, then 12 letters and digits of both cases.
    const stack = 'StackSet-master-config-exclusion-cfn-bb504b54-5f7c-4d3e-9a1b-0c2d3e4f5a6b';
    const name = generatedName(stack, 'SQSConfigRecorder', 'AWS::SQS::Queue');
    expect(name).toMatch(/^StackSet-master-config-exclusion-cfn-bb504b54-5f7-SQSConfigRecorder-[A-Za-z0-9]{12}$/);
    expect(name).toHaveLength(80);
  });

  test('an SNS topic gets the provider suffix: 12 letters and digits of both cases', () => {
    const suffixes = ['Alerts', 'Reports', 'Findings', 'Audit'].map(
      (id) =>
        generatedName('GuardedGenAi-ThreatDetection', `${id}Topic1A2B3C4D`, 'AWS::SNS::Topic').split('-').pop() ?? '',
    );
    for (const suffix of suffixes) expect(suffix).toMatch(/^[A-Za-z0-9]{12}$/);
    // Mixed case: across a few names, lowercase letters appear (the old model had capitals only).
    expect(suffixes.join('')).toMatch(/[a-z]/);
  });

  test('the same resource always gets the same name, another resource another suffix', () => {
    const a = generatedName('Stack', 'Queue', 'AWS::SQS::Queue');
    expect(generatedName('Stack', 'Queue', 'AWS::SQS::Queue')).toBe(a);
    expect(generatedName('Stack2', 'Queue', 'AWS::SQS::Queue').split('-').pop()).not.toBe(a.split('-').pop());
  });

  test('a type without a naming rule is refused', () => {
    expect(() => generatedName('Stack', 'Thing', 'AWS::Foo::Bar')).toThrow(/no CloudFormation naming rule/);
  });
});
