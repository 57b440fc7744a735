import { Template } from 'aws-cdk-lib/assertions';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { synthesize, TEST_ENV } from '../support/build-app';
import { administrator, PolicyWorld } from '../support/iam-harness';
import { endpointServiceNames } from '../../scripts/preflight/endpoints';

const isolated = synthesize({ isolatedNetwork: true });
const assembly = isolated.assembly;
const data = Template.fromJSON(assembly.getStackByName(isolated.stacks.dataProtection.stackName).template);
const invoke = Template.fromJSON(assembly.getStackByName(isolated.stacks.guardedInvoke.stackName).template);
const { network } = isolated.stacks.dataProtection;
const { isolation } = isolated.stacks.guardedInvoke.invoke;

const resources = (t: Template, type: string) => Object.values(t.findResources(type));

/** Rule IDs acknowledged on a construct (CDK records them as node metadata). */
function acknowledged(construct: IConstruct): string[] {
  return construct.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.keys(m.data as object));
}

describe('isolated network on', () => {
  test('normalized snapshot of both stacks in this configuration', () => {
    expect({ dataProtection: data.toJSON(), guardedInvoke: invoke.toJSON() }).toMatchSnapshot();
  });

  test('two isolated subnets, and no route off the VPC: no internet gateway, no NAT, no default route', () => {
    expect(resources(data, 'AWS::EC2::Subnet')).toHaveLength(2);
    for (const subnet of resources(data, 'AWS::EC2::Subnet')) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    data.resourceCountIs('AWS::EC2::InternetGateway', 0);
    data.resourceCountIs('AWS::EC2::NatGateway', 0);
    data.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
    data.resourceCountIs('AWS::EC2::Route', 0);
  });

  test('flow logs of all traffic to a KMS-encrypted log group with retention, delivered by a confused-deputy-safe role', () => {
    data.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const flowLogGroup = resources(data, 'AWS::Logs::LogGroup')[0].Properties;
    expect(flowLogGroup.RetentionInDays).toBe(365);
    expect(flowLogGroup.KmsKeyId).toEqual({ 'Fn::GetAtt': ['ProjectKey99EBDA78', 'Arn'] });
    data.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
              ArnLike: { 'aws:SourceArn': `arn:aws:ec2:${TEST_ENV.region}:${TEST_ENV.account}:vpc-flow-log/*` },
            },
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
          },
        ],
      },
    });
  });

  test('S3 through a gateway endpoint; Bedrock Runtime, Bedrock Agent Runtime and X-Ray through private-DNS interface endpoints in both subnets', () => {
    data.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    const interfaces = resources(invoke, 'AWS::EC2::VPCEndpoint');
    expect(interfaces.map((e) => JSON.stringify(e.Properties.ServiceName)).sort()).toEqual([
      // Retrieve from the knowledge base (on by default).
      expect.stringContaining('bedrock-agent-runtime'),
      expect.stringContaining('bedrock-runtime'),
      expect.stringContaining('xray'),
    ]);
    for (const e of interfaces) {
      expect(e.Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
      expect(e.Properties.SubnetIds).toHaveLength(2);
      expect(e.Properties.PolicyDocument).toBeDefined();
    }
  });

  test('preflight checks exactly the interface endpoints the stack creates (zones and policy support of each)', () => {
    const { region } = TEST_ENV;
    const created = resources(invoke, 'AWS::EC2::VPCEndpoint')
      .map((e) => e.Properties.ServiceName as string)
      .sort();
    expect(created).toEqual(endpointServiceNames({ knowledgeBase: true }, region).sort());
    expect(endpointServiceNames({ knowledgeBase: false }, region)).not.toContainEqual(
      expect.stringContaining('agent-runtime'),
    );
  });

  test('the flow log waits for its role policy, so that its first deliveries are not refused', () => {
    const [[policyId]] = Object.entries(data.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) =>
      id.startsWith('NetworkFlowLogPolicy'),
    );
    const [flowLog] = resources(data, 'AWS::EC2::FlowLog');
    expect(flowLog.DependsOn).toContain(policyId);
  });

  test('the function runs in the isolated subnets with its own security group', () => {
    const fn = resources(invoke, 'AWS::Lambda::Function')[0].Properties;
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.VpcConfig.SecurityGroupIds).toHaveLength(1);
  });

  test('network-interface permissions in the form the Lambda guide documents: on "*", without conditions', () => {
    const statements = resources(invoke, 'AWS::IAM::ManagedPolicy').flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }[],
    );
    const ec2 = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('ec2:')));
    expect(ec2).toEqual([
      expect.objectContaining({
        Action: [
          'ec2:AssignPrivateIpAddresses',
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      }),
    ]);
    expect(ec2[0].Condition).toBeUndefined();
  });

  test('subnets in the first two zones of the region by default, or in the zones config names', () => {
    const zones = (t: Template) => resources(t, 'AWS::EC2::Subnet').map((subnet) => subnet.Properties.AvailabilityZone);
    expect(zones(data)).toEqual([
      { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    ]);
    const named = synthesize({ isolatedNetwork: true, availabilityZones: ['eu-west-1b', 'eu-west-1c'] });
    const namedData = Template.fromJSON(named.assembly.getStackByName(named.stacks.dataProtection.stackName).template);
    expect(zones(namedData)).toEqual(['eu-west-1b', 'eu-west-1c']);
  });

  test('security groups: the function may send only HTTPS; the endpoints accept HTTPS only from the function', () => {
    const groups = invoke.findResources('AWS::EC2::SecurityGroup');
    const fnGroupId = Object.keys(groups).find((id) => id.startsWith('InvokeSecurityGroup')) as string;
    const endpointGroupId = Object.keys(groups).find((id) => id.startsWith('InvokeEndpointsSecurityGroup')) as string;
    const egress = [
      ...(groups[fnGroupId].Properties.SecurityGroupEgress ?? []),
      ...resources(invoke, 'AWS::EC2::SecurityGroupEgress').map((r) => r.Properties),
    ];
    expect(egress.length).toBeGreaterThan(0);
    for (const rule of egress) expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    const ingress = resources(invoke, 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [endpointGroupId, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [fnGroupId, 'GroupId'] },
        FromPort: 443,
        ToPort: 443,
      }),
    ]);
    expect(groups[endpointGroupId].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('"Lambda in VPC" findings are fixed, not acknowledged: only the Guard rule that cannot read cross-stack subnets remains', () => {
    const fn = isolated.stacks.guardedInvoke.invoke.function.node.defaultChild as IConstruct;
    expect(acknowledged(fn).filter((id) => /LambdaInsideVPC|lambda_inside_vpc/.test(id))).toEqual([
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
    ]);
    const plain = synthesize();
    const plainFn = plain.stacks.guardedInvoke.invoke.function.node.defaultChild as IConstruct;
    expect(acknowledged(plainFn).filter((id) => /LambdaInsideVPC/.test(id))).toHaveLength(3);
  });
});

describe('isolated network off', () => {
  const plain = synthesize();
  const plainAssembly = plain.assembly;
  const plainInvoke = Template.fromJSON(plainAssembly.getStackByName(plain.stacks.guardedInvoke.stackName).template);
  const plainData = Template.fromJSON(plainAssembly.getStackByName(plain.stacks.dataProtection.stackName).template);

  test('isolated network off => no VPC config, no VPC, no endpoints', () => {
    expect(resources(plainInvoke, 'AWS::Lambda::Function')[0].Properties.VpcConfig).toBeUndefined();
    plainData.resourceCountIs('AWS::EC2::VPC', 0);
    plainInvoke.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(JSON.stringify(plainData.toJSON())).not.toContain('aws:SourceVpce');
  });
});

describe('endpoint policies and the data bucket, proven', () => {
  const world = new PolicyWorld(assembly, TEST_ENV);
  const bucketArn = world.arnOf(isolated.stacks.dataProtection.dataBucket.bucket);
  const role = { role: isolated.stacks.guardedInvoke.invoke.role };
  const admin = administrator(TEST_ENV.account);
  const record = `${bucketArn}/records/invocations/2026/11/29/r.json`;
  const model = `arn:aws:bedrock:${TEST_ENV.region}::foundation-model/amazon.nova-micro-v1:0`;
  const guardrail = isolated.stacks.guardedInvoke.guardrail;
  const guardrailArn = world.valueOf(guardrail.guardrailArn, guardrail);
  const guarded = { 'bedrock:GuardrailIdentifier': `${guardrailArn}:1` };
  const s3Endpoint = network?.s3Endpoint as IConstruct;
  const bedrockEndpoint = isolation?.endpoints.bedrockRuntime as IConstruct;

  test('through the S3 endpoint: audit records allowed; another bucket or another prefix denied', async () => {
    await expect(
      world.decide({ caller: role, action: 's3:PutObject', resource: record, viaEndpoint: s3Endpoint }),
    ).resolves.toBe('Allowed');
    await expect(
      world.decide({
        caller: admin,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::attacker-bucket/loot.json',
        viaEndpoint: s3Endpoint,
      }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      world.decide({
        caller: admin,
        action: 's3:PutObject',
        resource: `${bucketArn}/elsewhere/x`,
        viaEndpoint: s3Endpoint,
      }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      world.decide({ caller: admin, action: 's3:GetObject', resource: record, viaEndpoint: s3Endpoint }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('the data bucket refuses a write from outside the endpoint, even by an administrator', async () => {
    await expect(world.decide({ caller: admin, action: 's3:PutObject', resource: record })).resolves.toBe(
      'ExplicitlyDenied',
    );
    await expect(world.decide({ caller: role, action: 's3:PutObject', resource: record })).resolves.toBe(
      'ExplicitlyDenied',
    );
  });

  test('through the Bedrock endpoint: our model and guardrail only', async () => {
    await expect(
      world.decide({
        caller: role,
        action: 'bedrock:InvokeModel',
        resource: model,
        context: guarded,
        viaEndpoint: bedrockEndpoint,
      }),
    ).resolves.toBe('Allowed');
    await expect(
      world.decide({
        caller: admin,
        action: 'bedrock:InvokeModel',
        resource: model.replace('amazon.nova-micro-v1:0', 'anthropic.claude-v2'),
        viaEndpoint: bedrockEndpoint,
      }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      world.decide({
        caller: role,
        action: 'bedrock:ApplyGuardrail',
        resource: guardrailArn,
        viaEndpoint: bedrockEndpoint,
      }),
    ).resolves.toBe('Allowed');
    await expect(
      world.decide({
        caller: admin,
        action: 'bedrock:ApplyGuardrail',
        resource: `arn:aws:bedrock:${TEST_ENV.region}:${TEST_ENV.account}:guardrail/other`,
        viaEndpoint: bedrockEndpoint,
      }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('a principal of another account cannot use the endpoints, even with its own allow-all policy', async () => {
    const outsider = administrator('222222222222');
    await expect(
      world.decide({
        caller: outsider,
        action: 'bedrock:InvokeModel',
        resource: model,
        context: guarded,
        viaEndpoint: bedrockEndpoint,
      }),
    ).resolves.not.toBe('Allowed');
  });
});
