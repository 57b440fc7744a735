import { Stack, Token } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Guardrail } from './guardrail';

export interface EnforcedGuardrailProps {
  /** The project guardrail; its published version is what gets enforced. */
  readonly guardrail: Guardrail;
  /**
   * Bare model IDs (`amazon.titan-embed-text-v2:0`) left out of enforcement.
   * Always rendered, even empty: once ModelEnforcement is given, both of its
   * lists are required.
   */
  readonly excludedModels: readonly string[];
  /** The policy every caller in the account needs (guardrailUserPolicy): enforcement waits for it. */
  readonly userPolicy: iam.IManagedPolicy;
}

/**
 * A model identifier as the CloudFormation schema of
 * AWS::Bedrock::EnforcedGuardrailConfiguration accepts it in ExcludedModels
 * (the IncludedModels pattern without `ALL`): `provider.model`, up to two
 * `:qualifier`s, an optional `/` and 12-character suffix. ARNs and
 * geography-prefixed inference-profile IDs (`eu.anthropic.…`, two dots) do not fit.
 */
export const EXCLUDED_MODEL_PATTERN =
  /^([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2}(\/[a-z0-9]{12}){0,1}$/;

/** Why an excludedModels entry is refused, or undefined when it is acceptable. */
export function excludedModelProblem(model: string): string | undefined {
  if (Token.isUnresolved(model)) return undefined;
  if (model === 'ALL') {
    return '"ALL" may only be included: excluding it would leave nothing enforced (a model in both lists is excluded)';
  }
  if (!EXCLUDED_MODEL_PATTERN.test(model)) {
    return `"${model}" is not a bare Bedrock model ID such as "amazon.titan-embed-text-v2:0" (no ARN, no inference-profile prefix)`;
  }
  return undefined;
}

/**
 * Account-level guardrail enforcement: every Bedrock inference call made in
 * this account and region, by any principal and any application (not only
 * this app), goes through the project guardrail's published version, on top
 * of any guardrail the call names itself (the most restrictive control of the
 * two wins).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-enforcements.html
 *
 * The consequence for every caller in the account: a caller without
 * bedrock:ApplyGuardrail on this guardrail (and kms:Decrypt on its key) gets
 * AccessDenied on InvokeModel/Converse once the configuration exists. Attach
 * the user policy (output EnforcedGuardrailUserPolicyArn) to every role that
 * calls Bedrock here BEFORE turning enforcement on.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-resource-based-policies.html
 *
 * An account and region hold one enforced configuration
 * (ListEnforcedGuardrailsConfiguration returns exactly one item), so only
 * one deployment per account and region may turn this on.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListEnforcedGuardrailsConfiguration.html
 */
export class EnforcedGuardrail extends Construct {
  public readonly configuration: bedrock.CfnEnforcedGuardrailConfiguration;
  public readonly resourcePolicy: bedrock.CfnResourcePolicy;

  constructor(scope: Construct, id: string, props: EnforcedGuardrailProps) {
    super(scope, id);
    const problems = props.excludedModels
      .map((model) => excludedModelProblem(model))
      .filter((problem): problem is string => problem !== undefined);
    if (problems.length > 0) {
      throw new Error(`enforced guardrail: invalid excludedModels: ${problems.join('; ')}`);
    }
    const stack = Stack.of(this);
    const { guardrail } = props;

    // The supported pattern "sharing the guardrail within your own account":
    // the account root as principal, ApplyGuardrail and GetGuardrail on the
    // guardrail. Recommended for account-level enforcement; the policy
    // language of guardrail policies accepts only the documented patterns, so
    // nothing is added to it.
    // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-resource-based-policies.html
    this.resourcePolicy = new bedrock.CfnResourcePolicy(this, 'ResourcePolicy', {
      resourceArn: guardrail.guardrailArn,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` },
            Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'],
            Resource: guardrail.guardrailArn,
          },
        ],
      },
    });

    this.configuration = new bedrock.CfnEnforcedGuardrailConfiguration(this, 'Configuration', {
      // Both by reference within the stack: a policy change publishes a new
      // version and the configuration moves to it in the same deployment
      // (updates are in place). Never DRAFT: the schema accepts numbers only.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-bedrock-enforcedguardrailconfiguration.html
      guardrailIdentifier: guardrail.guardrailArn,
      guardrailVersion: guardrail.versionNumber,
      modelEnforcement: {
        includedModels: ['ALL'],
        // Embedding calls (the knowledge base indexing documents and embedding
        // queries) return vectors, not answers: AWS's own enforcement example
        // includes ALL and excludes the embedding models. Enforced, every
        // indexed chunk would meet a conversational policy (a blocked PII type
        // fails its ingestion) and the knowledge base's role would need the
        // user policy.
        // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_bedrock_syntax.html
        // Both lists are required once ModelEnforcement is set.
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-bedrock-enforcedguardrailconfiguration-modelenforcement.html
        excludedModels: [...props.excludedModels],
      },
      // COMPREHENSIVE, not SELECTIVE: the whole system prompt and all
      // messages are screened, whatever guardContent blocks or input tags a
      // caller sends, so no caller can narrow what the account's guardrail
      // sees (SELECTIVE would honour the caller's tags, as the older
      // input_tags "honor" did; "ignore" guarded all content). The cost:
      // system prompts are screened too and can be blocked; npm run redteam
      // measures it.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-bedrock-enforcedguardrailconfiguration-selectivecontentguarding.html
      // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_bedrock_syntax.html
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-tagging.html
      selectiveContentGuarding: { system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE' },
    });
    // AWS advises checking that callers can apply the guardrail before
    // enforcing it: the account's permission comes first.
    this.configuration.node.addDependency(this.resourcePolicy, props.userPolicy);
  }
}

/**
 * What every role that calls Bedrock in the account needs once the guardrail
 * is enforced (output EnforcedGuardrailUserPolicyArn). It exists whether or not
 * enforcement is on, so that callers can be given it, and can prove with
 * ApplyGuardrail that it works, before the deployment that turns enforcement on.
 */
export function guardrailUserPolicy(scope: Construct, guardrail: Guardrail): iam.ManagedPolicy {
  return new iam.ManagedPolicy(scope, 'GuardrailUserPolicy', {
    description:
      'For every role that calls Bedrock in this account and region: use the account-wide enforced guardrail.',
    statements: [
      // A request that names a version is authorised on the guardrail's
      // unversioned ARN (AWS's example pairs guardrail/<id>:1 in the
      // bedrock:GuardrailIdentifier condition with ApplyGuardrail on
      // guardrail/<id>), so one ARN covers every published version.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html
      new iam.PolicyStatement({
        sid: 'ApplyTheEnforcedGuardrail',
        actions: ['bedrock:ApplyGuardrail'],
        resources: [guardrail.guardrailArn],
      }),
      // Its users need kms:Decrypt on the guardrail's key, and AWS documents
      // no kms:ViaService value or encryption context to narrow it with. That
      // key encrypts the guardrail alone (GuardrailKey), so this Decrypt opens
      // nothing of the project's data.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html
      new iam.PolicyStatement({
        sid: 'ReadTheEncryptedGuardrail',
        actions: ['kms:Decrypt'],
        resources: [guardrail.encryptionKey.keyArn],
      }),
    ],
  });
}
