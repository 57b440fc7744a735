/** Account limits a deployment can run into: Lambda concurrency, and the zones that offer the Bedrock endpoint. */
import { DescribeAvailabilityZonesCommand, DescribeVpcEndpointServicesCommand } from '@aws-sdk/client-ec2';
import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import {
  type AccountClients,
  type AccountSettings,
  cannotInspect,
  MIN_UNRESERVED_CONCURRENCY,
  type Part,
} from './account';

export async function inspectLambda(clients: AccountClients, settings: AccountSettings, region: string): Promise<Part> {
  try {
    const { AccountLimit } = await clients.lambda.send(new GetAccountSettingsCommand({}));
    const limit = AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    const reserve = settings.invokeReservedConcurrency;
    const limitText = `Lambda concurrency quota ${limit}, ${unreserved} unreserved`;
    if (reserve === 0) {
      return { checks: [{ ok: true, what: `${limitText}; invokeReservedConcurrency 0 reserves none` }] };
    }
    const left = unreserved - reserve;
    return {
      checks: [
        {
          ok: left >= MIN_UNRESERVED_CONCURRENCY,
          what: `${limitText}: reserving ${reserve} leaves ${left} (Lambda requires at least ${MIN_UNRESERVED_CONCURRENCY})`,
          fix: `Lambda refuses the reservation and the stack rolls back. Deploy with -c invokeReservedConcurrency=0 (no cost cap), or ask for a higher "Concurrent executions" quota in Service Quotas (new accounts often have 10). https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html`,
        },
      ],
    };
  } catch (error) {
    return cannotInspect('Lambda concurrency', 'invokeReservedConcurrency', error, region, 'lambda:GetAccountSettings');
  }
}

export async function inspectEndpointZones(
  clients: AccountClients,
  settings: AccountSettings,
  region: string,
): Promise<Part> {
  if (!settings.isolatedNetwork) return {};
  const service = `com.amazonaws.${region}.bedrock-runtime`;
  try {
    const [{ ServiceDetails }, { AvailabilityZones }] = await Promise.all([
      clients.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [service] })),
      clients.ec2.send(
        new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
      ),
    ]);
    const served = ServiceDetails?.find((s) => s.ServiceName === service)?.AvailabilityZones ?? [];
    const zones = (AvailabilityZones ?? [])
      .filter((z) => z.State === 'available')
      .map((z) => z.ZoneName ?? '')
      .filter(Boolean);
    const chosen = settings.availabilityZones.length > 0 ? [...settings.availabilityZones] : zones.slice(0, 2);
    const missing = chosen.filter((az) => !served.includes(az));
    if (missing.length === 0) {
      return { checks: [{ ok: true, what: `${service} is offered in ${chosen.join(', ')}` }] };
    }
    const suggestion = zones.filter((az) => served.includes(az)).slice(0, 2);
    if (suggestion.length < 2) {
      return {
        checks: [
          {
            ok: false,
            what: `${service} is offered in ${served.join(', ') || 'no zone'} only`,
            fix: 'isolatedNetwork needs the endpoint in two zones: deploy to another region, or set -c isolatedNetwork=false.',
          },
        ],
      };
    }
    return {
      flags: { availabilityZones: suggestion.join(',') },
      checks: [
        {
          ok: true,
          what: `${service} is not offered in ${missing.join(', ')}: availabilityZones=${suggestion.join(',')}`,
        },
      ],
    };
  } catch (error) {
    return cannotInspect(
      'the Bedrock Runtime endpoint zones',
      'availabilityZones',
      error,
      region,
      'ec2:DescribeVpcEndpointServices',
    );
  }
}
