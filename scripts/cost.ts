/**
 * npm run cost: what an idle sandbox costs per month and what one request
 * costs, per stack and per switch, computed from the synthesized templates
 * (resources counted, guardrail policies read) and the unit prices in
 * docs/prices.json. Writes docs/cost.md; a test keeps
 * them in step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { THREAT_DETECTION_OFF } from '../tools/configurations';
import { buildProjectApp } from '../tools/build-app';
import { GENERATOR_OPTIONS, README, replaceBlock, ROOT, writeOrCheck } from './generated-block';
import type { CommandSpec } from './cli/command';
import { runCommand } from './run-cli';
import { cloudWatchAllowance, cloudWatchListMonth, type CloudWatchUse, cloudWatchUse } from './cost/cloudwatch';

export const REPORT = path.join(ROOT, 'docs', 'cost.md');
/** The deploying guide, whose "Before you deploy" section carries the cost summary. */
export const DEPLOYING = path.join(ROOT, 'docs', 'deploying.md');
/** The generated block in README.md and docs/deploying.md. */
export const SUMMARY_BLOCK = 'cost-summary';
const PRICES = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'prices.json'), 'utf8'));
const HOURS_PER_MONTH = 730;

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export interface CostLine {
  readonly configuration: string;
  readonly stack: string;
  /** At list price, no free tier counted. */
  readonly idleMonth: number;
  readonly perRequest: number;
  readonly drivers: string;
  /** Dashboards and alarm metrics, for the account-wide CloudWatch allowance of the totals. */
  readonly cloudWatch: CloudWatchUse;
}

function templates(overrides: Record<string, unknown>): Record<string, Resources> {
  // Costs are read from the templates alone: no gate, no Lambda bundle.
  const { app } = buildProjectApp(overrides);
  const assembly = app.synth();
  return Object.fromEntries(
    assembly.stacks.map((s) => [s.stackName, (s.template as { Resources: Resources }).Resources]),
  );
}

const ofType = (resources: Resources, type: string) => Object.values(resources).filter((r) => r.Type === type);

/** Idle month and one request for one stack, from its resources. */
function stackCost(resources: Resources): {
  idleMonth: number;
  perRequest: number;
  drivers: string[];
  cloudWatch: CloudWatchUse;
} {
  const p = PRICES.prices;
  const r = PRICES.request;
  const drivers: string[] = [];
  let idleMonth = 0;
  let perRequest = 0;

  const keys = ofType(resources, 'AWS::KMS::Key').length;
  if (keys) {
    idleMonth += keys * p.kmsKeyPerMonth;
    drivers.push(`${keys} KMS key`);
  }
  const interfaceEndpoints = ofType(resources, 'AWS::EC2::VPCEndpoint').filter(
    (e) => e.Properties?.VpcEndpointType === 'Interface',
  );
  const endpointAzs = interfaceEndpoints.reduce((n, e) => n + ((e.Properties?.SubnetIds as unknown[]) ?? []).length, 0);
  if (endpointAzs) {
    idleMonth += endpointAzs * HOURS_PER_MONTH * p.interfaceEndpointPerAzHour;
    perRequest += (r.viaEndpointKb / 2 ** 20) * p.endpointDataPerGb;
    drivers.push(`${interfaceEndpoints.length} interface endpoints × ${endpointAzs / interfaceEndpoints.length} AZs`);
  }
  // Functions that serve requests; custom-resource providers run only on deployment.
  const servingFunctions = ofType(resources, 'AWS::Lambda::Function').filter(
    (fn) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.MODEL_ID,
  );
  for (const fn of servingFunctions) {
    const memoryGb = Number(fn.Properties?.MemorySize ?? 128) / 1024;
    perRequest += memoryGb * r.functionSeconds * p.lambdaArmPerGbSecond + p.lambdaRequestsPerMillion / 1e6;
    perRequest += (r.logKb / 2 ** 20) * p.logsIngestPerGb + p.xrayTracesPerMillion / 1e6;
    const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    if (env.AUDIT_BUCKET) {
      perRequest += p.s3PutPer1000 / 1000 + (r.auditRecordKb / 2 ** 20) * p.s3StandardPerGbMonth;
      drivers.push('audit record');
    }
    if (env.KNOWLEDGE_BASE_ID) {
      // Priced on the Knowledge line, where the index and the embedding model live.
      drivers.push('retrieval requests add a query embedding and an S3 Vectors query');
    }
    if (String(env.MODEL_ID ?? '').includes('nova-micro')) {
      perRequest +=
        (r.inputTokens / 1e6) * p.novaMicroInputPerMillionTokens +
        (r.outputTokens / 1e6) * p.novaMicroOutputPerMillionTokens;
      drivers.push('Nova Micro tokens');
    } else if (env.MODEL_ID) {
      drivers.push(`model tokens for ${String(env.MODEL_ID)} not priced here`);
    }
    drivers.push('Lambda, logs, trace');
  }
  // Enforced account-wide, the same guardrail screens each of the function's
  // calls a second time (AWS does not say it deduplicates), and every other
  // Bedrock call of the account too (not counted: not this app's traffic).
  const screenings = ofType(resources, 'AWS::Bedrock::EnforcedGuardrailConfiguration').length ? 2 : 1;
  // Per request only where a serving function uses the guardrail; the
  // ingestion guardrail is priced per document (ingestionCost).
  for (const guardrail of servingFunctions.length ? ofType(resources, 'AWS::Bedrock::Guardrail') : []) {
    const props = guardrail.Properties ?? {};
    const units = r.inputTextUnits + r.outputTextUnits;
    let per1000 = 0;
    if (props.ContentPolicyConfig) per1000 += p.guardrailContentFiltersPer1000TextUnits * units;
    if (props.TopicPolicyConfig) per1000 += p.guardrailDeniedTopicsPer1000TextUnits * units;
    // PII is evaluated on answers only (inputEnabled false for masked types; blocked types both ways).
    if (props.SensitiveInformationPolicyConfig) per1000 += p.guardrailSensitiveInformationPer1000TextUnits * units;
    perRequest += (screenings * per1000) / 1000;
    drivers.push('guardrail text units (grounding checks extra, only with a grounding source)');
    if (screenings === 2) {
      drivers.push(
        'the account-wide enforced guardrail screens each call again, and every other Bedrock call of the account too (not counted)',
      );
    }
  }
  if (ofType(resources, 'AWS::SageMaker::ModelCard').length) {
    drivers.push(
      'no charge for the model card and roles; each npm run evaluate job bills the model tokens of its prompts (about 100 per built-in dataset), each npm run redteam run about 240 requests (or guardrail text units alone with --guardrail-only)',
    );
  }
  if (ofType(resources, 'AWS::EC2::FlowLog').length) drivers.push('flow logs (per GB ingested)');
  const cloudWatch = cloudWatchUse(resources);
  const parts = [
    cloudWatchCost(resources, cloudWatch),
    threatDetectionCost(resources),
    knowledgeCost(resources),
    ingestionCost(resources),
    operationsCost(resources),
    agentCost(resources),
    customizationCost(resources),
  ];
  return {
    idleMonth: parts.reduce((sum, part) => sum + part.idleMonth, idleMonth),
    perRequest: parts.reduce((sum, part) => sum + part.perRequest, perRequest),
    drivers: [...drivers, ...parts.flatMap((part) => part.drivers)],
    cloudWatch,
  };
}

type PartCost = { idleMonth: number; perRequest: number; drivers: string[] };

/**
 * Dashboards and alarms, at list price: CloudWatch bills an alarm per metric
 * it retrieves, so an alarm on a math expression over three rules costs
 * three. The always-free allowance is counted in the totals only, where the
 * whole app is (scripts/cost/cloudwatch.ts).
 */
function cloudWatchCost(resources: Resources, use: CloudWatchUse): PartCost {
  const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').length;
  const alarmMetrics = use.standardAlarmMetrics + use.otherAlarmMetrics;
  const drivers = [
    ...(use.dashboardMetrics.length ? [`${use.dashboardMetrics.length} CloudWatch dashboard`] : []),
    ...(alarms
      ? [alarms === alarmMetrics ? `${alarms} CloudWatch alarm` : `${alarms} alarms (${alarmMetrics} alarm metrics)`]
      : []),
  ];
  return { idleMonth: cloudWatchListMonth([use], PRICES.prices), perRequest: 0, drivers };
}

/**
 * The guarded agent: nothing runs while idle (the store is on demand; its
 * point-in-time recovery bills per GB of a table of a few customers). Per
 * request means per agent turn (prices.json, agentTurn): the model tokens of
 * each orchestration step, the project guardrail's text units (its content,
 * denied-topic and sensitive-information policies), and the tool calls.
 */
function agentCost(resources: Resources): PartCost {
  const agents = ofType(resources, 'AWS::Bedrock::Agent');
  if (!agents.length) return { idleMonth: 0, perRequest: 0, drivers: [] };
  const p = PRICES.prices;
  const t = PRICES.agentTurn;
  const drivers = ['store and point-in-time recovery (per GB)'];
  let perRequest = 0;
  const model = String(agents[0].Properties?.FoundationModel ?? '');
  if (model.includes('nova-micro')) {
    perRequest +=
      t.modelCalls *
      ((t.inputTokensPerCall / 1e6) * p.novaMicroInputPerMillionTokens +
        (t.outputTokensPerCall / 1e6) * p.novaMicroOutputPerMillionTokens);
    drivers.push(`Nova Micro tokens of ${t.modelCalls} orchestration steps`);
  } else {
    drivers.push(`model tokens for ${model} not priced here`);
  }
  const guardrailPer1000 =
    p.guardrailContentFiltersPer1000TextUnits +
    p.guardrailDeniedTopicsPer1000TextUnits +
    p.guardrailSensitiveInformationPer1000TextUnits;
  perRequest += (t.guardrailTextUnits * guardrailPer1000) / 1000;
  const executor = ofType(resources, 'AWS::Lambda::Function').find(
    (fn) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.TABLE_NAME,
  );
  const memoryGb = Number(executor?.Properties?.MemorySize ?? 128) / 1024;
  const perToolCall =
    memoryGb * t.toolSeconds * p.lambdaArmPerGbSecond +
    p.lambdaRequestsPerMillion / 1e6 +
    p.s3PutPer1000 / 1000 +
    (PRICES.request.logKb / 2 ** 20) * p.logsIngestPerGb +
    p.xrayTracesPerMillion / 1e6 +
    (t.writesPerToolCall * p.dynamoDbWritePerMillion + t.readsPerToolCall * p.dynamoDbReadPerMillion) / 1e6;
  perRequest += t.toolCalls * perToolCall;
  drivers.push('guardrail text units', 'tool calls (Lambda, audit record, DynamoDB requests)');
  return { idleMonth: 0, perRequest, drivers };
}

/**
 * Model customization: the stack bills nothing idle (roles, a function, a
 * guardrail). What bills exists only once `npm run customize` makes it, so it
 * is priced here as an example, not in the monthly totals: a job of the
 * example batch (prices.json, customization.exampleBatch), the custom model's
 * storage per month, and the approval's guardrail screen of that batch.
 */
function customizationCost(resources: Resources): PartCost {
  const approval = ofType(resources, 'AWS::Lambda::Function').find(
    (fn) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.BASE_MODEL,
  );
  if (!approval) return { idleMonth: 0, perRequest: 0, drivers: [] };
  const c = PRICES.customization;
  const base = String(
    (approval.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.BASE_MODEL,
  );
  const batch = c.exampleBatch;
  const tokens = Math.ceil(batch.characters / 4) * batch.epochs;
  const training = (tokens / 1000) * (c.trainingPer1000Tokens[base] ?? 0);
  const screen =
    (Math.ceil(batch.characters / 1000) * PRICES.prices.guardrailSensitiveInformationPer1000TextUnits) / 1000;
  const money = (n: number) => `$${n.toFixed(2)}`;
  return {
    idleMonth: 0,
    perRequest: 0,
    drivers: [
      `nothing idle; only what npm run customize creates bills (unverified prices): approving the example batch (${batch.description.replace(/^An example batch: /, '').replace(/\.$/, '')}) about ${money(screen)} of guardrail text units, a job on it about ${money(training)} (${base}), the custom model ${money(c.storagePerModelMonth)} a month until deleted, and its on-demand use at the base model's token prices`,
    ],
  };
}

/**
 * The knowledge store: S3 Vectors bills what it stores and each query, with
 * nothing running while idle; Bedrock bills the embedding of each query.
 * Per request means per retrieval request.
 */
function knowledgeCost(resources: Resources): PartCost {
  const p = PRICES.prices;
  if (!ofType(resources, 'AWS::S3Vectors::Index').length) return { idleMonth: 0, perRequest: 0, drivers: [] };
  return {
    idleMonth: PRICES.idle.vectorStoreGb * p.s3VectorsStoragePerGbMonth,
    perRequest:
      p.s3VectorsQueriesPerMillion / 1e6 + (PRICES.request.queryEmbeddingTokens / 1e6) * p.titanEmbedV2PerMillionTokens,
    drivers: [
      `S3 Vectors storage (${PRICES.idle.vectorStoreGb * 1000} MB)`,
      'per retrieval: one vector query and the Titan V2 embedding of the prompt (vector writes are on the Ingestion line)',
    ],
  };
}

/**
 * The promotion path, per document promoted (PRICES.document): the queue,
 * one function run, the guardrail's sensitive-information check of a text
 * document, the copy to knowledge/ and its own malware scan, and the
 * embedding and vector writes of the ingestion job it starts. Idle, only the
 * dead-letter alarm costs anything (cloudWatchCost).
 */
function ingestionCost(resources: Resources): PartCost {
  const p = PRICES.prices;
  const d = PRICES.document;
  const promoters = ofType(resources, 'AWS::Lambda::Function').filter(
    (fn) =>
      (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.DATA_SOURCE_ID,
  );
  if (!promoters.length) return { idleMonth: 0, perRequest: 0, drivers: [] };
  let perRequest = 0;
  for (const fn of promoters) {
    const memoryGb = Number(fn.Properties?.MemorySize ?? 128) / 1024;
    perRequest += memoryGb * d.functionSeconds * p.lambdaArmPerGbSecond + p.lambdaRequestsPerMillion / 1e6;
  }
  const documentGb = d.documentKb / 2 ** 20;
  perRequest += (d.sqsRequests / 1e6) * p.sqsRequestsPerMillion;
  perRequest += (d.textUnits / 1000) * p.guardrailSensitiveInformationPer1000TextUnits;
  perRequest += p.s3PutPer1000 / 1000 + documentGb * p.s3StandardPerGbMonth;
  perRequest += p.malwareScanPer1000Objects / 1000 + documentGb * p.malwareScanPerGb;
  perRequest += (d.embeddingTokens / 1e6) * p.titanEmbedV2PerMillionTokens;
  perRequest += (Math.max(d.vectorPutKb, p.s3VectorsPutMinimumKb) / 2 ** 20) * p.s3VectorsPutPerGb;
  return {
    idleMonth: 0,
    perRequest,
    drivers: [
      'per document: SQS, a Lambda run, guardrail sensitive-information text units (text only), the copy and its malware scan, embedding tokens and vector writes at ingestion',
    ],
  };
}

/**
 * The operations stack's per-request part: with Bedrock model-invocation
 * logging on, each request adds its invocation log to CloudWatch Logs and to
 * S3 (priced here, where the configuration lives). Its dashboard and alarms
 * are standing charges (cloudWatchCost).
 */
function operationsCost(resources: Resources): PartCost {
  const p = PRICES.prices;
  const r = PRICES.request;
  if (!ofType(resources, 'Custom::ModelInvocationLogging').length) return { idleMonth: 0, perRequest: 0, drivers: [] };
  const logGb = r.invocationLogKb / 2 ** 20;
  return {
    idleMonth: 0,
    perRequest: logGb * p.logsIngestPerGb + p.s3PutPer1000 / 1000 + logGb * p.s3StandardPerGbMonth,
    drivers: ['per request: the Bedrock invocation log in CloudWatch Logs and in S3'],
  };
}

/**
 * The threat-detection services: billed by what they analyse, so the idle
 * month follows PRICES.idle (a quiet sandbox account) and "per request" is
 * per audit record written to the watched bucket.
 */
function threatDetectionCost(resources: Resources): PartCost {
  const p = PRICES.prices;
  const idle = PRICES.idle;
  const recordGb = PRICES.request.auditRecordKb / 2 ** 20;
  const drivers: string[] = [];
  let idleMonth = 0;
  let perRequest = 0;
  if (ofType(resources, 'AWS::GuardDuty::Detector').length) {
    idleMonth += (idle.managementEventsPerMonth / 1e6) * p.guardDutyManagementEventsPerMillion;
    perRequest += p.guardDutyS3DataEventsPerMillion / 1e6;
    drivers.push('GuardDuty events analysed');
  }
  if (ofType(resources, 'AWS::GuardDuty::MalwareProtectionPlan').length) {
    perRequest += p.malwareScanPer1000Objects / 1000 + recordGb * p.malwareScanPerGb;
    drivers.push('malware scan per object');
  }
  if (ofType(resources, 'Custom::MacieClassificationJob').length) {
    // Macie's inventory covers every bucket of the account, not only ours.
    idleMonth += p.macieBucketPerMonth * idle.s3BucketsInAccount;
    perRequest += recordGb * p.macieDiscoveryPerGb;
    drivers.push(`Macie bucket monitoring (${idle.s3BucketsInAccount} buckets in the account) and GB classified`);
  }
  const unused = ofType(resources, 'AWS::AccessAnalyzer::Analyzer').filter(
    (a) => a.Properties?.Type === 'ACCOUNT_UNUSED_ACCESS',
  );
  if (unused.length) {
    idleMonth += idle.iamRolesAndUsers * p.unusedAccessPerRoleOrUserMonth;
    drivers.push(`unused-access analyzer (${idle.iamRolesAndUsers} roles and users)`);
  }
  if (ofType(resources, 'AWS::CloudTrail::Trail').length) {
    idleMonth += idle.trailLogGbPerMonth * p.logsIngestPerGb;
    perRequest += p.cloudTrailDataEventsPer100k / 1e5;
    drivers.push('trail data events and log ingestion');
  }
  if (ofType(resources, 'AWS::Config::ConfigurationRecorder').length) {
    idleMonth += idle.configItemsPerMonth * p.configItemRecordedEach;
    drivers.push(`AWS Config items recorded (${idle.configItemsPerMonth})`);
  }
  if (ofType(resources, 'AWS::SecurityHub::Hub').length) {
    idleMonth += idle.securityHubChecksPerMonth * p.securityHubCheckEach;
    drivers.push(`Security Hub checks (${idle.securityHubChecksPerMonth})`);
  }
  return { idleMonth, perRequest, drivers };
}

export const COST_CONFIGURATIONS: readonly (readonly [string, Record<string, unknown>])[] = [
  ['default', {}],
  ['isolatedNetwork=true', { isolatedNetwork: true }],
  ['configRecorder=create', { configRecorder: 'create' }],
  ['securityHub=create, configRecorder=create', { securityHub: 'create', configRecorder: 'create' }],
  // Named by its flags, so a reader can deploy exactly this line.
  [
    Object.entries(THREAT_DETECTION_OFF)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', '),
    THREAT_DETECTION_OFF,
  ],
  ['knowledgeBase=false', { knowledgeBase: false }],
  ['modelInvocationLogging=off', { modelInvocationLogging: 'off' }],
  ['enforcedGuardrail=create', { enforcedGuardrail: 'create' }],
  // Off by default: both bill per resource of the whole account (docs/cost.md says what each adds back).
  ['macie=create', { macie: 'create' }],
  ['unusedAccessAnalyzer=create', { unusedAccessAnalyzer: 'create' }],
  // Off by default: Bedrock Agents is closed to new accounts (docs/agent.md), and Nova fine-tuning is
  // offered in us-east-1 only (docs/customization.md). Idle, neither adds anything.
  ['agent=true, modelCustomization=true', { agent: true, modelCustomization: true }],
];

export function costLines(): CostLine[] {
  return COST_CONFIGURATIONS.flatMap(([configuration, overrides]) =>
    Object.entries(templates(overrides)).map(([stack, resources]) => {
      const { idleMonth, perRequest, drivers, cloudWatch } = stackCost(resources);
      return {
        configuration,
        stack,
        idleMonth,
        perRequest,
        drivers: drivers.join(', ') || 'storage only (per GB)',
        cloudWatch,
      };
    }),
  );
}

const usd = (v: number, digits: number) => `$${v.toFixed(digits)}`;

/** One configuration's whole bill: what a reader compares before deploying. */
export interface CostTotal {
  readonly configuration: string;
  /** At list price. */
  readonly idleMonth: number;
  /** With CloudWatch's always-free allowance taken off, as if the app were alone in the account. */
  readonly idleMonthAllowanceCounted: number;
  /** One question to the Function URL: every stack but Ingestion prices one (see prices.json). */
  readonly perQuestion: number;
  /** One document through the ingestion path (the Ingestion stack's "request"). */
  readonly perDocument: number;
}

const isIngestion = (stack: string) => stack.endsWith('-Ingestion');
/** The Agent stack prices an agent turn, not a question to the Function URL. */
const isAgent = (stack: string) => stack.endsWith('-Agent');

export function costTotals(lines: readonly CostLine[]): CostTotal[] {
  return COST_CONFIGURATIONS.map(([configuration]) => {
    const of = lines.filter((l) => l.configuration === configuration);
    const sum = (ls: readonly CostLine[], pick: (l: CostLine) => number) => ls.reduce((t, l) => t + pick(l), 0);
    const idleMonth = sum(of, (l) => l.idleMonth);
    return {
      configuration,
      idleMonth,
      idleMonthAllowanceCounted:
        idleMonth -
        cloudWatchAllowance(
          of.map((l) => l.cloudWatch),
          PRICES.prices,
        ),
      perQuestion: sum(
        of.filter((l) => !isIngestion(l.stack) && !isAgent(l.stack)),
        (l) => l.perRequest,
      ),
      perDocument: sum(
        of.filter((l) => isIngestion(l.stack)),
        (l) => l.perRequest,
      ),
    };
  });
}

export function totalsTable(totals: readonly CostTotal[]): string {
  const base = totals.find((t) => t.configuration === 'default');
  if (!base) throw new Error('the totals need the default configuration');
  const versus = (t: CostTotal) => {
    const delta = t.idleMonthAllowanceCounted - base.idleMonthAllowanceCounted;
    return t === base ? '—' : `${delta < 0 ? '−' : '+'}${usd(Math.abs(delta), 2)}`;
  };
  return [
    '| configuration | idle month, CloudWatch allowance counted | idle month, list price | idle month against the default (allowance counted) | per 1,000 questions | per 1,000 documents ingested |',
    '| --- | --- | --- | --- | --- | --- |',
    ...totals.map(
      (t) =>
        `| ${t.configuration} | ${usd(t.idleMonthAllowanceCounted, 2)} | ${usd(t.idleMonth, 2)} | ${versus(t)} | ${usd(t.perQuestion * 1000, 2)} | ${usd(t.perDocument * 1000, 2)} |`,
    ),
  ].join('\n');
}

/** The few lines a reader sees before the deploy step (README and docs/deploying.md). */
export function costSummary(totals: readonly CostTotal[]): string {
  const of = (name: string) => totals.find((t) => t.configuration === name);
  const base = of('default');
  const isolated = of('isolatedNetwork=true');
  if (!base || !isolated) throw new Error('costSummary needs the default and isolatedNetwork=true configurations');
  return [
    `The default configuration idles at about **${usd(base.idleMonthAllowanceCounted, 2)} a month** (${PRICES.region}, list prices with CloudWatch's always-free allowance of 3 dashboards and 10 alarm metrics counted; ${usd(base.idleMonth, 2)} without it, for an account whose other dashboards and alarms use the allowance up) and adds about ${usd(base.perQuestion * 1000, 2)} per 1,000 questions and ${usd(base.perDocument * 1000, 2)} per 1,000 documents ingested. With \`isolatedNetwork=true\` it idles at about ${usd(isolated.idleMonthAllowanceCounted, 2)} a month (interface endpoints bill by the hour).`,
    'Macie and the unused-access analyzer are off by default because they bill per bucket and per role of the whole account; GuardDuty plans and invocation logging of every Bedrock call also grow with the account. [docs/cost.md](docs/cost.md) has each stack, what each switch adds back and the assumptions.',
  ].join('\n\n');
}

export function costTable(lines: readonly CostLine[]): string {
  return [
    `Unit prices: ${PRICES.region}, checked ${PRICES.checked} (docs/prices.json). ${PRICES.request.description} ${PRICES.document.description} For the Agent stack, per request means per agent turn. ${PRICES.agentTurn.description}`,
    '',
    '| configuration | stack | idle month | per request | what drives it |',
    '| --- | --- | --- | --- | --- |',
    ...lines.map(
      (l) => `| ${l.configuration} | ${l.stack} | ${usd(l.idleMonth, 2)} | ${usd(l.perRequest, 6)} | ${l.drivers} |`,
    ),
    '',
    'Storage (S3, S3 Vectors, logs) is charged per GB kept and is near zero in an idle sandbox. GuardDuty, Macie and Security Hub offer 30-day free trials per account, not counted here; GuardDuty plans for EC2, EKS, RDS and containers cost nothing without such workloads. The external-access analyzer is free. The per-stack lines are at list price; the totals also show them with the CloudWatch always-free allowance counted (three dashboards of up to 50 metrics and ten standard-resolution alarm metrics a month, per account: other dashboards and alarms of the account use it first).',
  ].join('\n');
}

export function fullReport(lines: readonly CostLine[]): string {
  return [
    '# Cost of a sandbox',
    '',
    'Generated by `npm run cost`; do not edit by hand.',
    '',
    PRICES.basis,
    '',
    '## Totals',
    '',
    `The idle month assumes: ${PRICES.idle.description} ${PRICES.idle.configItemsDescription}`,
    '',
    "Each configuration, all its stacks together. A question is one request to the Function URL (every stack but Ingestion prices it); a document is one file through the ingestion path. The first column counts CloudWatch's always-free allowance (3 dashboards of up to 50 metrics, 10 standard-resolution alarm metrics a month: https://aws.amazon.com/cloudwatch/pricing/) as if the app were alone in the account; the second is list price, what the app adds where other dashboards and alarms already use the allowance. The third column is what a switch adds back to (or takes off) the default.",
    '',
    totalsTable(costTotals(lines)),
    '',
    '## Per stack',
    '',
    costTable(lines),
    '',
  ].join('\n');
}

export const command = {
  name: 'cost',
  summary: 'Regenerate docs/cost.md: idle month and per-request cost per stack and switch.',
  description:
    'Computes what an idle sandbox costs per month and what one request costs, per stack and per switch, from the synthesized templates (resources counted, guardrail policies read) and the unit prices in docs/prices.json. Needs no AWS account.',
  options: GENERATOR_OPTIONS,
  examples: ['npm run cost', 'npm run cost -- --check'],
} as const satisfies CommandSpec;

runCommand(module, command, async ({ values }, io) => {
  const lines = costLines();
  io.out(costTable(lines));
  const summary = costSummary(costTotals(lines));
  const files = [
    { file: REPORT, text: fullReport(lines) },
    ...[README, DEPLOYING].map((file) => ({
      file,
      text: replaceBlock(
        fs.readFileSync(file, 'utf8'),
        SUMMARY_BLOCK,
        file === README ? summary : summary.replace(/\(docs\//g, '('),
      ),
    })),
  ];
  return writeOrCheck(files, values.check, io, command.name);
});
