import { App, Environment, Token } from 'aws-cdk-lib';
import { attachComplianceGate, type ComplianceGate, type ComplianceGateOptions } from './compliance/gate';
import { assertFitsRegion, parseConfig, ProjectConfig } from './config';
import { AgentStack } from './agent/agent-stack';
import { CustomizationStack } from './customization/customization-stack';
import { DataProtectionStack } from './data-protection/data-protection-stack';
import { GovernanceStack } from './governance/governance-stack';
import { GuardedInvokeStack } from './guarded-ai/guarded-invoke-stack';
import { IngestionStack } from './ingestion/ingestion-stack';
import { KnowledgeStack } from './knowledge/knowledge-stack';
import { OperationsStack } from './operations/operations-stack';
import { ThreatDetectionStack } from './threat-detection/threat-detection-stack';
import { alertDeadLetterQueueName, scanResultRuleName, stackNames } from './shared/names';
import {
  agentProps,
  customizationProps,
  dataProtectionProps,
  governanceProps,
  guardedInvokeProps,
  ingestionProps,
  knowledgeProps,
  operationsProps,
  threatDetectionProps,
} from './stack-props';

export interface ProjectAppProps {
  /**
   * Context for the App. `bin/` leaves it unset, so the CLI's context (cdk.json
   * and `-c`) is used; tests pass cdk.json's context plus their overrides.
   * @default - the context the CDK CLI supplies
   */
  readonly context?: Record<string, unknown>;
  /**
   * Account and region to deploy to.
   * @default - environment-agnostic stacks
   */
  readonly env?: Environment;
  /** @default - the CLI's output directory, or a temporary one */
  readonly outdir?: string;
  /**
   * Put the app behind the compliance gate. `bin/` always does;
   * tools/build-app.ts leaves it off for ordinary test syntheses, `npm run cost`
   * and the bench (the gate matrix proves every configuration the tests use).
   * @default true
   */
  readonly complianceGate?: boolean | ComplianceGateOptions;
  /**
   * Where the comparisons that customModelApproval names are read
   * (`<sha256>.json` files, written by `npm run customize -- compare`).
   * @default - customization/comparisons/ of the repository
   */
  readonly comparisonsDir?: string;
}

export interface ProjectApp {
  readonly app: App;
  /** The compliance plugins, unless the gate was turned off. */
  readonly gate?: ComplianceGate;
  readonly config: ProjectConfig;
  readonly stacks: {
    readonly dataProtection: DataProtectionStack;
    readonly guardedInvoke: GuardedInvokeStack;
    readonly threatDetection: ThreatDetectionStack;
    /** The knowledge base and the path into it, when the knowledgeBase setting is on. */
    readonly knowledge?: KnowledgeStack;
    readonly ingestion?: IngestionStack;
    readonly operations: OperationsStack;
    readonly governance: GovernanceStack;
    /** The guarded agent, when the agent setting is on. */
    readonly agent?: AgentStack;
    /** Guarded model customization, when the modelCustomization setting is on. */
    readonly customization?: CustomizationStack;
  };
}

/**
 * Build the whole app: validated configuration, every stack, the compliance gate.
 *
 * The single recipe shared by `bin/app.ts` and tools/build-app.ts (tests,
 * scripts, bench), so that what the tests check is exactly what `cdk synth` produces.
 */
export function createProjectApp(props: ProjectAppProps = {}): ProjectApp {
  const gateOption = props.complianceGate ?? true;
  // CDK's built-in schema check ("CloudFormation Validate") is one of the
  // gate's reports. Outside the gate it would only cost time (about 3 s to start
  // its engine in each process, and most of every synthesis): it changes no
  // template, and the context flag that names it only turns its errors into
  // warnings, so the App's own switch is what leaves it out.
  const app = new App({
    context: props.context,
    outdir: props.outdir,
    builtinCloudFormationValidation: gateOption !== false,
  });
  const gate = gateOption ? attachComplianceGate(app, gateOption === true ? {} : gateOption) : undefined;
  const config = parseConfig(app.node.getAllContext());
  const env = props.env;
  if (env?.region && !Token.isUnresolved(env.region)) assertFitsRegion(config, env.region);

  const names = stackNames(config.appName);

  const dataProtection = new DataProtectionStack(app, names.dataProtection, {
    env,
    description: 'KMS key and encrypted, access-logged S3 buckets for the guarded generative AI reference (stateful).',
    ...dataProtectionProps(config),
  });
  const knowledge = config.knowledgeBase
    ? new KnowledgeStack(app, names.knowledge, {
        env,
        description:
          'Bedrock knowledge base on an encrypted S3 Vectors index, reading only the promoted documents (stateful: the index).',
        ...knowledgeProps(config),
        key: dataProtection.key,
        dataBucket: dataProtection.dataBucket.bucket,
      })
    : undefined;
  const knowledgeBase = knowledge?.knowledgeBase.reference();
  const guardedInvoke = new GuardedInvokeStack(app, names.guardedInvoke, {
    env,
    description: 'Bedrock guardrail and the streaming invoke function behind it (stateless).',
    ...guardedInvokeProps(config, props.comparisonsDir),
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket,
    vpc: dataProtection.network?.vpc,
    // Read from SSM when the stack is deployed, not imported: a new
    // generation of the knowledge base is never blocked by an export in use.
    knowledgeBase: knowledgeBase && {
      id: knowledgeBase.id,
      arn: knowledgeBase.arn,
      resultsCap: config.retrievalResultsCap,
    },
  });
  if (knowledge) guardedInvoke.addStackDependency(knowledge, 'it reads the knowledge base id its stack publishes');
  const governance = new GovernanceStack(app, names.governance, {
    env,
    description:
      'AI governance: the model-evaluation service role, the SageMaker model card of this deployment and the policy for the people who red-team and evaluate it (stateful: the model card).',
    ...governanceProps(config),
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket.bucket,
    invoke: {
      functionArn: guardedInvoke.invoke.function.functionArn,
      guardrailArn: guardedInvoke.guardrail.guardrailArn,
      // A strong reference: a key is never replaced.
      guardrailKeyArn: guardedInvoke.guardrailKey.key.keyArn,
    },
  });
  const threatDetection = new ThreatDetectionStack(app, names.threatDetection, {
    env,
    description:
      'GuardDuty, Malware Protection for S3, Macie, IAM Access Analyzer, CloudTrail and Security Hub around the data, with alerts that reach a person (account-level services).',
    ...threatDetectionProps(config),
    key: dataProtection.key,
    dataBucket: dataProtection.dataBucket,
  });
  // Built on the data-protection stack in every configuration
  // (docs/deployment-order.md). With every finding service off it imports
  // nothing from it (the alert topic has a key of its own), so the order is
  // declared: switching a service on later must not reorder the stacks.
  threatDetection.addStackDependency(dataProtection, 'it watches the data bucket and encrypts with the project key');
  const ingestion = knowledge
    ? new IngestionStack(app, names.ingestion, {
        env,
        description:
          'The only way into the knowledge base: documents dropped under incoming/ are promoted after the malware scan and the guardrail check (stateless).',
        ...ingestionProps(config),
        key: dataProtection.key,
        dataBucket: dataProtection.dataBucket.bucket,
        // The key that encrypts guardrails alone, as a strong reference (a key
        // is never replaced); the ingestion guardrail is the stack's own.
        guardrailKeyArn: guardedInvoke.guardrailKey.key.keyArn,
        knowledgeBase: {
          ...(knowledgeBase ?? knowledge.knowledgeBase.reference()),
          // A strong reference: the log group is never replaced.
          logGroupName: knowledge.applicationLogs.logGroup.logGroupName,
        },
        alertTopic: threatDetection.alerts.topic,
        // A strong reference: a key is never replaced.
        alertKeyArn: threatDetection.alerts.key.keyArn,
      })
    : undefined;
  if (ingestion && knowledge)
    ingestion.addStackDependency(knowledge, 'it reads the knowledge base ids its stack publishes');
  const { invocationLogging, ...operationsSettings } = operationsProps(config);
  const operations = new OperationsStack(app, names.operations, {
    env,
    description:
      'A dashboard and alarms for the guarded invoke service that page the same person as a security finding (stateless).',
    ...operationsSettings,
    invoke: {
      functionName: guardedInvoke.invoke.function.functionName,
      modelId: config.modelId,
      logGroupName: guardedInvoke.invoke.logGroup.logGroupName,
      answerTimeout: guardedInvoke.invoke.answerTimeout,
    },
    alertTopic: threatDetection.alerts.topic,
    alertRuleNames: threatDetection.alerts.ruleNames,
    alertDeadLetterQueueName: alertDeadLetterQueueName(names.threatDetection),
    knowledge: ingestion && {
      promotionFunctionName: ingestion.promotion.function.functionName,
      scanResultRuleName: scanResultRuleName(stackNames(config.appName).ingestion),
    },
    invocationLogging: invocationLogging && {
      ...invocationLogging,
      key: dataProtection.key,
      bucket: dataProtection.dataBucket.bucket,
    },
  });
  const agent = config.agent
    ? new AgentStack(app, names.agent, {
        env,
        description:
          "A Bedrock agent behind the project guardrail whose tools act only on the signed-in customer's own plan, after a person confirms any change (stateful: the plan store).",
        ...agentProps(config),
        key: dataProtection.key,
        dataBucket: dataProtection.dataBucket,
        isolation: agentIsolation(dataProtection, guardedInvoke),
        guardrail: {
          id: guardedInvoke.guardrail.guardrailId,
          arn: guardedInvoke.guardrail.guardrailArn,
          // A strong reference: a key is never replaced.
          keyArn: guardedInvoke.guardrailKey.key.keyArn,
        },
      })
    : undefined;
  agent?.addStackDependency(guardedInvoke, 'it reads the guardrail version that stack publishes');
  const customization = config.modelCustomization
    ? new CustomizationStack(app, names.customization, {
        env,
        description:
          'Guarded model customization: the only way into a training set, the role fine-tuning jobs work as, and the card of an approved custom model (stateless but for the card).',
        ...customizationProps(config, props.comparisonsDir),
        key: dataProtection.key,
        dataBucket: dataProtection.dataBucket.bucket,
        guardrail: {
          arn: guardedInvoke.guardrail.guardrailArn,
          // A strong reference: a key is never replaced.
          keyArn: guardedInvoke.guardrailKey.key.keyArn,
        },
        vpc: dataProtection.network?.vpc,
        outputStacks: [names.dataProtection, names.guardedInvoke],
      })
    : undefined;
  return {
    app,
    gate,
    config,
    stacks: {
      dataProtection,
      guardedInvoke,
      threatDetection,
      knowledge,
      ingestion,
      operations,
      governance,
      agent,
      customization,
    },
  };
}

/** The isolated network and its X-Ray endpoint, for the agent's executor, when isolatedNetwork is on. */
function agentIsolation(dataProtection: DataProtectionStack, guardedInvoke: GuardedInvokeStack) {
  const vpc = dataProtection.network?.vpc;
  const endpoints = guardedInvoke.invoke.isolation?.endpoints;
  return vpc && endpoints ? { vpc, xrayEndpointSecurityGroup: endpoints.securityGroup } : undefined;
}
