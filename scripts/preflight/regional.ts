/**
 * What the region offers, for what the configuration switches on: the
 * CloudFormation resource types the stacks declare (a type the region's
 * registry does not know fails the whole stack at validation), the embedding
 * model, model evaluation and GuardDuty's protection plans.
 */
import { GetFoundationModelCommand } from '@aws-sdk/client-bedrock';
import { DescribeTypeCommand } from '@aws-sdk/client-cloudformation';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import { EVALUATION_REGIONS } from '../evaluate';
import { type AccountClients, type AccountSettings, cannotInspect, type Part } from './account';
import { explain } from './model';

/** A resource type the stacks declare when a setting is on, and what to do where the region lacks it. */
interface RegionalType {
  readonly typeName: string;
  readonly needed: (settings: AccountSettings) => boolean;
  readonly fix: string;
}

const KNOWLEDGE_BASE_FIX =
  'The Knowledge and Ingestion stacks need it: deploy to a region that offers it, or set -c knowledgeBase=false.';

/**
 * Taken from the CDK classes the stacks use, so the check follows the code.
 * Model evaluation has no resource type (jobs are API calls, see
 * evaluationNote); the knowledge base on S3 Vectors needs all three types.
 */
export const REGIONAL_TYPES: readonly RegionalType[] = [
  {
    typeName: s3vectors.CfnVectorBucket.CFN_RESOURCE_TYPE_NAME,
    needed: (s) => s.knowledgeBase,
    fix: KNOWLEDGE_BASE_FIX,
  },
  { typeName: s3vectors.CfnIndex.CFN_RESOURCE_TYPE_NAME, needed: (s) => s.knowledgeBase, fix: KNOWLEDGE_BASE_FIX },
  {
    typeName: bedrock.CfnKnowledgeBase.CFN_RESOURCE_TYPE_NAME,
    needed: (s) => s.knowledgeBase,
    fix: KNOWLEDGE_BASE_FIX,
  },
  {
    typeName: bedrock.CfnEnforcedGuardrailConfiguration.CFN_RESOURCE_TYPE_NAME,
    needed: (s) => s.enforcedGuardrail === 'create',
    fix: 'Account-wide enforcement is not offered here: set -c enforcedGuardrail=off (the project guardrail still guards every call of the invoke function).',
  },
  {
    typeName: guardduty.CfnMalwareProtectionPlan.CFN_RESOURCE_TYPE_NAME,
    needed: (s) => s.malwareProtection,
    fix: 'Malware Protection for S3 is not offered here: set -c malwareProtection=false (and -c knowledgeBase=false, which promotes documents on the scan result), or deploy to another region.',
  },
];

/**
 * DescribeType "Returns detailed information about an extension from the
 * CloudFormation registry in your current account and Region"; for a type the
 * registry does not hold it answers TypeNotFoundException ("The specified
 * extension doesn't exist in the CloudFormation registry").
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeType.html
 */
async function inspectType(clients: AccountClients, type: RegionalType, region: string): Promise<Part> {
  try {
    await clients.cloudformation.send(new DescribeTypeCommand({ Type: 'RESOURCE', TypeName: type.typeName }));
    return { checks: [{ ok: true, what: `CloudFormation offers ${type.typeName} in ${region}` }] };
  } catch (error) {
    if (error instanceof Error && error.name === 'TypeNotFoundException') {
      return {
        checks: [{ ok: false, what: `CloudFormation does not offer ${type.typeName} in ${region}`, fix: type.fix }],
      };
    }
    const setting = type.typeName.includes('Enforced')
      ? 'enforcedGuardrail'
      : type.typeName.includes('Malware')
        ? 'malwareProtection'
        : 'knowledgeBase';
    return cannotInspect(type.typeName, setting, error, region, 'cloudformation:DescribeType');
  }
}

/** The knowledge base embeds with this model in this region: it must be offered here and allowed on demand. */
async function inspectEmbeddingModel(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
  if (!settings.knowledgeBase) return {};
  const id = settings.embeddingModelId;
  try {
    const { modelDetails } = await clients.bedrock.send(new GetFoundationModelCommand({ modelIdentifier: id }));
    const active = modelDetails?.modelLifecycle?.status === 'ACTIVE';
    return {
      checks: [
        {
          ok: active,
          what: `embedding model ${id} is ${modelDetails?.modelLifecycle?.status ?? 'unknown'} in ${region}`,
          fix: 'The knowledge base cannot embed documents with it: deploy to a region that offers it, or set -c knowledgeBase=false.',
        },
      ],
    };
  } catch (error) {
    return {
      checks: [
        {
          ok: false,
          what: `embedding model ${id} in ${region}`,
          fix: `${explain(error, region, 'bedrock:GetFoundationModel')} Or set -c knowledgeBase=false.`,
        },
      ],
    };
  }
}

/**
 * Model evaluation has no resource type: the Governance stack deploys
 * everywhere, and `npm run evaluate` is what a region without it refuses.
 */
function evaluationNote(region: string): Part {
  if (EVALUATION_REGIONS.includes(region)) {
    return { checks: [{ ok: true, what: `model evaluation (npm run evaluate) is offered in ${region}` }] };
  }
  return {
    checks: [{ ok: true, what: `model evaluation is not listed for ${region}; the stacks do not need it` }],
    notes: [
      `${region} is not in the regions https://docs.aws.amazon.com/bedrock/latest/userguide/evaluation-support.html lists for model evaluation: npm run evaluate may be refused here (the Governance stack still deploys; run evaluations from a listed region).`,
    ],
  };
}

/**
 * GuardDuty protection plans AWS documents as missing in a region, from
 * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_regions.html
 * ("Region-specific feature availability"): "RDS Protection is not supported
 * in Asia Pacific (Taipei) (ap-east-2) Region." Whether CreateDetector refuses
 * such a feature or ignores it is not documented, so preflight leaves it out.
 */
export const UNSUPPORTED_GUARDDUTY_FEATURES: Readonly<Record<string, readonly string[]>> = {
  'ap-east-2': ['RDS_LOGIN_EVENTS'],
};

function inspectGuardDutyFeatures(settings: AccountSettings, region: string): Part {
  if (settings.guardDuty !== 'create') return {};
  const unsupported = UNSUPPORTED_GUARDDUTY_FEATURES[region] ?? [];
  const dropped = settings.guardDutyFeatures.filter((f) => unsupported.includes(f));
  // GovCloud and China keep their own feature lists (the same page refers to their guides).
  const elsewhere = /^(us-gov-|cn-)/.test(region)
    ? [
        `GuardDuty's feature availability in ${region} is documented in that partition's own guide (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_regions.html refers to it): check guardDutyFeatures (${settings.guardDutyFeatures.join(',')}) against it.`,
      ]
    : [];
  if (dropped.length === 0) {
    return {
      checks: [
        {
          ok: true,
          what: `GuardDuty features ${settings.guardDutyFeatures.join(', ')}: none documented as missing in ${region}`,
        },
      ],
      notes: elsewhere,
    };
  }
  const kept = settings.guardDutyFeatures.filter((f) => !dropped.includes(f));
  return {
    flags: { guardDutyFeatures: kept.join(',') },
    checks: [
      {
        ok: true,
        what: `GuardDuty does not support ${dropped.join(', ')} in ${region}: guardDutyFeatures=${kept.join(',')}`,
      },
    ],
    notes: elsewhere,
  };
}

export async function inspectRegionalSupport(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part[]> {
  const types = REGIONAL_TYPES.filter((t) => t.needed(settings));
  return Promise.all([
    ...types.map((t) => inspectType(clients, t, region)),
    inspectEmbeddingModel(clients, settings, region),
    Promise.resolve(evaluationNote(region)),
    Promise.resolve(inspectGuardDutyFeatures(settings, region)),
  ]);
}
