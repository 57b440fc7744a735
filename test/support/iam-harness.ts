/**
 * Least-privilege harness: evaluates real requests against the real policies of
 * the synthesized templates with an IAM policy simulator.
 *
 * `@cloud-copilot/iam-simulate` is AGPL-3.0. It is a devDependency used only
 * here, by the tests; nothing that is deployed or bundled imports it.
 *
 * Templates contain CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join,
 * Fn::ImportValue). The harness resolves them to the physical names and ARNs a
 * deployment in TEST_ENV would have: the name the template gives a resource,
 * else the name CloudFormation would generate (`physical-names.ts`), and ids
 * of the shapes AWS assigns. It refuses to guess: an intrinsic it does not
 * know fails the test.
 *
 * Requests AWS services make (and keys only AWS sets, such as
 * `kms:ViaService` or `aws:SourceArn`) come only from the table in
 * `service-requests.ts`, through `serviceRequest`; `decide` refuses them.
 */
import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { CfnElement, Reference, Stack, Tokenization } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { assignedId, generatedName, NAMED_TYPES, pseudoRandom } from './physical-names';
import { breaksRefusal, type Statement } from './refusals';
import { SERVICE_REQUESTS, SERVICE_SET_KEY, type ServiceRequestId, type ServiceRequestRow } from './service-requests';

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
  { readonly role: IConstruct } | { readonly arn: string; readonly identityPolicies: PolicyDocument[] } | 'anonymous';

/** An AWS service principal (`events.amazonaws.com`): only resource policies (bucket, key, topic, trust) can let it in. */
type Principal = Caller | { readonly service: string };

export interface Request {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  /**
   * Keys the caller itself puts in the request (TLS, S3 headers, Bedrock
   * guardrail parameters); sensible TLS defaults are added unless given. Keys
   * only AWS sets are refused: use `serviceRequest`.
   */
  readonly context?: Record<string, string | string[]>;
  /** The VPC endpoint the request travels through: its policy applies and aws:SourceVpce is set. */
  readonly viaEndpoint?: IConstruct;
}

/** A request an AWS service makes, with the context its row in `SERVICE_REQUESTS` says it carries. */
export interface ServiceRequest {
  readonly action: string;
  readonly resource: string;
  /** The resource the service acts for (the row says which kind); absent when the row has none. */
  readonly source?: string;
  /** The account that owns `source`: from its ARN when it has one, else this deployment's. */
  readonly account?: string;
  /** The region of `source`: from its ARN when it has one, else this deployment's. */
  readonly region?: string;
  /** Whose credentials the service uses, for rows whose principal is `caller`. */
  readonly caller?: Caller;
  /** Parameters the caller set in its own request, limited to the row's `callerKeys`. */
  readonly callerParameters?: Record<string, string>;
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

/**
 * KMS sets `kms:CallerAccount` to the account of the calling principal on
 * every request,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account.
 * For service principals AWS does not say which account that is, so none is set.
 */
function kmsDefaults(action: string, principalArn: string | undefined): Record<string, string> {
  return action.startsWith('kms:') && principalArn ? { 'kms:CallerAccount': principalArn.split(':')[4] } : {};
}

/**
 * Bedrock knowledge base and data source ids: 10 letters and digits
 * (`[0-9a-zA-Z]{10}`; Bedrock hands out capitals and digits),
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_GetKnowledgeBase.html.
 */
function bedrockId(seed: string): string {
  return pseudoRandom(seed, 10, 'upper');
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
    // A reference to another stack's resource is resolved where that resource
    // is: the construct tree is built in the test's process, while the
    // templates come from the shared synthesis, so the import CDK writes into
    // the consuming stack at synthesis is not in this tree.
    const reference = Tokenization.reverse(token, { failConcat: false });
    const stack = reference instanceof Reference ? Stack.of(reference.target) : Stack.of(scope);
    return this.resolve(stack.resolve(token), stack.stackName) as string;
  }

  /** The resolved policy document of a customer-managed policy of the app. */
  public policyDocumentOf(policy: IConstruct): PolicyDocument {
    const { stackName, logicalId } = this.locate(policy);
    const resource = this.resource(logicalId, stackName);
    if (resource.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${policy.node.path} is not a managed policy`);
    return this.resolve(resource.Properties?.PolicyDocument as Json, stackName) as PolicyDocument;
  }

  /** Evaluate one request a caller makes itself against identity and resource policies. */
  public async decide(request: Request): Promise<Decision> {
    if (typeof request.caller === 'object' && 'service' in request.caller) {
      throw new Error('a service principal makes requests only through serviceRequest (service-requests.ts)');
    }
    const chosen = Object.keys(request.context ?? {}).filter((key) => SERVICE_SET_KEY.test(key));
    if (chosen.length > 0) {
      throw new Error(
        `${chosen.join(', ')} ${chosen.length > 1 ? 'are' : 'is'} set by AWS, not by the caller: use serviceRequest with a row of service-requests.ts`,
      );
    }
    return this.evaluate(request.caller, request);
  }

  /**
   * Evaluate a request an AWS service makes: the row of `SERVICE_REQUESTS`
   * fixes the principal, the actions and every context key, built from the
   * resource the service acts for. Nothing else can be added. A resource
   * policy that breaks the row's documented refusal (a Condition where AWS
   * says there can be none) fails the request instead of being evaluated.
   */
  public async serviceRequest(id: ServiceRequestId, request: ServiceRequest): Promise<Decision> {
    const row: ServiceRequestRow = SERVICE_REQUESTS[id];
    if (!row.actions.includes(request.action)) {
      throw new Error(`${id} covers ${row.actions.join(', ')}, not ${request.action}`);
    }
    if ((row.source === null) !== (request.source === undefined)) {
      throw new Error(row.source === null ? `${id} carries nothing about a source` : `${id} needs the ${row.source}`);
    }
    if ((row.principal === 'caller') !== (request.caller !== undefined)) {
      throw new Error(
        row.principal === 'caller'
          ? `${id} needs the caller whose credentials are used`
          : `${id} is signed by a service`,
      );
    }
    const extra = Object.keys(request.callerParameters ?? {}).filter((key) => !(row.callerKeys ?? []).includes(key));
    if (extra.length > 0) throw new Error(`${id} carries no ${extra.join(', ')} from the caller`);
    const source = request.source ?? '';
    const arnParts = source.startsWith('arn:') ? source.split(':') : [];
    const subject = {
      source,
      account: request.account ?? (arnParts[4] || this.env.account),
      region: request.region ?? (arnParts[3] || this.env.region),
    };
    const broken = (this.resourcePolicyFor(request.resource)?.Statement ?? [])
      .map((statement) => breaksRefusal(id, statement as Statement))
      .filter((reason): reason is string => reason !== undefined);
    if (broken.length > 0) throw new Error(broken.join('\n'));
    const principal: Principal =
      row.principal === 'caller'
        ? (request.caller as Caller)
        : { service: typeof row.principal === 'function' ? row.principal(subject) : row.principal };
    return this.evaluate(principal, {
      action: request.action,
      resource: request.resource,
      context: { ...request.callerParameters, ...row.context(subject) },
    });
  }

  private async evaluate(caller: Principal, request: Omit<Request, 'caller'>): Promise<Decision> {
    const identityPolicies = this.identityPoliciesOf(caller);
    const principal =
      caller === 'anonymous'
        ? anonymousPrincipal
        : 'role' in caller
          ? this.arnOf(caller.role)
          : 'service' in caller
            ? caller.service
            : caller.arn;
    const isService = typeof caller === 'object' && 'service' in caller;
    const resourcePolicy = this.resourcePolicyFor(request.resource);
    const endpoint = request.viaEndpoint ? this.endpoint(request.viaEndpoint) : undefined;
    const simulation: Simulation = {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: this.env.account },
        contextVariables: aliasEncryptionContext({
          ...secureDefaults(request.action),
          ...kmsDefaults(request.action, typeof principal === 'string' && !isService ? principal : undefined),
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

  private identityPoliciesOf(caller: Principal): PolicyDocument[] {
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
        if (
          resource.Type === 'AWS::Lambda::Function' &&
          this.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stackName) === arn
        ) {
          return this.lambdaPolicyOf(arn);
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

  /**
   * A function's resource policy, as Lambda builds it from the stack's
   * AWS::Lambda::Permission resources: SourceArn becomes an ArnLike and
   * SourceAccount a StringEquals condition.
   * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
   */
  private lambdaPolicyOf(functionArn: string): PolicyDocument | undefined {
    const statements: Record<string, Json>[] = [];
    for (const [stackName, template] of this.templates) {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::Lambda::Permission') continue;
        const props = this.resolve(resource.Properties as Json, stackName) as Record<string, string>;
        if (props.FunctionName !== functionArn) continue;
        const condition: Record<string, Json> = {};
        if (props.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': props.SourceAccount };
        if (props.SourceArn) condition.ArnLike = { 'AWS:SourceArn': props.SourceArn };
        const principal: Json = props.Principal.endsWith('.amazonaws.com')
          ? { Service: props.Principal }
          : { AWS: props.Principal };
        statements.push({
          Effect: 'Allow',
          Principal: principal,
          Action: props.Action,
          Resource: functionArn,
          Condition: condition,
        });
      }
    }
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** Every resource policy of the app (topic, queue, key, bucket and trust policies), resolved, named by stack and logical id. */
  public resourcePolicies(): { where: string; statements: Statement[] }[] {
    const property: Record<string, string> = {
      'AWS::SNS::TopicPolicy': 'PolicyDocument',
      'AWS::SQS::QueuePolicy': 'PolicyDocument',
      'AWS::S3::BucketPolicy': 'PolicyDocument',
      'AWS::KMS::Key': 'KeyPolicy',
      'AWS::IAM::Role': 'AssumeRolePolicyDocument',
    };
    return [...this.templates].flatMap(([stackName, template]) =>
      Object.entries(template.Resources)
        .filter(([, resource]) => property[resource.Type] && resource.Properties?.[property[resource.Type]])
        .map(([logicalId, resource]) => ({
          where: `${stackName}/${logicalId}`,
          statements: (
            this.resolve(resource.Properties?.[property[resource.Type]] as Json, stackName) as PolicyDocument
          ).Statement as Statement[],
        })),
    );
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
    if (typeof value === 'string') return this.dynamicReferences(value);
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

  /**
   * `{{resolve:ssm:<name>}}` replaced by the value of the app's SSM parameter
   * of that name, as CloudFormation resolves it when the stack is deployed
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html).
   * A parameter no stack of the app creates fails the test.
   */
  private dynamicReferences(text: string): string {
    return text.replace(/\{\{resolve:ssm:([^}:]+)\}\}/g, (_, name: string) => {
      for (const [stackName, template] of this.templates) {
        for (const resource of Object.values(template.Resources)) {
          if (resource.Type === 'AWS::SSM::Parameter' && resource.Properties?.Name === name) {
            return String(this.resolve(resource.Properties.Value, stackName));
          }
        }
      }
      throw new Error(`no stack of the app creates the SSM parameter ${name} that {{resolve:ssm:${name}}} reads`);
    });
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
    const { account, region } = this.env;
    const seed = `${stackName}/${name}`;
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
      case 'AWS::IAM::Role':
      case 'AWS::Lambda::Function':
      case 'AWS::Logs::LogGroup':
      case 'AWS::Events::Rule':
      case 'AWS::CloudTrail::Trail':
      case 'AWS::DynamoDB::Table':
        return this.physicalName(name, stackName);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${account}:policy${this.iamPath(resource, stackName)}${this.physicalName(name, stackName)}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${this.physicalName(name, stackName)}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${this.physicalName(name, stackName)}`;
      // "Ref returns the ARN of the created state machine"; its generated name is the logical id and a suffix.
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}-${pseudoRandom(seed, 12, 'lower')}`;
      case 'AWS::KMS::Key':
        return assignedId('kms-key', seed);
      case 'AWS::EC2::VPCEndpoint':
        return assignedId('vpce', seed);
      case 'AWS::EC2::Subnet':
        return assignedId('subnet', seed);
      case 'AWS::EC2::VPC':
        return assignedId('vpc', seed);
      case 'AWS::EC2::SecurityGroup':
        return assignedId('sg', seed);
      case 'AWS::GuardDuty::Detector':
        return assignedId('detector', seed);
      // Ref of these gives the ARN (vector store) or the id (knowledge base).
      case 'AWS::S3Vectors::VectorBucket':
      case 'AWS::S3Vectors::Index':
        return this.vectorStoreArn(name, stackName);
      case 'AWS::Bedrock::KnowledgeBase':
        return bedrockId(`knowledge-base/${seed}`);
      case 'AWS::CloudWatch::Alarm':
        return this.alarmName(name, stackName);
      default:
        throw new Error(`the IAM harness cannot resolve Ref to ${resource.Type} ${name}`);
    }
  }

  /**
   * The name a resource gets: the one its template sets (resolved), else the
   * one CloudFormation generates for its type.
   */
  private physicalName(logicalId: string, stackName: string): string {
    const resource = this.resource(logicalId, stackName);
    const spec = NAMED_TYPES[resource.Type];
    if (!spec) throw new Error(`no naming rule for ${resource.Type} ${logicalId}`);
    const explicit = resource.Properties?.[spec.nameProperty];
    if (explicit !== undefined) {
      const name = this.resolve(explicit, stackName);
      if (typeof name !== 'string' || name.length > spec.maxLength) {
        throw new Error(
          `${stackName}/${logicalId}: ${spec.nameProperty} ${JSON.stringify(name)} is not a name of at most ${spec.maxLength} characters`,
        );
      }
      return name;
    }
    return generatedName(stackName, logicalId, resource.Type);
  }

  /** IAM paths default to "/". */
  private iamPath(resource: CfnResource, stackName: string): string {
    const path = resource.Properties?.Path;
    return path === undefined ? '/' : (this.resolve(path, stackName) as string);
  }

  private getAtt(logicalId: string, attribute: string, stackName: string): string {
    const resource = this.resource(logicalId, stackName);
    const { account, region } = this.env;
    const seed = `${stackName}/${logicalId}`;
    if (resource.Type === 'AWS::Macie::CustomDataIdentifier' || resource.Type === 'AWS::Macie::AllowList') {
      const allowList = resource.Type === 'AWS::Macie::AllowList';
      // Macie ids: a UUID for a custom data identifier, 22 lowercase letters and digits for an allow list.
      // https://docs.aws.amazon.com/macie/latest/APIReference/custom-data-identifiers-id.html
      // https://docs.aws.amazon.com/macie/latest/APIReference/allow-lists-id.html
      const id = allowList ? pseudoRandom(seed, 22, 'lower') : assignedId('uuid', seed);
      if (attribute === 'Id') return id;
      if (attribute === 'Arn') {
        return `arn:aws:macie2:${region}:${account}:${allowList ? 'allow-list' : 'custom-data-identifier'}/${id}`;
      }
    }
    if (attribute === 'Arn') {
      const id = this.ref(logicalId, stackName);
      switch (resource.Type) {
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${id}`;
        case 'AWS::KMS::Key':
          return `arn:aws:kms:${region}:${account}:key/${id}`;
        case 'AWS::IAM::Role':
          return `arn:aws:iam::${account}:role${this.iamPath(resource, stackName)}${id}`;
        case 'AWS::Lambda::Function':
          return `arn:aws:lambda:${region}:${account}:function:${id}`;
        case 'AWS::Logs::LogGroup':
          return `arn:aws:logs:${region}:${account}:log-group:${id}:*`;
        case 'AWS::SQS::Queue':
          return this.queueArnOf(id);
        case 'AWS::Events::Rule':
          return `arn:aws:events:${region}:${account}:rule/${id}`;
        case 'AWS::CloudTrail::Trail':
          return `arn:aws:cloudtrail:${region}:${account}:trail/${id}`;
        case 'AWS::DynamoDB::Table':
          return `arn:aws:dynamodb:${region}:${account}:table/${id}`;
      }
    }
    if (resource.Type === 'AWS::SNS::Topic' && attribute === 'TopicArn') return this.ref(logicalId, stackName);
    if (resource.Type === 'AWS::SNS::Topic' && attribute === 'TopicName') {
      return this.ref(logicalId, stackName).split(':')[5];
    }
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(logicalId, stackName);
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueName') {
      return this.ref(logicalId, stackName).split('/')[4];
    }
    if (resource.Type === 'AWS::Bedrock::Guardrail') {
      const guardrailId = assignedId('guardrail', seed);
      if (attribute === 'GuardrailId') return guardrailId;
      if (attribute === 'GuardrailArn') return `arn:aws:bedrock:${region}:${account}:guardrail/${guardrailId}`;
    }
    if (resource.Type === 'AWS::Bedrock::GuardrailVersion' && attribute === 'Version') return '1';
    if (resource.Type === 'AWS::Bedrock::KnowledgeBase') {
      const knowledgeBaseId = this.ref(logicalId, stackName);
      if (attribute === 'KnowledgeBaseId') return knowledgeBaseId;
      if (attribute === 'KnowledgeBaseArn')
        return `arn:aws:bedrock:${region}:${account}:knowledge-base/${knowledgeBaseId}`;
    }
    // Agent and alias ids: 10 capitals and digits, as Bedrock assigns them
    // (the `[0-9a-zA-Z]{10}` of API_agent_CreateAgentAlias's agentId).
    if (resource.Type === 'AWS::Bedrock::Agent') {
      const agentId = bedrockId(`agent/${seed}`);
      if (attribute === 'AgentId') return agentId;
      if (attribute === 'AgentArn') return `arn:aws:bedrock:${region}:${account}:agent/${agentId}`;
    }
    if (resource.Type === 'AWS::Bedrock::AgentAlias') {
      const aliasId = bedrockId(`agent-alias/${seed}`);
      const agentId = this.resolve(resource.Properties?.AgentId as Json, stackName) as string;
      if (attribute === 'AgentAliasId') return aliasId;
      if (attribute === 'AgentAliasArn')
        return `arn:aws:bedrock:${region}:${account}:agent-alias/${agentId}/${aliasId}`;
    }
    if (resource.Type === 'AWS::Bedrock::DataSource' && attribute === 'DataSourceId') {
      return bedrockId(`data-source/${seed}`);
    }
    if (
      (resource.Type === 'AWS::S3Vectors::VectorBucket' && attribute === 'VectorBucketArn') ||
      (resource.Type === 'AWS::S3Vectors::Index' && attribute === 'IndexArn')
    ) {
      return this.vectorStoreArn(logicalId, stackName);
    }
    if (resource.Type === 'AWS::CloudWatch::Alarm' && attribute === 'Arn') {
      return `arn:aws:cloudwatch:${region}:${account}:alarm:${this.alarmName(logicalId, stackName)}`;
    }
    if (resource.Type === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return assignedId('sg', seed);
    throw new Error(`the IAM harness cannot resolve ${resource.Type} ${logicalId}.${attribute}`);
  }

  /**
   * ARN of a vector bucket (`arn:aws:s3vectors:<region>:<account>:bucket/<name>`)
   * or index (`<bucket ARN>/index/<name>`),
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-access-management.html.
   * A name the template leaves out is generated as for other registry types.
   */
  private vectorStoreArn(logicalId: string, stackName: string): string {
    const resource = this.resource(logicalId, stackName);
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::S3Vectors::VectorBucket') {
      const name =
        props.VectorBucketName !== undefined
          ? (this.resolve(props.VectorBucketName, stackName) as string)
          : generatedName(stackName, logicalId, 'AWS::S3Vectors::VectorBucket');
      return `arn:aws:s3vectors:${this.env.region}:${this.env.account}:bucket/${name}`;
    }
    const bucketArn =
      props.VectorBucketArn !== undefined
        ? (this.resolve(props.VectorBucketArn, stackName) as string)
        : `arn:aws:s3vectors:${this.env.region}:${this.env.account}:bucket/${this.resolve(props.VectorBucketName as Json, stackName) as string}`;
    const name =
      props.IndexName !== undefined
        ? (this.resolve(props.IndexName, stackName) as string)
        : generatedName(stackName, logicalId, 'AWS::S3Vectors::Index');
    return `${bucketArn}/index/${name}`;
  }

  /** Alarms of the app are named by their template (`<stack>-<id>`); a generated one is not modelled. */
  private alarmName(logicalId: string, stackName: string): string {
    const name = this.resource(logicalId, stackName).Properties?.AlarmName;
    if (name === undefined) throw new Error(`${stackName}/${logicalId}: the IAM harness models only named alarms`);
    return this.resolve(name, stackName) as string;
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
