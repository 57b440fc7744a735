/**
 * The project's customer managed policies (the invoker policy, the operator
 * policy, the enforced-guardrail user policy, the malware pass-role policy and
 * the stacks' own) that someone attached by hand to a user, role or group.
 *
 * CloudFormation detaches only what it attached itself; a policy attached by
 * hand makes the stack's delete fail, because IAM refuses: "Before you can
 * delete a managed policy, you must first detach the policy from all users,
 * groups, and roles that it is attached to"
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html).
 * Attachments to the stacks' own roles are left to CloudFormation, so a
 * stack whose delete fails still works as before.
 */
import {
  type ListEntitiesForPolicyCommandOutput,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  ListEntitiesForPolicyCommand,
} from '@aws-sdk/client-iam';
import { describeError, notFound, type Outcome, type TeardownClients } from './clients';
import type { DeployedStack } from './inventory';

export interface Attachment {
  readonly policyArn: string;
  /** The policy's stack and logical id, for the report. */
  readonly policy: string;
  readonly kind: 'user' | 'role' | 'group';
  readonly name: string;
}

const OWN_TYPES = { 'AWS::IAM::Role': 'role', 'AWS::IAM::User': 'user', 'AWS::IAM::Group': 'group' } as const;

/** Every attachment of a live stack's managed policy to a principal the stacks do not own. */
export async function foreignAttachments(
  clients: TeardownClients,
  stacks: readonly DeployedStack[],
): Promise<Attachment[]> {
  const live = stacks.filter((s) => !s.deleted);
  const own = new Set(
    live
      .flatMap((s) => s.resources)
      .filter((r) => r.type in OWN_TYPES)
      .map((r) => `${OWN_TYPES[r.type as keyof typeof OWN_TYPES]}:${r.physicalId}`),
  );
  const out: Attachment[] = [];
  for (const r of live.flatMap((s) => s.resources).filter((x) => x.type === 'AWS::IAM::ManagedPolicy')) {
    let Marker: string | undefined;
    do {
      const page = await clients.iam
        .send(new ListEntitiesForPolicyCommand({ PolicyArn: r.physicalId, Marker }))
        // A policy already deleted (by a delete that failed later on) has nothing attached.
        .catch((error: unknown): ListEntitiesForPolicyCommandOutput => {
          if (notFound(error, /NoSuchEntity/)) return { IsTruncated: false, $metadata: {} };
          throw error;
        });
      const entities: [Attachment['kind'], string | undefined][] = [
        ...(page.PolicyUsers ?? []).map((u) => ['user', u.UserName] as [Attachment['kind'], string | undefined]),
        ...(page.PolicyRoles ?? []).map((x) => ['role', x.RoleName] as [Attachment['kind'], string | undefined]),
        ...(page.PolicyGroups ?? []).map((g) => ['group', g.GroupName] as [Attachment['kind'], string | undefined]),
      ];
      for (const [kind, name] of entities) {
        if (name && !own.has(`${kind}:${name}`)) {
          out.push({ policyArn: r.physicalId, policy: `${r.stack}/${r.logicalId}`, kind, name });
        }
      }
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
  }
  return out;
}

/** Detach each; one already detached counts as done. */
export async function detachAll(clients: TeardownClients, attachments: readonly Attachment[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const a of attachments) {
    const step = `detach ${a.policyArn} from ${a.kind} ${a.name}`;
    try {
      if (a.kind === 'user') {
        await clients.iam.send(new DetachUserPolicyCommand({ UserName: a.name, PolicyArn: a.policyArn }));
      } else if (a.kind === 'role') {
        await clients.iam.send(new DetachRolePolicyCommand({ RoleName: a.name, PolicyArn: a.policyArn }));
      } else {
        await clients.iam.send(new DetachGroupPolicyCommand({ GroupName: a.name, PolicyArn: a.policyArn }));
      }
      out.push({ step, status: 'done' });
    } catch (error) {
      if (notFound(error, /NoSuchEntity/)) out.push({ step, status: 'gone' });
      else {
        const sso = a.kind === 'role' && a.name.startsWith('AWSReservedSSO_');
        out.push({
          step,
          status: 'failed',
          detail: `${describeError(error)}. ${
            sso
              ? 'An IAM Identity Center role can only be changed in Identity Center: remove the policy from the permission set, then run teardown again.'
              : `Detach it yourself (aws iam detach-${a.kind}-policy --${a.kind}-name ${a.name} --policy-arn ${a.policyArn}) or fix the permission (iam:Detach${a.kind[0].toUpperCase()}${a.kind.slice(1)}Policy), then run teardown again.`
          }`,
        });
      }
    }
  }
  return out;
}
