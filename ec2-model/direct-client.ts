import { EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { Ec2Error } from './errors';
import type { CallContext, Ec2Model } from './model';

/** One call made through a direct client. */
export interface DirectCall {
  readonly action: string;
  readonly input: Record<string, unknown>;
}

/** Options of {@link directClient}. */
export interface DirectClientOptions extends Omit<CallContext, 'lagMs'> {
  /** May throw (an SDK-shaped RequestLimitExceeded, say) before a call reaches the model. */
  readonly before?: (action: string, input: Record<string, unknown>) => void;
}

interface CommandLike {
  readonly input?: unknown;
}

/** The EC2 action name of an SDK command, e.g. `AssociateAddress` for `AssociateAddressCommand`. */
export function actionOf(command: CommandLike): string {
  const name = (command as { constructor: { name?: string } }).constructor.name ?? '';
  return name.replace(/Command$/, '');
}

/** An error shaped like the one `EC2Client` throws for an EC2 error response. */
export function sdkError(code: string, message: string, httpStatusCode: number): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts: 1, totalRetryDelay: 0 },
  });
}

/** The SDK-shaped form of a model error. */
export function toSdkError(error: unknown): unknown {
  return error instanceof Ec2Error ? sdkError(error.code, error.message, error.status) : error;
}

/**
 * Turns a `send` function into an object that passes as an `EC2Client`, including
 * the `instanceof` check of the SDK's paginators (`paginateDescribeInstances`).
 */
export function ec2ClientFrom(send: (command: CommandLike) => Promise<unknown>): EC2Client {
  const client = Object.create(EC2Client.prototype) as EC2Client;
  Object.defineProperty(client, 'send', { value: send });
  Object.defineProperty(client, 'destroy', { value: () => {} });
  return client;
}

/**
 * The model as an `EC2Client` whose calls land at once (no network, no latency),
 * with the same outputs and errors a real client gets from the local cloud's wire.
 * Describe calls lag as the model's `describeLag` says.
 */
export function directClient(
  model: Ec2Model,
  options: DirectClientOptions = {},
): { client: EC2Client; calls: DirectCall[] } {
  const calls: DirectCall[] = [];
  const { before, ...context } = options;
  const client = ec2ClientFrom(async (command) => {
    const action = actionOf(command);
    const input = { ...((command.input ?? {}) as Record<string, unknown>) };
    calls.push({ action, input });
    before?.(action, input);
    try {
      const out = model.call(action, input, context);
      return { ...out, $metadata: { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 } };
    } catch (error) {
      throw toSdkError(error);
    }
  });
  return { client, calls };
}
