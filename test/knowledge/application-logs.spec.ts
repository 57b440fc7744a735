import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { stackNames } from '../../lib/shared/names';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';

/**
 * The knowledge base's application logs (what each ingestion job did with
 * each document) reach a log group of the project, and the promotion
 * function's ingestion alert names that group.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties: Record<string, Json>; DependsOn?: string[] };

const DEFAULT_CONFIG = parseConfig({});
const names = stackNames(DEFAULT_CONFIG.appName);
const { assembly, stacks } = synthesize();
const knowledge = Template.fromJSON(assembly.getStackByName(names.knowledge).template);
const ingestion = Template.fromJSON(assembly.getStackByName(names.ingestion).template);

const entries = (t: Template, type: string) => Object.entries(t.findResources(type)) as unknown as [string, Resource][];
function only(t: Template, type: string): [string, Resource] {
  const found = entries(t, type);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("the knowledge base's application logs", () => {
  const [groupId, group] = only(knowledge, 'AWS::Logs::LogGroup');
  const [kbId] = only(knowledge, 'AWS::Bedrock::KnowledgeBase');

  test('a log group encrypted with the project key, kept as long as the other log groups, retained by default', () => {
    expect(group.Properties.KmsKeyId).toEqual({
      'Fn::ImportValue': expect.stringMatching(new RegExp(`^${names.dataProtection}:.*ProjectKey.*Arn`)),
    });
    expect(group.Properties.RetentionInDays).toBe(DEFAULT_CONFIG.logRetentionDays);
    expect((group as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    // Its generated name starts with the stack name, which the key policy's
    // statement for CloudWatch Logs covers (log groups named "<app>-*").
    expect(group.Properties.LogGroupName).toBeUndefined();
    expect(names.knowledge.startsWith(`${DEFAULT_CONFIG.appName}-`)).toBe(true);
  });

  test('a delivery source for the knowledge base, log type APPLICATION_LOGS', () => {
    const [, source] = only(knowledge, 'AWS::Logs::DeliverySource');
    expect(source.Properties).toMatchObject({
      LogType: 'APPLICATION_LOGS',
      ResourceArn: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseArn'] },
    });
    // Unique in the account, at most 60 of [\w-], and new with a new knowledge base.
    expect(source.Properties.Name).toMatch(new RegExp(`^${names.knowledge}-kb-[0-9a-f]{8}$`));
    const longest = `${stackNames('A'.repeat(25)).knowledge}-kb-0123abcd`;
    expect(longest.length).toBeLessThanOrEqual(60);
  });

  test('delivered to the log group (its ARN without ":*"), once the group lets the delivery service write', () => {
    const [destinationId, destination] = only(knowledge, 'AWS::Logs::DeliveryDestination');
    expect(destination.Properties.DestinationResourceArn).toEqual({
      'Fn::Join': ['', [`arn:aws:logs:${TEST_ENV.region}:${TEST_ENV.account}:log-group:`, { Ref: groupId }]],
    });
    const [, delivery] = only(knowledge, 'AWS::Logs::Delivery');
    const [sourceId, source] = only(knowledge, 'AWS::Logs::DeliverySource');
    const [policyId, policy] = only(knowledge, 'AWS::Logs::ResourcePolicy');
    expect(delivery.Properties).toEqual({
      DeliverySourceName: source.Properties.Name,
      DeliveryDestinationArn: { 'Fn::GetAtt': [destinationId, 'Arn'] },
    });
    expect(delivery.DependsOn).toEqual(expect.arrayContaining([sourceId, policyId]));
    // The statement: delivery.logs.amazonaws.com may create streams and put
    // events in this group only (a Ref to the group shown as <id>), under the
    // two source keys of the policy CloudWatch Logs writes itself.
    const [, parts] = (policy.Properties.PolicyDocument as { 'Fn::Join': [string, Json[]] })['Fn::Join'];
    const text = parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join('');
    expect(JSON.parse(text).Statement).toEqual([
      {
        Sid: 'VendedLogDeliveryWritesKnowledgeBaseLogs',
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:${TEST_ENV.region}:${TEST_ENV.account}:log-group:<${groupId}>:log-stream:*`,
        Condition: {
          StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:logs:${TEST_ENV.region}:${TEST_ENV.account}:*` },
        },
      },
    ]);
  });

  test('a new generation of the knowledge base gets a delivery source of its own; a chunking change keeps it', () => {
    const sourceName = (overrides: Record<string, unknown>) => {
      const other = synthesize(overrides);
      const t = Template.fromJSON(other.assembly.getStackByName(names.knowledge).template);
      return only(t, 'AWS::Logs::DeliverySource')[1].Properties.Name;
    };
    const first = sourceName({});
    expect(
      sourceName(matrixConfiguration('knowledge base: hierarchical chunking, small vectors, more passages')),
    ).not.toBe(first);
    expect(sourceName(matrixConfiguration('semantic chunking'))).toBe(first);
  });

  test('the promotion function knows the group, to name it in an ingestion alert', () => {
    const fn = Object.values(ingestion.findResources('AWS::Lambda::Function'))[0] as Resource;
    const env = (fn.Properties.Environment as { Variables: Record<string, Json> }).Variables;
    expect(env.KNOWLEDGE_BASE_LOG_GROUP).toEqual({
      'Fn::ImportValue': expect.stringMatching(new RegExp(`^${names.knowledge}:.*ApplicationLogsLogGroup`)),
    });
    expect(stacks.knowledge?.applicationLogs.logGroup).toBeDefined();
  });

  test('an output names the group for npm run verify and a reader', () => {
    knowledge.hasOutput('ApplicationLogGroupName', { Value: { Ref: groupId } });
  });
});
