/**
 * Preflight's model checks: before deploying, is the configured model (or
 * inference profile) offered in the region, usable on demand, streaming, and
 * is this account allowed to use it? After deploying: is the guardrail ready?
 */
import {
  type BedrockClient,
  GetFoundationModelAvailabilityCommand,
  GetFoundationModelCommand,
  GetGuardrailCommand,
  GetInferenceProfileCommand,
} from '@aws-sdk/client-bedrock';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { profileRegionProblem } from '../../lib/config';
import { modelTarget } from '../../lib/guarded-ai/model';
import { type Colour, colour } from '../cli/output';

export interface Check {
  readonly ok: boolean;
  readonly what: string;
  /** What to do about it, when not ok. */
  readonly fix?: string;
}

export interface PreflightOptions {
  readonly modelId: string;
  readonly region: string;
  readonly stackName: string;
  readonly afterDeploy: boolean;
}

export interface PreflightClients {
  readonly bedrock: Pick<BedrockClient, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
}

/** What to do about a failed call, in one sentence. */
export function explain(error: unknown, region: string, action: string): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `Your credentials may not call ${action} in ${region}: check your IAM permissions and any SCP that restricts Bedrock or this region.`;
  }
  if (name === 'ResourceNotFoundException' || name === 'ValidationException') {
    return `Not found in ${region}: pick a region where it is offered, or a cross-region inference profile (us., eu., apac., global.).`;
  }
  if (name === 'ThrottlingException') return 'Throttled: run the check again in a minute.';
  return `${action} failed (${name || 'unknown error'}): ${error instanceof Error ? error.message : String(error)}`;
}

/** The region part of an ARN (arn:partition:service:region:account:resource). */
function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

async function modelChecks(clients: PreflightClients, options: PreflightOptions): Promise<Check[]> {
  const target = modelTarget(options.modelId);
  const checks: Check[] = [];
  if (target.profileGeography) {
    const problem = profileRegionProblem(target.modelId, options.region);
    if (problem) {
      return [
        { ok: false, what: `inference profile ${target.modelId} can be called from ${options.region}`, fix: problem },
      ];
    }
    try {
      const profile = await clients.bedrock.send(
        new GetInferenceProfileCommand({ inferenceProfileIdentifier: target.modelId }),
      );
      checks.push({
        ok: profile.status === 'ACTIVE',
        what: `inference profile ${target.modelId} is ${profile.status ?? 'unknown'} in ${options.region}`,
        fix: 'Use an ACTIVE inference profile (see the Bedrock console, Cross-region inference).',
      });
      // A profile is called from one of the regions it routes to; its model
      // ARNs name them (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
      const regions = [...new Set((profile.models ?? []).map((m) => arnRegion(m.modelArn ?? '')))].filter(Boolean);
      if (regions.length > 0) {
        checks.push({
          ok: regions.includes(options.region),
          what: `inference profile ${target.modelId} includes ${options.region}`,
          fix: `It routes to ${regions.join(', ')} only: deploy to one of those regions, or choose a profile (or foundation model) offered in ${options.region}.`,
        });
      }
    } catch (error) {
      checks.push({
        ok: false,
        what: `inference profile ${target.modelId}`,
        fix: explain(error, options.region, 'bedrock:GetInferenceProfile'),
      });
      return checks;
    }
  } else {
    try {
      const { modelDetails } = await clients.bedrock.send(
        new GetFoundationModelCommand({ modelIdentifier: target.foundationModelId }),
      );
      const onDemand = modelDetails?.inferenceTypesSupported?.includes('ON_DEMAND') ?? false;
      checks.push({
        ok: modelDetails?.modelLifecycle?.status === 'ACTIVE',
        what: `model ${target.modelId} lifecycle is ${modelDetails?.modelLifecycle?.status ?? 'unknown'}`,
        fix: 'The model is being retired: choose a current model (modelId setting).',
      });
      checks.push({
        ok: onDemand,
        what: `model ${target.modelId} can be invoked on demand in ${options.region}`,
        fix: `Invoke it through an inference profile instead: set modelId to "us.${target.modelId}" (or eu., apac., global.) as offered in ${options.region}.`,
      });
      checks.push({
        ok: modelDetails?.responseStreamingSupported === true,
        what: `model ${target.modelId} supports streaming`,
        fix: 'Choose a model that supports response streaming, or call with "stream": false only.',
      });
    } catch (error) {
      checks.push({
        ok: false,
        what: `model ${target.modelId}`,
        fix: explain(error, options.region, 'bedrock:GetFoundationModel'),
      });
      return checks;
    }
  }
  try {
    const availability = await clients.bedrock.send(
      new GetFoundationModelAvailabilityCommand({ modelId: target.foundationModelId }),
    );
    checks.push({
      ok: availability.authorizationStatus === 'AUTHORIZED',
      what: `this account is authorized to use ${target.foundationModelId}`,
      // Bedrock retired its Model access page: "Access to all Amazon Bedrock
      // foundation models is enabled by default with the correct AWS
      // Marketplace permissions" (https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html).
      // A refusal now comes from IAM, an SCP or missing Marketplace permissions.
      fix: 'Access is on by default, so something refuses it: look for an IAM or SCP deny on bedrock:InvokeModel, and for the aws-marketplace:Subscribe and ViewSubscriptions permissions a first call of a third-party model needs; for an Anthropic model, submit the first-time use case form in the Bedrock console (model catalog).',
    });
    checks.push({
      ok: availability.agreementAvailability?.status === 'AVAILABLE',
      what: `the model's end-user agreement is ${availability.agreementAvailability?.status ?? 'unknown'}`,
      fix: "Open the model in the Bedrock console's model catalog and accept its provider's terms (or let the first call start the Marketplace subscription, which takes up to 15 minutes).",
    });
  } catch (error) {
    checks.push({
      ok: false,
      what: `access to ${target.foundationModelId}`,
      fix: explain(error, options.region, 'bedrock:GetFoundationModelAvailability'),
    });
  }
  return checks;
}

async function deployedChecks(clients: PreflightClients, options: PreflightOptions): Promise<Check[]> {
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: options.stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    return [
      {
        ok: false,
        what: `stack ${options.stackName}`,
        fix: `Deploy it first (npx cdk deploy --all). ${explain(error, options.region, 'cloudformation:DescribeStacks')}`,
      },
    ];
  }
  const { GuardrailId, GuardrailVersion } = outputs;
  if (!GuardrailId || !GuardrailVersion) {
    return [
      {
        ok: false,
        what: `stack ${options.stackName} outputs`,
        fix: 'The stack has no GuardrailId/GuardrailVersion outputs: redeploy it.',
      },
    ];
  }
  try {
    const guardrail = await clients.bedrock.send(
      new GetGuardrailCommand({ guardrailIdentifier: GuardrailId, guardrailVersion: GuardrailVersion }),
    );
    return [
      {
        ok: guardrail.status === 'READY',
        what: `guardrail ${GuardrailId} version ${GuardrailVersion} is ${guardrail.status ?? 'unknown'}`,
        fix:
          guardrail.status === 'FAILED'
            ? `Creation failed: ${(guardrail.failureRecommendations ?? []).join(' ') || 'see the Bedrock console'}.`
            : 'Wait for it to become READY, then run this again.',
      },
    ];
  } catch (error) {
    return [
      { ok: false, what: `guardrail ${GuardrailId}`, fix: explain(error, options.region, 'bedrock:GetGuardrail') },
    ];
  }
}

export async function runPreflight(clients: PreflightClients, options: PreflightOptions): Promise<Check[]> {
  return options.afterDeploy ? deployedChecks(clients, options) : modelChecks(clients, options);
}

/** One line per check; a failed one is marked FIX with what to do under it. */
export function report(checks: readonly Check[], paint: Colour = colour(false)): string {
  return checks
    .map((c) =>
      c.ok ? `  ${paint.ok('ok')}    ${c.what}` : `  ${paint.bad('FIX')}   ${c.what}\n        ${c.fix ?? ''}`,
    )
    .join('\n');
}
