import { type CfnElement, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SensitiveDataDiscoveryProps } from '../../lib/threat-detection/sensitive-data-discovery';
import { READINESS_WINDOW_MS } from '../../lambda/macie-job/handler';
import {
  JOB_HANDLER_TIMEOUT,
  JOB_QUERY_INTERVAL,
  JOB_TOTAL_TIMEOUT,
} from '../../lib/threat-detection/classification-job-provider';
import { macieStack } from './sensitive-data-discovery-fixture';
import { INTERNAL_ID_PATTERN } from '../../lib/shared/record-ids';

function discovery(overrides: Partial<SensitiveDataDiscoveryProps> = {}) {
  const { stack, construct } = macieStack(overrides);
  return { stack, construct, template: Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const only = (t: Template, type: string): Resource => {
  const found = Object.values(t.findResources(type));
  expect(found).toHaveLength(1);
  return found[0] as Resource;
};
const identifierName = (t: Template) => only(t, 'AWS::Macie::CustomDataIdentifier').Properties.Name as string;
/** The CreateClassificationJob request of the job's custom resource; references become "TOKEN". */
function jobRequest(t: Template): Record<string, unknown> {
  const value = only(t, 'Custom::MacieClassificationJob').Properties.Job as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(value['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

let base: ReturnType<typeof discovery>;
let otherPattern: ReturnType<typeof discovery>;
beforeAll(() => {
  base = discovery();
  // A record-id format with 8 characters after the year instead of 6.
  otherPattern = discovery({ recordIdPattern: '\\bGGA-[0-9]{4}-[A-Z0-9]{8}\\b' });
});

describe('custom data identifier', () => {
  test('its name ends in a digest of its definition: same pattern, same name', () => {
    expect(identifierName(base.template)).toMatch(/^GuardedGenAi-ThreatDetection-internal-record-id-[0-9a-f]{8}$/);
    expect(identifierName(discovery({ recordIdPattern: INTERNAL_ID_PATTERN }).template)).toBe(
      identifierName(base.template),
    );
    // Custom data identifier names are limited to 128 characters.
    expect(identifierName(base.template).length).toBeLessThanOrEqual(128);
  });

  test('a changed pattern (a replacement: every property is create-only) gets a new name, and a new job', () => {
    otherPattern.template.hasResourceProperties('AWS::Macie::CustomDataIdentifier', {
      Regex: '\\bGGA-[0-9]{4}-[A-Z0-9]{8}\\b',
    });
    expect(identifierName(otherPattern.template)).not.toBe(identifierName(base.template));
    // The job references the identifier by id, which a replacement changes at
    // deployment; the client token must change too, or Macie would hand back
    // the old job.
    expect(jobRequest(otherPattern.template).clientToken).not.toBe(jobRequest(base.template).clientToken);
  });
});

describe('classification job', () => {
  test('one custom resource served by the Provider framework, with the weekly request and an idempotent token', () => {
    const job = only(base.template, 'Custom::MacieClassificationJob');
    // The framework's entry function, under the logical id of the function that served the job before:
    // CloudFormation refuses to change a deployed custom resource's ServiceToken.
    expect(job.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': ['MacieJobProvider993011EF', 'Arn'] });
    const entry = base.construct.jobProvider.entry.node.defaultChild as CfnElement;
    expect(base.stack.resolve(entry.logicalId)).toBe('MacieJobProvider993011EF');
    expect(jobRequest(base.template)).toMatchObject({
      jobType: 'SCHEDULED',
      scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
      initialRun: true,
      managedDataIdentifierSelector: 'RECOMMENDED',
      customDataIdentifierIds: ['TOKEN'],
      allowListIds: ['TOKEN'],
      // A digest of the definition, then the stack's UUID (resolved at deployment).
      clientToken: expect.stringMatching(/^[0-9a-f]{16}-TOKEN$/),
      name: expect.stringMatching(/^GuardedGenAi-ThreatDetection-records-[0-9a-f]{8}$/),
    });
    expect(JSON.stringify(job.Properties.Job)).toContain(
      '{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}',
    );
    // CloudFormation gives up on a silent function after this, not after an hour.
    expect(Number(job.Properties.ServiceTimeout)).toBeGreaterThan(300);
    // The default provider framework and AwsCustomResource's singleton are gone.
    expect(JSON.stringify(base.template.toJSON())).not.toContain('AWS679f53fac002430cb0da5b7982bd2287');
  });

  test("the handlers: Node.js 24 on arm64, with a timeout below the framework functions' 15 minutes", () => {
    const functions = base.template.findResources('AWS::Lambda::Function');
    const byHandler = (handler: string) =>
      Object.values(functions).find((f) => f.Properties.Handler === handler)?.Properties as Record<string, unknown>;
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      expect(byHandler(handler)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: JOB_HANDLER_TIMEOUT.toSeconds(),
      });
    }
    expect(byHandler('framework.onEvent').Timeout).toBe(900);
    expect(JOB_HANDLER_TIMEOUT.toSeconds()).toBeLessThan(900);
  });

  test("the wait: polled every 10 s for 6 minutes, longer than the handler's readiness window; CloudFormation waits longer still", () => {
    const machine = only(base.template, 'AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain(`\\"IntervalSeconds\\":${JOB_QUERY_INTERVAL.toSeconds()}`);
    expect(definition).toContain(`\\"MaxAttempts\\":${JOB_TOTAL_TIMEOUT.toSeconds() / JOB_QUERY_INTERVAL.toSeconds()}`);
    // The create fails with its own error before the framework's "Operation timed out".
    expect(JOB_TOTAL_TIMEOUT.toMilliseconds()).toBeGreaterThan(
      READINESS_WINDOW_MS + JOB_QUERY_INTERVAL.toMilliseconds(),
    );
    // onEvent, then the whole wait: CloudFormation still waits for the answer.
    expect(Number(only(base.template, 'Custom::MacieClassificationJob').Properties.ServiceTimeout)).toBeGreaterThan(
      JOB_HANDLER_TIMEOUT.plus(JOB_TOTAL_TIMEOUT).toSeconds(),
    );
    // Traced, logging every state change without the execution data (the request and its properties).
    expect(machine.Properties).toMatchObject({
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { IncludeExecutionData: false, Level: 'ALL' },
    });
  });

  test('the job id is exposed for a stack output', () => {
    expect(base.stack.resolve(base.construct.jobId)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^MacieJob/), 'JobId'],
    });
  });
});

describe('job provider permissions', () => {
  type Statement = { Sid: string; Action: string | string[]; Resource: unknown };
  const statements = (t: Template): Statement[] =>
    Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );

  test('CreateClassificationJob names only classification-job resources (the only type it authorizes)', () => {
    const create = statements(base.template).filter((s) =>
      [s.Action].flat().includes('macie2:CreateClassificationJob'),
    );
    expect(create).toHaveLength(1);
    expect(create[0].Resource).toBe('arn:aws:macie2:eu-west-1:111111111111:classification-job/*');
  });

  test('every role (handlers, framework, waiter) has customer-managed policies only, no inline or AWS managed ones', () => {
    const roles = Object.values(base.template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(4);
    for (const role of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    base.template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the framework invokes the handlers by their exact ARNs, each role only its own', () => {
    const ref = (fn: { node: { defaultChild?: unknown } }) =>
      base.stack.resolve((fn.node.defaultChild as CfnElement).logicalId);
    const invoking = (handler: string) =>
      statements(base.template)
        .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))
        .filter((s) => JSON.stringify(s.Resource).includes(handler))
        .map((s) => s.Sid);
    expect(invoking(ref(base.construct.jobOnEvent))).toEqual(['InvokeOnEventHandler']);
    expect(invoking(ref(base.construct.jobIsComplete))).toEqual(['InvokeIsCompleteHandler']);
    // The entry function starts the waiter, that state machine and no other.
    const machine = Object.keys(base.template.findResources('AWS::StepFunctions::StateMachine'));
    expect(statements(base.template).filter((s) => [s.Action].flat().includes('states:StartExecution'))).toEqual([
      { Sid: 'StartWaiter', Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: machine[0] } },
    ]);
  });
});

describe('log group', () => {
  test('encrypted with the given key, and its DeletionPolicy follows removalPolicy (retained by default)', () => {
    const logGroupOf = (t: Template) => only(t, 'AWS::Logs::LogGroup');
    expect(logGroupOf(base.template)).toMatchObject({
      Properties: { KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const destroyed = discovery({ removalPolicy: RemovalPolicy.DESTROY }).template;
    expect(logGroupOf(destroyed)).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(only(destroyed, 'AWS::Macie::Session').DeletionPolicy).toBe('Delete');
  });
});
