import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { parseConfig, type ProjectConfig } from './config';
import type { AgentStackProps } from './agent/agent-stack';
import type { DataProtectionStackProps } from './data-protection/data-protection-stack';
import type { GovernanceStackProps } from './governance/governance-stack';
import { digest, guardrailPolicy } from './guarded-ai/guardrail';
import type { GuardedInvokeStackProps } from './guarded-ai/guarded-invoke-stack';
import { customModelTarget, modelTarget } from './guarded-ai/model';
import * as path from 'node:path';
import { tokenPricesFor } from './operations/token-prices';
import type { IngestionStackProps } from './ingestion/ingestion-stack';
import type { Chunking } from './knowledge/chunking';
import { knowledgeKeyUses } from './knowledge/key-uses';
import { invocationLogKeyUse, invocationLogDelivery } from './operations/invocation-log-delivery';
import type { KnowledgeStackProps } from './knowledge/knowledge-stack';
import {
  COMPARISONS_PREFIX,
  CUSTOMIZATION_OUTPUT_PREFIX,
  TRAINING_APPROVED_PREFIX,
  TRAINING_INTAKE_PREFIX,
  EVALUATION_DATASETS_PREFIX,
  EVALUATION_RESULTS_PREFIX,
  INCOMING_PREFIX,
  KNOWLEDGE_PREFIX,
  MALWARE_PROTECTION_VALIDATION_OBJECT,
  MODEL_INVOCATIONS_PREFIX,
  REDTEAM_RUNS_PREFIX,
} from './shared/data-layout';
import {
  customizationJobRoleName,
  evaluationRoleName,
  guardrailVersionParameter,
  malwareProtectionRoleName,
  promotionRoleName,
  stackNames,
  trainingApprovalRoleName,
} from './shared/names';
import { customModelKeyStatement } from './customization/key-use';
import { approvedCustomModel, type ApprovedCustomModel } from './customization/approved-model';
import type { CustomizationStackProps } from './customization/customization-stack';
import { COMPARISONS_DIR, customizationBaseModel } from './shared/customization-contract';
import { macieDecryptStatement, threatDetectionKeyUses } from './threat-detection/key-uses';
import type { ThreatDetectionStackProps } from './threat-detection/threat-detection-stack';

/**
 * The configuration, translated once into the typed props of each stack: the
 * stacks and constructs know CDK types (RemovalPolicy, Duration, RetentionDays),
 * never the configuration's spelling.
 */

/** "destroy" only in a throwaway sandbox; everything stateful is kept otherwise. */
export function removalPolicyOf(config: ProjectConfig): RemovalPolicy {
  return config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** The schema allows only the periods CloudWatch Logs accepts, which are RetentionDays' values. */
export function logRetentionOf(config: ProjectConfig): logs.RetentionDays {
  return config.logRetentionDays as logs.RetentionDays;
}

const findingsExportOn = (config: ProjectConfig) => config.guardDutyFindingsExport && config.guardDuty !== 'off';

type OwnProps<P> = Omit<P, keyof import('aws-cdk-lib').StackProps>;

export function dataProtectionProps(config: ProjectConfig): OwnProps<DataProtectionStackProps> {
  const names = stackNames(config.appName);
  return {
    removalPolicy: removalPolicyOf(config),
    recordsRetention: Duration.days(config.recordsRetentionDays),
    noncurrentVersionRetention: Duration.days(config.noncurrentVersionRetentionDays),
    accessLogRetention: Duration.days(config.accessLogRetentionDays),
    objectLockRetention: config.objectLock ? Duration.days(config.objectLockRetentionDays) : undefined,
    // Every stack of this app is named "<appName>-...", and so are the log
    // groups CloudFormation names for them.
    logGroupNamePrefix: `${config.appName}-`,
    isolatedNetwork: config.isolatedNetwork
      ? {
          flowLogRetention: logRetentionOf(config),
          availabilityZones: config.availabilityZones.length > 0 ? config.availabilityZones : undefined,
          // The agent's plan store, which its executor reads and updates from
          // the network: CloudFormation names a table after its stack.
          dynamoDbTableNamePrefix: config.agent ? `${names.agent}-` : undefined,
          // Customization jobs run in the network and reach their data through its S3 endpoint.
          customizationJobRoleName: config.modelCustomization
            ? customizationJobRoleName(names.customization)
            : undefined,
        }
      : undefined,
    // What the threat-detection stack built on this one needs of the key.
    keyServiceUses: (stack) => [
      ...threatDetectionKeyUses(stack, {
        stackName: names.threatDetection,
        cloudTrail: config.cloudTrail,
        findingsExport: findingsExportOn(config),
        configRecorder: config.configRecorder === 'create',
      }),
      ...(config.knowledgeBase ? knowledgeKeyUses(stack) : []),
      ...(config.modelInvocationLogging === 'create' ? [invocationLogKeyUse(stack)] : []),
    ],
    keyStatements: (stack) => [
      ...(config.macie !== 'off' ? [macieDecryptStatement(stack)] : []),
      ...(config.modelCustomization ? [customModelKeyStatement()] : []),
    ],
    writeFenceExemptKeys: [
      ...(config.malwareProtection ? [MALWARE_PROTECTION_VALIDATION_OBJECT] : []),
      // The drop zone: anyone allowed by IAM may put documents there from
      // anywhere, because nothing there is trusted until it is promoted.
      ...(config.knowledgeBase ? [`${INCOMING_PREFIX}*`] : []),
      // Datasets and red-team runs are uploaded by people from their own
      // machines (npm run evaluate, npm run redteam), never by the function.
      `${EVALUATION_DATASETS_PREFIX}*`,
      `${REDTEAM_RUNS_PREFIX}*`,
      // Training data is uploaded from people's machines into the drop zone,
      // which nothing trusts until the approval function has checked it, and
      // comparisons are written by `npm run customize -- compare`.
      ...(config.modelCustomization ? [`${TRAINING_INTAKE_PREFIX}*`, `${COMPARISONS_PREFIX}*`] : []),
    ],
    serviceDeliveries: config.modelInvocationLogging === 'create' ? [modelInvocationLogDelivery(config)] : [],
    // GuardDuty's scan result is what promotion and approval trust: only its
    // role sets the tag, and the promoter, which keeps it when it adds its own.
    scanTagWriters: config.malwareProtection
      ? [
          malwareProtectionRoleName(names.threatDetection),
          ...(config.knowledgeBase ? [promotionRoleName(names.ingestion)] : []),
        ]
      : undefined,
    soleWriters: [
      ...(config.knowledgeBase ? [{ prefix: KNOWLEDGE_PREFIX, roleName: promotionRoleName(names.ingestion) }] : []),
      // Evaluation results are what the model card and the people approving it
      // rely on: only Bedrock, working as the evaluation role, writes them.
      { prefix: EVALUATION_RESULTS_PREFIX, roleName: evaluationRoleName(names.governance) },
      // A training set is what the custom model learns: only the approval
      // function writes approved data, only Bedrock (as the job role) job output.
      ...(config.modelCustomization
        ? [
            { prefix: TRAINING_APPROVED_PREFIX, roleName: trainingApprovalRoleName(names.customization) },
            { prefix: CUSTOMIZATION_OUTPUT_PREFIX, roleName: customizationJobRoleName(names.customization) },
          ]
        : []),
    ],
  };
}

/** Bedrock's invocation logs in the data bucket, kept as long as the audit records. */
function modelInvocationLogDelivery(config: ProjectConfig) {
  return invocationLogDelivery(MODEL_INVOCATIONS_PREFIX, Duration.days(config.recordsRetentionDays));
}

/** The chunking settings, as one typed value. */
export function chunkingOf(config: ProjectConfig): Chunking {
  switch (config.chunkingStrategy) {
    case 'fixed-size':
      return { strategy: 'fixed-size', maxTokens: config.chunkMaxTokens, overlapPercent: config.chunkOverlapPercent };
    case 'semantic':
      return { strategy: 'semantic', maxTokens: config.chunkMaxTokens };
    case 'hierarchical':
      return { strategy: 'hierarchical', childMaxTokens: config.chunkMaxTokens };
    case 'none':
      return { strategy: 'none' };
  }
}

export function knowledgeProps(config: ProjectConfig): Omit<OwnProps<KnowledgeStackProps>, 'key' | 'dataBucket'> {
  // The project's defaults: the settings whose knowledge base keeps the names
  // it had before names carried a digest of them.
  const defaults = parseConfig({});
  return {
    embeddingModelId: config.embeddingModelId,
    dimensions: config.embeddingDimensions,
    chunking: chunkingOf(config),
    removalPolicy: removalPolicyOf(config),
    logRetention: logRetentionOf(config),
    firstGeneration: {
      embeddingModelId: defaults.embeddingModelId,
      dimensions: defaults.embeddingDimensions,
      chunking: chunkingOf(defaults),
    },
  };
}

export function ingestionProps(
  config: ProjectConfig,
): Pick<IngestionStackProps, 'logRetention' | 'removalPolicy' | 'binaryDocuments'> {
  return {
    logRetention: logRetentionOf(config),
    binaryDocuments: config.binaryDocuments,
    removalPolicy: removalPolicyOf(config),
  };
}

export function guardedInvokeProps(
  config: ProjectConfig,
  comparisonsDir?: string,
): Omit<OwnProps<GuardedInvokeStackProps>, 'key' | 'dataBucket' | 'vpc'> {
  const approved = approvedModelOf(config, comparisonsDir);
  const base = modelTarget(config.modelId);
  return {
    // The approved custom model in place of the configured one, and only then.
    model: approved ? customModelTarget(base, approved.deploymentArn, approved.customModelArn) : base,
    filterStrength: config.guardrailFilterStrength,
    groundingThreshold: config.groundingThreshold,
    relevanceThreshold: config.relevanceThreshold,
    maxTokensCap: config.maxTokensCap,
    inCodeSpans: config.inCodeSpans,
    reservedConcurrency: config.invokeReservedConcurrency > 0 ? config.invokeReservedConcurrency : undefined,
    logRetention: logRetentionOf(config),
    auditRecords: config.auditRecords,
    removalPolicy: removalPolicyOf(config),
    enforcedGuardrail: config.enforcedGuardrail === 'create',
    // The knowledge base's embedding calls return vectors, not answers.
    enforcedGuardrailExcludedModels: config.knowledgeBase ? [config.embeddingModelId] : [],
    guardrailVersionParameter: config.agent ? guardrailVersionParameterOf(config) : undefined,
  };
}

export function governanceProps(
  config: ProjectConfig,
): Omit<OwnProps<GovernanceStackProps>, 'key' | 'dataBucket' | 'invoke'> {
  return {
    model: modelTarget(config.modelId),
    // The same policy the guardrail is built from, so the card can never describe another.
    guardrailPolicy: guardrailPolicy({
      filterStrength: config.guardrailFilterStrength,
      groundingThreshold: config.groundingThreshold,
      relevanceThreshold: config.relevanceThreshold,
    }),
    riskRating: config.modelRiskRating,
    cardStatus: config.modelCardStatus,
    cardReviewedDigest: config.modelCardReviewedDigest === '' ? undefined : config.modelCardReviewedDigest,
    knowledgeBase: config.knowledgeBase,
    enforcedGuardrail: config.enforcedGuardrail === 'create',
    removalPolicy: removalPolicyOf(config),
  };
}

export function threatDetectionProps(
  config: ProjectConfig,
): Omit<OwnProps<ThreatDetectionStackProps>, 'key' | 'dataBucket'> {
  return {
    removalPolicy: removalPolicyOf(config),
    noncurrentVersionRetention: Duration.days(config.noncurrentVersionRetentionDays),
    accessLogRetention: Duration.days(config.accessLogRetentionDays),
    logRetention: logRetentionOf(config),
    guardDuty:
      config.guardDuty === 'create'
        ? { kind: 'create', features: config.guardDutyFeatures }
        : config.guardDuty === 'existing'
          ? { kind: 'existing', detectorId: config.guardDutyDetectorId }
          : undefined,
    findingsExport: findingsExportOn(config),
    malwareProtection: config.malwareProtection,
    macie: config.macie,
    accessAnalyzer: config.accessAnalyzer,
    unusedAccessAnalyzer: config.unusedAccessAnalyzer,
    unusedAccessAge: Duration.days(config.unusedAccessAgeDays),
    cloudTrail: config.cloudTrail,
    securityHub: config.securityHub === 'create',
    configRecorder: config.configRecorder,
    alertSeverity: config.alertSeverity,
    alertEmail: config.alertEmail === '' ? undefined : config.alertEmail,
    // The app's alarms (named `<app>-...`) reach the same topic as findings.
    alarmNamePrefix: `${config.appName}-`,
    // The promotion queues of the ingestion stack use the alert key.
    scanResultQueues: config.knowledgeBase,
  };
}

export function operationsProps(config: ProjectConfig) {
  return {
    dailyTokenBudget: config.dailyTokenBudget,
    tokenPrices: tokenPricesFor(modelTarget(config.modelId).foundationModelId),
    invocationLogging:
      config.modelInvocationLogging === 'create'
        ? {
            prefix: MODEL_INVOCATIONS_PREFIX,
            logRetention: logRetentionOf(config),
            removalPolicy: removalPolicyOf(config),
          }
        : undefined,
  };
}

export function agentProps(
  config: ProjectConfig,
): Pick<AgentStackProps, 'model' | 'logRetention' | 'removalPolicy' | 'guardrailVersionParameter'> {
  return {
    model: modelTarget(config.modelId),
    guardrailVersionParameter: guardrailVersionParameterOf(config),
    logRetention: logRetentionOf(config),
    removalPolicy: removalPolicyOf(config),
  };
}

/** Where GuardedInvoke publishes the version of the guardrail this configuration builds. */
function guardrailVersionParameterOf(config: ProjectConfig): string {
  const policy = guardrailPolicy({
    filterStrength: config.guardrailFilterStrength,
    groundingThreshold: config.groundingThreshold,
    relevanceThreshold: config.relevanceThreshold,
  });
  return guardrailVersionParameter(stackNames(config.appName).guardedInvoke, digest(policy));
}

/** Where `npm run customize -- compare` writes comparisons: customization/comparisons/ of the repository. */
export const COMPARISONS_DIR_PATH = path.join(__dirname, '..', COMPARISONS_DIR);

/** The custom model customModelApproval approves, checked at synth (approved-model.ts); none without an approval. */
export function approvedModelOf(
  config: ProjectConfig,
  comparisonsDir: string = COMPARISONS_DIR_PATH,
): ApprovedCustomModel | undefined {
  return config.customModelApproval === ''
    ? undefined
    : approvedCustomModel(config.customModelApproval, config.modelId, comparisonsDir);
}

export function customizationProps(
  config: ProjectConfig,
  comparisonsDir?: string,
): Pick<CustomizationStackProps, 'model' | 'baseModelIdentifier' | 'approved' | 'logRetention' | 'removalPolicy'> {
  const model = modelTarget(config.modelId);
  const baseModelIdentifier = customizationBaseModel(model.foundationModelId);
  // parseConfig refuses modelCustomization for any other model.
  if (!baseModelIdentifier) throw new Error(`${config.modelId} cannot be fine-tuned`);
  return {
    model,
    baseModelIdentifier,
    approved: approvedModelOf(config, comparisonsDir),
    logRetention: logRetentionOf(config),
    removalPolicy: removalPolicyOf(config),
  };
}
