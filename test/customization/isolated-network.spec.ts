import { sharedSynthesis } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import {
  dataBucketPolicy,
  ISOLATED,
  names,
  objectsOf,
  ofType,
  only,
  type Statement,
  type Template,
  templates,
} from './templates';

/**
 * Customization jobs in the isolated network: their security group, what the
 * S3 gateway endpoint lets their role do, and the write fence, which leaves
 * the training drop zone and the sole writers' prefixes out.
 */
const isolated = templates(ISOLATED);

describe('in the isolated network', () => {
  const { bucketId, statements: bucketStatements } = dataBucketPolicy(isolated.dataProtection);
  const [jobGroupId, jobGroup] = only(isolated.customization, 'AWS::EC2::SecurityGroup');

  test("the jobs' security group lets nothing in and only HTTPS out", () => {
    expect(jobGroup.Properties.SecurityGroupIngress).toBeUndefined();
    expect(ofType(isolated.customization, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(jobGroup.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    expect(jobGroup.Properties.VpcId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/NetworkVpc/) });
    expect(isolated.customization.Outputs?.JobSecurityGroupId.Value).toEqual({
      'Fn::GetAtt': [jobGroupId, 'GroupId'],
    });
    // The job's subnets are the network's own output, not repeated here (cfn-lint W6001).
    expect(isolated.customization.Outputs?.JobSubnetIds).toBeUndefined();
    expect(JSON.stringify(isolated.dataProtection.Outputs?.IsolatedSubnetIds.Value)).toMatch(
      /isolatedSubnet1Subnet.*isolatedSubnet2Subnet/,
    );
  });

  test('training data and comparisons are uploaded from outside the endpoint; the sole writers are fenced out too', () => {
    const fence = bucketStatements.find((s) => s.Sid === 'DenyWritesFromOutsideTheVpcEndpoint');
    expect(fence?.NotResource).toEqual(
      expect.arrayContaining(
        ['training/intake/*', 'evaluations/comparisons/*', 'training/approved/*', 'training/output/*'].map((key) =>
          objectsOf(bucketId, key),
        ),
      ),
    );
    // Not the whole training/ prefix: nothing else under it is exempt.
    expect(fence?.NotResource).not.toEqual(expect.arrayContaining([objectsOf(bucketId, 'training/*')]));
  });

  test('the S3 gateway endpoint lets the job role read approved data and its output, write its output, and list', () => {
    const [, endpoint] = ofType(isolated.dataProtection, 'AWS::EC2::VPCEndpoint').find(([, e]) =>
      JSON.stringify(e.Properties.ServiceName).includes('.s3'),
    ) ?? ['', undefined];
    const statements = (endpoint?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const asTheJobRole = {
      ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/GuardedGenAi-Customization-customization-job' },
    };
    const jobStatements = statements.filter((s) => String(s.Sid).startsWith('Customization'));
    expect(jobStatements).toEqual([
      {
        Sid: 'CustomizationJobReadsApprovedData',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: [objectsOf(bucketId, 'training/approved/*'), objectsOf(bucketId, 'training/output/*')],
        Condition: asTheJobRole,
      },
      {
        Sid: 'CustomizationJobWritesItsOutput',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: objectsOf(bucketId, 'training/output/*'),
        Condition: asTheJobRole,
      },
      {
        Sid: 'CustomizationJobListsItsData',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        Condition: asTheJobRole,
      },
    ]);
  });

  test('without customization, the endpoint names no customization job role', () => {
    const template = sharedSynthesis(matrixConfiguration('isolated network')).assembly.getStackByName(
      names.dataProtection,
    ).template as Template;
    expect(JSON.stringify(template)).not.toContain('customization-job');
  });
});
