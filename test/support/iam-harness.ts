/**
 * Least-privilege harness: evaluates real requests against the real policies of
 * the synthesized templates with an IAM policy simulator.
 *
 * `@cloud-copilot/iam-simulate` is AGPL-3.0. It is a devDependency used only
 * here, by the tests; nothing that is deployed or bundled imports it.
 *
 * Templates contain CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join,
 * Fn::ImportValue). The harness resolves them to the physical names and ARNs a
 * deployment in TEST_ENV would have, naming each resource after its logical ID,
 * and refuses to guess: an intrinsic it does not know fails the test.
 */
import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { CfnElement, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
}
interface Template {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
}
export type PolicyDocument = { Version?: string; Statement: Record<string, Json>[] };
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** A caller: an IAM role of the app, a role of another account, or nobody. */
export type Caller =
  | { readonly role: IConstruct }
  | { readonly arn: string; readonly identityPolicies: PolicyDocument[] }
  /** An AWS service principal (`events.amazonaws.com`): only resource policies (bucket, key, topic, trust) can let it in. */
  | { readonly service: string }
  | 'anonymous';

export interface Request {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  /** Request context; sensible TLS defaults are added unless given. */
  readonly context?: Record<string, string | string[]>;
  /** The VPC endpoint the request travels through: its policy applies and aws:SourceVpce is set. */
  readonly viaEndpoint?: IConstruct;
}

/**
 * The simulator knows `kms:EncryptionContext:<key>` only when <key> has no
 * colon, so it would drop `kms:EncryptionContext:aws:s3:arn` (the key S3 uses)
 * from a request and never match it in a policy. The harness renames that key,
 * identically in the policies and in the request context, to a variable-style
 * key the simulator accepts for KMS keys. The condition operators, values and
 * missing-key behaviour are unchanged, so the decision is the same.
 */
const ENCRYPTION_CONTEXT_KEY = /^kms:EncryptionContext:(.+)$/i;
function aliasEncryptionContext<T>(value: T): T {
  const rename = (key: string) => key.replace(ENCRYPTION_CONTEXT_KEY, 'aws:ResourceTag/encryption-context.$1');
  const walk = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(walk)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, inner]) => [rename(k), walk(inner)]))
        : v;
  return walk(value) as T;
}

/** Context of a well-behaved HTTPS request (TLS 1.3 where the service reports it). */
function secureDefaults(action: string): Record<string, string> {
  return action.startsWith('s3:')
    ? { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' }
    : { 'aws:SecureTransport': 'true' };
}

/** A role of `account` whose identity policy allows everything: what bucket, key and endpoint policies must still stop. */
export function administrator(account: string): Caller {
  return {
    arn: `arn:aws:iam::${account}:role/Admin`,
    identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
  };
}

export class PolicyWorld {
  private readonly templates = new Map<string, Template>();

  constructor(
    assembly: CloudAssembly,
    private readonly env: { readonly account: string; readonly region: string },
  ) {
    for (const stack of assembly.stacks) {
      this.templates.set(stack.stackName, stack.template as Template);
    }
  }

  /** The ARN a deployment would give the resource behind `construct` (a bucket, key or role, or its L1). */
  public arnOf(construct: IConstruct): string {
    const { stackName, logicalId } = this.locate(construct);
    return this.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stackName) as string;
  }

  /** The value a deployment would give a token of `scope`'s stack (an ARN attribute, say). */
  public valueOf(token: string, scope: IConstruct): string {
    const stack = Stack.of(scope);
    return this.resolve(stack.resolve(token), stack.stackName) as string;
  }

  /** The resolved policy document of a customer-managed policy of the app. */
  public policyDocumentOf(policy: IConstruct): PolicyDocument {
    const { stackName, logicalId } = this.locate(policy);
    const resource = this.resource(logicalId, stackName);
    if (resource.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${policy.node.path} is not a managed policy`);
    return this.resolve(resource.Properties?.PolicyDocument as Json, stackName) as PolicyDocument;
  }

  /** Evaluate one request against identity and resource policies. */
  public async decide(request: Request): Promise<Decision> {
    const identityPolicies = this.identityPoliciesOf(request.caller);
    const principal =
      request.caller === 'anonymous'
        ? anonymousPrincipal
        : 'role' in request.caller
          ? this.arnOf(request.caller.role)
          : 'service' in request.caller
            ? request.caller.service
            : request.caller.arn;
    const isService = typeof request.caller === 'object' && 'service' in request.caller;
    const resourcePolicy = this.resourcePolicyFor(request.resource);
    const endpoint = request.viaEndpoint ? this.endpoint(request.viaEndpoint) : undefined;
    const simulation: Simulation = {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: this.env.account },
        contextVariables: aliasEncryptionContext({
          ...secureDefaults(request.action),
          // The simulator does not derive these global keys from the principal
          // (aws:PrincipalArn of a role is the role's ARN, as here); IAM does.
          ...(typeof principal === 'string' && !isService
            ? { 'aws:PrincipalAccount': principal.split(':')[4], 'aws:PrincipalArn': principal }
            : {}),
          ...(isService
            ? { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal as string }
            : {}),
          ...(endpoint ? { 'aws:SourceVpce': endpoint.id } : {}),
          ...request.context,
        }),
      },
      vpcEndpointPolicies: endpoint
        ? [{ name: 'endpoint', policy: aliasEncryptionContext(endpoint.policy) }]
        : undefined,
      identityPolicies: identityPolicies.map((policy, i) => ({
        name: `identity-${i}`,
        policy: aliasEncryptionContext(policy),
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resourcePolicy && aliasEncryptionContext(resourcePolicy),
      additionalSettings: request.resource.startsWith('arn:aws:s3:')
        ? { s3: { blockPublicAccess: this.blocksPublicAccess(request.resource) } }
        : undefined,
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') {
      throw new Error(`simulation rejected the request: ${JSON.stringify(result.errors)}`);
    }
    if (result.resultType !== 'single') {
      throw new Error(`expected one concrete resource, got a wildcard: ${request.resource}`);
    }
    // The simulator drops context keys it does not know for the action; that
    // would turn a typo in a test into a silent "denied", so it fails instead.
    const ignored = result.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) {
      throw new Error(`context keys not valid for ${request.action}: ${ignored.join(', ')}`);
    }
    return result.overallResult as Decision;
  }

  private endpoint(construct: IConstruct): { id: string; policy: PolicyDocument } {
    const { stackName, logicalId } = this.locate(construct);
    const resource = this.resource(logicalId, stackName);
    if (resource.Type !== 'AWS::EC2::VPCEndpoint') throw new Error(`${construct.node.path} is not a VPC endpoint`);
    const policy = resource.Properties?.PolicyDocument as Json | undefined;
    if (!policy) throw new Error(`${construct.node.path} has no endpoint policy (it would allow everything)`);
    const resolved = this.resolve(policy, stackName) as PolicyDocument;
    // CDK writes "anyone" as {"AWS": "*"}, which endpoint policies accept; the
    // simulator insists on the equivalent bare "*".
    const statements = resolved.Statement.map((st) =>
      JSON.stringify(st.Principal) === '{"AWS":"*"}' ? { ...st, Principal: '*' } : st,
    );
    return { id: this.ref(logicalId, stackName), policy: { ...resolved, Statement: statements } };
  }

  private locate(construct: IConstruct): { stackName: string; logicalId: string } {
    const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
    if (!(element instanceof CfnElement)) {
      throw new Error(`${construct.node.path} has no CloudFormation resource of its own`);
    }
    const stack = Stack.of(element);
    return { stackName: stack.stackName, logicalId: stack.resolve(element.logicalId) };
  }

  private identityPoliciesOf(caller: Caller): PolicyDocument[] {
    if (caller === 'anonymous' || 'service' in caller) return [];
    if ('identityPolicies' in caller) return caller.identityPolicies;
    const { stackName, logicalId } = this.locate(caller.role);
    const template = this.template(stackName);
    const role = template.Resources[logicalId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${caller.role.node.path} is not an IAM role`);
    const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: Json }[]).map((p) => p.PolicyDocument);
    // Customer-managed policies listed on the role must be in this template: AWS
    // managed policies are banned by the project, so one here fails the test.
    const listed = ((role.Properties?.ManagedPolicyArns ?? []) as Json[]).map((arn) => {
      const ref = (arn as { Ref?: string }).Ref;
      const policy = ref ? template.Resources[ref] : undefined;
      if (policy?.Type !== 'AWS::IAM::ManagedPolicy') {
        throw new Error(`${caller.role.node.path} has a managed policy outside this template: ${JSON.stringify(arn)}`);
      }
      return policy.Properties?.PolicyDocument as Json;
    });
    const attached = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      .filter((r) => JSON.stringify(r.Properties?.Roles ?? []).includes(`"Ref":"${logicalId}"`))
      .map((r) => r.Properties?.PolicyDocument as Json);
    return [...inline, ...listed, ...attached].map((doc) => this.resolve(doc, stackName) as PolicyDocument);
  }

  /**
   * The resource policy that applies to `arn`: the bucket policy of the bucket
   * an S3 ARN points into, the key policy of a KMS key, the trust policy of a
   * role (for sts:AssumeRole), or the policy of an SNS topic or SQS queue.
   */
  private resourcePolicyFor(arn: string): PolicyDocument | undefined {
    for (const [stackName, template] of this.templates) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        const attachedTo = (property: string) =>
          ((resource.Properties?.[property] ?? []) as Json[]).map((target) => this.resolve(target, stackName));
        if (
          resource.Type === 'AWS::IAM::Role' &&
          this.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stackName) === arn
        ) {
          return this.resolve(resource.Properties?.AssumeRolePolicyDocument as Json, stackName) as PolicyDocument;
        }
        if (
          (resource.Type === 'AWS::SNS::TopicPolicy' && attachedTo('Topics').includes(arn)) ||
          (resource.Type === 'AWS::SQS::QueuePolicy' &&
            attachedTo('Queues').some((url) => this.queueArnOf(url) === arn))
        ) {
          return this.resolve(resource.Properties?.PolicyDocument as Json, stackName) as PolicyDocument;
        }
        if (
          resource.Type === 'AWS::KMS::Key' &&
          this.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stackName) === arn
        ) {
          return this.resolve(resource.Properties?.KeyPolicy as Json, stackName) as PolicyDocument;
        }
        if (resource.Type === 'AWS::S3::BucketPolicy') {
          const bucket = this.resolve(resource.Properties?.Bucket as Json, stackName) as string;
          if (arn === `arn:aws:s3:::${bucket}` || arn.startsWith(`arn:aws:s3:::${bucket}/`)) {
            return this.resolve(resource.Properties?.PolicyDocument as Json, stackName) as PolicyDocument;
          }
        }
      }
    }
    return undefined;
  }

  private blocksPublicAccess(arn: string): boolean {
    const bucketName = arn.replace(/^arn:aws:s3:::/, '').split('/')[0];
    for (const [stackName, template] of this.templates) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        if (resource.Type === 'AWS::S3::Bucket' && this.resolve({ Ref: logicalId }, stackName) === bucketName) {
          const config = resource.Properties?.PublicAccessBlockConfiguration as Record<string, Json> | undefined;
          return config?.RestrictPublicBuckets === true;
        }
      }
    }
    return false;
  }

  private template(stackName: string): Template {
    const template = this.templates.get(stackName);
    if (!template) throw new Error(`no stack named ${stackName} in the assembly`);
    return template;
  }

  /** Replace intrinsics by the values a deployment in `env` would produce. */
  public resolve(value: Json, stackName: string): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stackName));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length !== 1 || !(keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, stackName)]));
    }
    const [fn, arg] = [keys[0], value[keys[0]]];
    switch (fn) {
      case 'Ref':
        return this.ref(arg as string, stackName);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = arg as [string, string];
        return this.getAtt(logicalId, attribute, stackName);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, Json[]];
        return parts.map((p) => this.resolve(p, stackName)).join(separator);
      }
      case 'Fn::ImportValue':
        return this.importValue(this.resolve(arg, stackName) as string);
      case 'Fn::GetStackOutput': {
        // Cross-stack references between stacks of one environment.
        const { StackName, OutputName } = arg as { StackName: string; OutputName: string };
        const output = this.template(StackName).Outputs?.[OutputName];
        if (!output) throw new Error(`${StackName} has no output ${OutputName}`);
        return this.resolve(output.Value, StackName);
      }
      default:
        throw new Error(`the IAM harness cannot resolve ${fn} in ${stackName}`);
    }
  }

  private ref(name: string, stackName: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': this.env.region,
      'AWS::AccountId': this.env.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
    };
    if (name in pseudo) return pseudo[name];
    const resource = this.resource(name, stackName);
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return `${stackName}-${name}`.toLowerCase();
      case 'AWS::KMS::Key':
        return `key-${name.toLowerCase()}`;
      case 'AWS::IAM::Role':
      case 'AWS::Lambda::Function':
      case 'AWS::Logs::LogGroup':
        return `${stackName}-${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${this.env.account}:policy/${stackName}-${name}`;
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-${name.toLowerCase()}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${name.toLowerCase()}`;
      case 'AWS::EC2::VPC':
        return `vpc-${name.toLowerCase()}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${this.env.region}:${this.env.account}:${stackName}-${name}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.env.region}.amazonaws.com/${this.env.account}/${stackName}-${name}`;
      case 'AWS::Events::Rule':
        return `${stackName}-${name}`;
      case 'AWS::GuardDuty::Detector':
        return name.toLowerCase().padEnd(32, '0').slice(0, 32);
      default:
        throw new Error(`the IAM harness cannot resolve Ref to ${resource.Type} ${name}`);
    }
  }

  private getAtt(logicalId: string, attribute: string, stackName: string): string {
    const resource = this.resource(logicalId, stackName);
    const { account, region } = this.env;
    if (resource.Type === 'AWS::Macie::CustomDataIdentifier' || resource.Type === 'AWS::Macie::AllowList') {
      const kind = resource.Type === 'AWS::Macie::AllowList' ? 'allow-list' : 'custom-data-identifier';
      const id = logicalId.toLowerCase();
      if (attribute === 'Id') return id;
      if (attribute === 'Arn') return `arn:aws:macie2:${region}:${account}:${kind}/${id}`;
    }
    if (attribute === 'Arn') {
      const id = this.ref(logicalId, stackName);
      switch (resource.Type) {
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${id}`;
        case 'AWS::KMS::Key':
          return `arn:aws:kms:${region}:${account}:key/${id}`;
        case 'AWS::IAM::Role':
          return `arn:aws:iam::${account}:role/${id}`;
        case 'AWS::Lambda::Function':
          return `arn:aws:lambda:${region}:${account}:function:${id}`;
        case 'AWS::Logs::LogGroup':
          return `arn:aws:logs:${region}:${account}:log-group:${id}:*`;
        case 'AWS::SQS::Queue':
          return this.queueArnOf(id);
        case 'AWS::Events::Rule':
          return `arn:aws:events:${region}:${account}:rule/${id}`;
      }
    }
    if (resource.Type === 'AWS::Bedrock::Guardrail') {
      const guardrailId = logicalId.toLowerCase().replace(/[^a-z0-9]/g, '');
      if (attribute === 'GuardrailId') return guardrailId;
      if (attribute === 'GuardrailArn') return `arn:aws:bedrock:${region}:${account}:guardrail/${guardrailId}`;
    }
    if (resource.Type === 'AWS::Bedrock::GuardrailVersion' && attribute === 'Version') return '1';
    if (resource.Type === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return `sg-${logicalId.toLowerCase()}`;
    throw new Error(`the IAM harness cannot resolve ${resource.Type} ${logicalId}.${attribute}`);
  }

  /** SQS names a queue by URL and its policy by ARN. */
  private queueArnOf(url: Json): string {
    const [, , host, account, name] = String(url).split('/');
    return `arn:aws:sqs:${host.split('.')[1]}:${account}:${name}`;
  }

  private importValue(exportName: string): Json {
    for (const [stackName, template] of this.templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export?.Name === exportName) return this.resolve(output.Value, stackName);
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }

  private resource(logicalId: string, stackName: string): CfnResource {
    const resource = this.template(stackName).Resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in ${stackName}`);
    return resource;
  }
}
