/**
 * Physical names and identifiers the way AWS hands them out, so that tests
 * evaluate policies against the names a deployment really has, truncation
 * included, rather than against `${stackName}-${logicalId}`.
 *
 * Names CloudFormation generates (a resource whose template sets no name):
 * modelled on `IdentifierUtils.generateResourceIdentifier(stackId,
 * logicalResourceId, clientRequestToken, maxLength)` of the CloudFormation
 * resource-provider Java plugin,
 * https://github.com/aws-cloudformation/cloudformation-cli-java-plugin/blob/master/src/main/java/software/amazon/cloudformation/resource/IdentifierUtils.java
 * - the type's length limit, less the random suffix and its dash, less one
 *   dash between stack name and logical id, is what the two may use;
 * - that room is split fairly between the stack name and the logical id: each
 *   gets half, and whatever one does not need goes to the other;
 * - the stack name loses leading dashes and runs of dashes;
 * - `<stack part>-<logical part>-<suffix>`.
 * A real name that shows the split: a Lambda function (limit 64) of a
 * 26-character stack, `ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d`
 * (25 + 1 + 25 + 1 + 12), https://github.com/KensioSoftware/yulin/issues/1113.
 *
 * The suffix is random in AWS; here it is derived from a hash of stack name,
 * logical id and type, so names are stable between runs, with the length and
 * alphabet AWS uses for the type (see `SUFFIX_STYLES`).
 */
import { createHash } from 'node:crypto';

/** The suffix alphabets seen in real generated names. */
const ALPHABETS = {
  /** The Java plugin: `RandomStringUtils.random(12, 0, 0, true, true, …)` (letters and digits, both cases). */
  mixed: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  lower: 'abcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
} as const;

interface SuffixStyle {
  readonly length: number;
  readonly alphabet: keyof typeof ALPHABETS;
  /** A real generated name of the type, or why none is cited. */
  readonly evidence: string;
}

const SUFFIX_STYLES = {
  /** Registry (resource-provider) types: the Java plugin's GUID_LENGTH 12, mixed case. */
  provider: {
    length: 12,
    alphabet: 'mixed',
    evidence:
      'ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d, https://github.com/KensioSoftware/yulin/issues/1113',
  },
  /** Legacy S3 names: 13 characters, lowercase (a bucket name cannot hold capitals). */
  s3: {
    length: 13,
    alphabet: 'lower',
    evidence: 'ash-s3-test-staticbucket-1hgn7cc7bhnak, https://github.com/ministryofjustice/bootstrap-cfn/issues/123',
  },
  /**
   * SQS queues and SNS topics are registry types too: the provider algorithm,
   * 12 mixed-case characters and the fair split, not the 13 (SQS) or 12 (SNS)
   * capitals of the CloudFormation reference pages' old examples
   * (`mystack-myqueue-1VF9BKQH5BJVI`, `mystack-mytopic-NZJ5JSMVGFIE`). Evidence
   * as the harness review (December 2026, section 3) gives it: an observed
   * queue name of 2025 that is 49 + 1 + 17 + 1 + 12 characters in mixed case,
   * and the SNS provider's CreateHandler calling
   * `IdentifierUtils.generateResourceIdentifier(stackId, logicalId, token,
   * TOPIC_NAME_MAX_LENGTH)`.
   */
  sqs: {
    length: 12,
    alphabet: 'mixed',
    evidence:
      'StackSet-master-config-exclusion-cfn-bb504b54-5f7-SQSConfigRecorder-PgvEuTNmRU9F (49 + 1 + 17 + 1 + 12, mixed case), https://github.com/aws-samples/aws-control-tower-config-customization/issues/36',
  },
  sns: {
    length: 12,
    alphabet: 'mixed',
    evidence:
      'the SNS provider names a topic with IdentifierUtils.generateResourceIdentifier(stackId, logicalId, token, TOPIC_NAME_MAX_LENGTH), aws-cloudformation/aws-cloudformation-resource-providers-sns, aws-sns-topic/src/main/java/software/amazon/sns/topic/CreateHandler.java',
  },
} as const satisfies Record<string, SuffixStyle>;

/** How CloudFormation names one resource type when the template does not. */
export interface NamedType {
  /** The property through which a template names the resource itself. */
  readonly nameProperty: string;
  /** The longest name the service accepts, and where AWS says so. */
  readonly maxLength: number;
  readonly limitCitation: string;
  /** Whether the name is lowercased (S3 bucket names cannot hold capitals). */
  readonly lowercase?: boolean;
  readonly suffix: SuffixStyle;
}

/**
 * The types the app lets CloudFormation name. A type missing here fails the
 * test that needs its name, rather than getting an invented one.
 */
export const NAMED_TYPES: Readonly<Record<string, NamedType>> = {
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    maxLength: 63,
    lowercase: true,
    limitCitation: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
    suffix: SUFFIX_STYLES.s3,
  },
  // Registry types, so the provider's suffix; lowercased because S3 Vectors
  // names hold only lowercase letters, digits and hyphens (and dots, for an index).
  'AWS::S3Vectors::VectorBucket': {
    nameProperty: 'VectorBucketName',
    maxLength: 63,
    lowercase: true,
    limitCitation: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-buckets-naming.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::S3Vectors::Index': {
    nameProperty: 'IndexName',
    maxLength: 63,
    lowercase: true,
    limitCitation: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-indexes.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxLength: 64,
    limitCitation: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    maxLength: 128,
    limitCitation: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxLength: 64,
    limitCitation: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxLength: 512,
    limitCitation: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    maxLength: 64,
    limitCitation: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    maxLength: 80,
    limitCitation: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html',
    suffix: SUFFIX_STYLES.sqs,
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    maxLength: 256,
    limitCitation: 'https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html',
    suffix: SUFFIX_STYLES.sns,
  },
  // A registry type (aws-cloudformation/aws-cloudformation-resource-providers-dynamodb):
  // the provider's generated-name algorithm, as for SQS and SNS.
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    maxLength: 255,
    limitCitation: 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html',
    suffix: SUFFIX_STYLES.provider,
  },
  'AWS::CloudTrail::Trail': {
    nameProperty: 'TrailName',
    maxLength: 128,
    limitCitation: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html',
    suffix: SUFFIX_STYLES.provider,
  },
};

/** Deterministic stand-in for a random string: `length` characters of `alphabet`, from a hash of `seed`. */
export function pseudoRandom(seed: string, length: number, alphabet: keyof typeof ALPHABETS): string {
  const chars = ALPHABETS[alphabet];
  let out = '';
  for (let round = 0; out.length < length; round++) {
    for (const byte of createHash('sha256').update(`${round}:${seed}`).digest()) {
      if (out.length === length) break;
      out += chars[byte % chars.length];
    }
  }
  return out;
}

/** The Java plugin's `fairSplit`: share `cap` between requests, none getting more than it asks. */
function fairSplit(cap: number, requested: readonly number[]): number[] {
  const allocated = requested.map(() => 0);
  let remaining = cap;
  while (remaining > 0) {
    const share = remaining < requested.length ? 1 : Math.floor(remaining / requested.length);
    let satisfied = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocated[i] < requested[i]) {
        const more = Math.min(share, requested[i] - allocated[i]);
        allocated[i] += more;
        remaining -= more;
      } else {
        satisfied++;
      }
      if (remaining <= 0 || satisfied === requested.length) return allocated;
    }
  }
  return allocated;
}

/**
 * The name CloudFormation gives a resource of `type` that the template leaves
 * unnamed: `<stack>-<logical id>-<suffix>`, each part cut to fit the type's limit.
 */
export function generatedName(stackName: string, logicalId: string, type: string): string {
  const spec = NAMED_TYPES[type];
  if (!spec) throw new Error(`no CloudFormation naming rule for ${type}; add it to NAMED_TYPES with its limit`);
  const { maxLength, suffix } = spec;
  const stack = stackName.replace(/^-+/, '').replace(/-{2,}/g, '-');
  // One dash between stack and logical id, one before the suffix (the plugin
  // drops the first under 18 characters; no type here is that short).
  const free = maxLength - (suffix.length + 1) - 1;
  const [stackChars, idChars] = fairSplit(free, [stack.length, logicalId.length]);
  const name = `${stack.slice(0, stackChars)}-${logicalId.slice(0, idChars)}-${pseudoRandom(
    `${stackName}/${logicalId}/${type}`,
    suffix.length,
    suffix.alphabet,
  )}`;
  return spec.lowercase ? name.toLowerCase() : name;
}

/**
 * Identifiers AWS assigns (not names): their documented shapes.
 * - KMS key id: a UUID, https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-id
 * - VPC, subnet, security group, VPC endpoint: prefix and 17 hex digits,
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 * - GuardDuty detector id: 32 lowercase hex characters,
 *   https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html
 * - Bedrock guardrail id: 12 lowercase letters and digits (`[a-z0-9]+`),
 *   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateGuardrail.html
 */
export function assignedId(
  kind: 'kms-key' | 'vpc' | 'subnet' | 'sg' | 'vpce' | 'detector' | 'guardrail' | 'uuid',
  seed: string,
): string {
  const hex = (n: number) => pseudoRandom(`${kind}/${seed}`, n, 'hex');
  switch (kind) {
    case 'kms-key':
    case 'uuid': {
      const h = hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    }
    case 'vpc':
    case 'subnet':
    case 'sg':
    case 'vpce':
      return `${kind}-0${hex(16)}`;
    case 'detector':
      return hex(32);
    case 'guardrail':
      return pseudoRandom(`${kind}/${seed}`, 12, 'lower');
  }
}
