/**
 * Isolated mode puts every interface endpoint of the invoke function in the
 * same two subnets. Each endpoint service is offered in its own set of zones,
 * and zone names map to different physical zones per account, so only the
 * account can say which two zones serve them all. Every one of these
 * endpoints carries a policy, which the service must support.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceDetail.html
 * (AvailabilityZones: "The Availability Zones in which the service is
 * available"; VpcEndpointPolicySupported: "Indicates whether the service
 * supports endpoint policies").
 */
import {
  DescribeAvailabilityZonesCommand,
  DescribeVpcEndpointServicesCommand,
  type ServiceDetail,
} from '@aws-sdk/client-ec2';
import { invokeEndpointServices } from '../../lib/guarded-ai/invoke-endpoints';
import { type AccountClients, type AccountSettings, cannotInspect, type Part } from './account';
import type { Check } from './model';

/** The service names of the interface endpoints the GuardedInvoke stack creates in isolated mode. */
export function endpointServiceNames(settings: Pick<AccountSettings, 'knowledgeBase'>, region: string): string[] {
  return invokeEndpointServices(settings.knowledgeBase).map((s) => `com.amazonaws.${region}.${s.shortName}`);
}

/** One service's details, or undefined when the region does not offer it (EC2 answers InvalidServiceName). */
async function describe(clients: AccountClients, name: string): Promise<ServiceDetail | undefined> {
  try {
    const { ServiceDetails } = await clients.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [name] }));
    return ServiceDetails?.find((s) => s.ServiceName === name);
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidServiceName') return undefined;
    throw error;
  }
}

const OFF = 'deploy to another region, or set -c isolatedNetwork=false';

export async function inspectEndpointZones(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
  if (!settings.isolatedNetwork) return {};
  const names = endpointServiceNames(settings, region);
  let details: (ServiceDetail | undefined)[];
  let zones: string[];
  try {
    const [described, { AvailabilityZones }] = await Promise.all([
      Promise.all(names.map((name) => describe(clients, name))),
      clients.ec2.send(
        new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
      ),
    ]);
    details = described;
    zones = (AvailabilityZones ?? [])
      .filter((z) => z.State === 'available')
      .map((z) => z.ZoneName ?? '')
      .filter(Boolean);
  } catch (error) {
    return cannotInspect(
      'the interface endpoint services',
      'availabilityZones',
      error,
      region,
      'ec2:DescribeVpcEndpointServices',
    );
  }

  const absent = names.filter((_, i) => !details[i]);
  if (absent.length > 0) {
    const agentRuntimeOnly = absent.every((n) => n.endsWith('.bedrock-agent-runtime'));
    return {
      checks: [
        {
          ok: false,
          what: `${absent.join(', ')} not offered in ${region}`,
          fix: `Isolated mode needs an endpoint for it: ${OFF}${agentRuntimeOnly ? ' (or -c knowledgeBase=false, whose retrieval is the only user of bedrock-agent-runtime)' : ''}.`,
        },
      ],
    };
  }
  const offered = details as ServiceDetail[];
  const checks: Check[] = [];
  const noPolicy = offered.filter((s) => s.VpcEndpointPolicySupported !== true).map((s) => s.ServiceName);
  if (noPolicy.length > 0) {
    checks.push({
      ok: false,
      what: `${noPolicy.join(', ')} does not support endpoint policies in ${region}`,
      fix: `Each endpoint carries a policy that narrows it to this project, which the service would refuse: ${OFF}.`,
    });
  }

  // Zones that serve every endpoint: the subnets hold them all.
  const servedByAll = (az: string) => offered.every((s) => (s.AvailabilityZones ?? []).includes(az));
  const chosen = settings.availabilityZones.length > 0 ? [...settings.availabilityZones] : zones.slice(0, 2);
  const missing = chosen.filter((az) => !servedByAll(az));
  const list = names.join(', ');
  if (missing.length === 0) {
    checks.push({ ok: true, what: `${list} offered in ${chosen.join(', ')}` });
    return { checks };
  }
  const lacking = missing
    .map(
      (az) =>
        `${az} (no ${offered
          .filter((s) => !(s.AvailabilityZones ?? []).includes(az))
          .map((s) => s.ServiceName)
          .join(', ')})`,
    )
    .join('; ');
  const suggestion = zones.filter(servedByAll).slice(0, 2);
  if (suggestion.length < 2) {
    checks.push({
      ok: false,
      what: `no two zones of ${region} offer all of ${list}: ${lacking}`,
      fix: `isolatedNetwork needs every endpoint in two zones: ${OFF}.`,
    });
    return { checks };
  }
  checks.push({
    ok: true,
    what: `not every endpoint is offered in ${lacking}: availabilityZones=${suggestion.join(',')}`,
  });
  return { flags: { availabilityZones: suggestion.join(',') }, checks };
}
