import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What Lambda needs to attach a function to a VPC, in the form the Lambda
 * guide documents: on "*". It warns that a DeleteNetworkInterface scoped by
 * condition or pattern can leave the function unable to reach the VPC.
 * Which VPC, subnets and security groups a function may use is narrowed
 * where AWS documents it: the deployer's lambda:VpcIds, lambda:SubnetIds and
 * lambda:SecurityGroupIds conditions.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 */
export function lambdaVpcAccessStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AttachToTheVpc',
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}
