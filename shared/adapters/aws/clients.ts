import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ClockSkew } from '../../domain/clock-skew';

/**
 * Standard retries with tight timeouts: a failover must not wait 2 minutes on one hung TCP
 * connection. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE> variables, which is
 * how the local cloud (or LocalStack) is reached.
 */
const common = () => ({
  maxAttempts: 4,
  retryMode: 'standard' as const,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 4_000 }),
});

export const createEc2Client = (): EC2Client => new EC2Client(common());
export const createSnsClient = (): SNSClient => new SNSClient(common());
export const createSsmClient = (): SSMClient => new SSMClient(common());
export const createDynamoClient = (): DynamoDBClient =>
  new DynamoDBClient({
    ...common(),
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 3_000 }),
  });

/** The middleware stack of any SDK v3 client (typed loosely: only `add` is used). */
interface WithMiddleware {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string },
    ): void;
  };
}

/**
 * Measures this container's clock against every AWS response's `Date` header (ClockSkew). At
 * the deserialize step the raw HTTP response is at hand, also for a response that is an error.
 */
export function measureClockSkew<C>(client: C, skew: ClockSkew): C {
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next) => async (args) => {
      const sent = skew.sending();
      const header = (response: unknown) =>
        (response as { headers?: Record<string, string> } | undefined)?.headers?.date;
      try {
        const out = (await next(args)) as { response?: unknown };
        skew.observe(sent, header(out.response));
        return out;
      } catch (error) {
        skew.observe(sent, header((error as { $response?: unknown }).$response));
        throw error;
      }
    },
    { step: 'deserialize', name: 'haArbiterClockSkew' },
  );
  return client;
}
