/**
 * What the app has in the account, read from CloudFormation itself: the
 * app's stacks (live, and deleted ones whose retained resources may still
 * exist), each stack's deployed template (the DeletionPolicy that will really
 * apply, whatever the local configuration says today) and its resources'
 * physical ids.
 *
 * Deleted stacks stay readable: "For deleted stacks, GetTemplate returns the
 * template for up to 90 days after the stack has been deleted" and deleted
 * stacks must be named by their unique stack ID
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html).
 * That is what lets a second run continue after a partial failure without a
 * state file of our own.
 */
import {
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStacksCommand,
  type StackResourceSummary,
  type StackSummary,
} from '@aws-sdk/client-cloudformation';
import { stackNames } from '../../lib/shared/names';
import { stackResourceList } from '../cli/stack-outputs';
import type { TeardownClients } from './clients';

/** The app's stacks in the order `cdk deploy --all` creates them (lib/project-app.ts); deletion runs backwards. */
export function appOrder(appName: string): string[] {
  const n = stackNames(appName);
  return [
    n.dataProtection,
    n.knowledge,
    n.guardedInvoke,
    n.governance,
    n.threatDetection,
    n.ingestion,
    n.operations,
    n.agent,
    // Last: it builds on DataProtection and GuardedInvoke (modelCustomization=true).
    n.customization,
  ];
}

/** DeletionPolicy values under which CloudFormation leaves the resource when the stack is deleted. */
const RETAINING = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

export interface Resource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly deletionPolicy: string;
  readonly updateReplacePolicy: string;
  /** Left in the account when the stack is deleted. */
  readonly retained: boolean;
}

export interface DeployedStack {
  readonly name: string;
  readonly id: string;
  readonly status: string;
  readonly deleted: boolean;
  readonly resources: readonly Resource[];
  /** Export names this stack's outputs publish (live stacks). */
  readonly exports: readonly string[];
  /** Export names its template imports (Fn::ImportValue). */
  readonly imports: readonly string[];
}

interface Template {
  Resources?: Record<string, { Type?: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
}

function importsIn(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => importsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Fn::ImportValue' && typeof value === 'string') found.add(value);
      else importsIn(value, found);
    }
  }
  return found;
}

async function allSummaries(clients: TeardownClients): Promise<StackSummary[]> {
  const out: StackSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.cloudformation.send(new ListStacksCommand({ NextToken }));
    out.push(...(page.StackSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

function resourcesOf(clients: TeardownClients, stackId: string): Promise<StackResourceSummary[]> {
  return stackResourceList(clients.cloudformation, stackId);
}

async function readStack(clients: TeardownClients, summary: StackSummary): Promise<DeployedStack> {
  const id = summary.StackId ?? summary.StackName ?? '';
  const name = summary.StackName ?? id;
  const deleted = summary.StackStatus === 'DELETE_COMPLETE';
  const { TemplateBody } = await clients.cloudformation.send(
    new GetTemplateCommand({ StackName: id, TemplateStage: 'Original' }),
  );
  let template: Template;
  try {
    template = JSON.parse(TemplateBody ?? '{}') as Template;
  } catch {
    throw new Error(
      `the deployed template of ${name} is not JSON (CDK deploys JSON); was it deployed by this project?`,
    );
  }
  const declared = template.Resources ?? {};
  const resources = (await resourcesOf(clients, id))
    // Resources CloudFormation already deleted (a deleted stack, or one whose delete failed half-way)
    // are gone; the skipped ones were retained.
    .filter((r) => r.ResourceStatus !== 'DELETE_COMPLETE')
    .filter((r) => r.PhysicalResourceId)
    .map((r): Resource => {
      const logicalId = r.LogicalResourceId ?? '';
      const deletionPolicy = declared[logicalId]?.DeletionPolicy ?? 'Delete';
      return {
        stack: name,
        logicalId,
        type: r.ResourceType ?? declared[logicalId]?.Type ?? '',
        physicalId: r.PhysicalResourceId ?? '',
        deletionPolicy,
        updateReplacePolicy: declared[logicalId]?.UpdateReplacePolicy ?? 'Delete',
        retained: RETAINING.has(deletionPolicy),
      };
    });
  let exports: string[] = [];
  if (!deleted) {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: id }));
    exports = (Stacks?.[0]?.Outputs ?? []).map((o) => o.ExportName ?? '').filter(Boolean);
  }
  return {
    name,
    id,
    status: summary.StackStatus ?? 'UNKNOWN',
    deleted,
    resources,
    exports,
    imports: [...importsIn(declared, new Set())],
  };
}

/**
 * The app's stacks: every live one, and every deleted one CloudFormation
 * still lists (its retained resources may outlive it, from this teardown or
 * an earlier `cdk destroy`).
 */
export async function readInventory(clients: TeardownClients, appName: string): Promise<DeployedStack[]> {
  const ours = new Set(appOrder(appName));
  const summaries = (await allSummaries(clients)).filter((s) => ours.has(s.StackName ?? ''));
  const stacks: DeployedStack[] = [];
  for (const summary of summaries) stacks.push(await readStack(clients, summary));
  return stacks;
}

/**
 * Live stacks in the order to delete them: a stack goes only once no other
 * remaining stack imports its exports (CloudFormation refuses otherwise), and
 * among those the app's creation order backwards.
 */
export function deletionOrder(stacks: readonly DeployedStack[], appName: string): DeployedStack[] {
  const rank = new Map(appOrder(appName).map((name, i) => [name, i]));
  let remaining = stacks.filter((s) => !s.deleted);
  const order: DeployedStack[] = [];
  while (remaining.length > 0) {
    const importedByOthers = (s: DeployedStack) =>
      remaining.some((other) => other !== s && other.imports.some((i) => s.exports.includes(i)));
    const free = remaining.filter((s) => !importedByOthers(s));
    // A cycle cannot be deployed, so it cannot be found either; fall back to the app's order rather than loop.
    const next = (free.length > 0 ? free : remaining).sort(
      (a, b) => (rank.get(b.name) ?? 0) - (rank.get(a.name) ?? 0),
    )[0];
    order.push(next);
    remaining = remaining.filter((s) => s !== next);
  }
  return order;
}

/** Every resource left behind by deleting the stacks, once each (a deleted stack and its redeployment may share none, or a fixed name). */
export function retainedResources(stacks: readonly DeployedStack[]): Resource[] {
  const seen = new Set<string>();
  const out: Resource[] = [];
  for (const r of stacks.flatMap((s) => s.resources)) {
    const key = `${r.type} ${r.physicalId}`;
    if (!r.retained || seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}
