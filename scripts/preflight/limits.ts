/** Account limits a deployment can run into: Lambda concurrency. */
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
