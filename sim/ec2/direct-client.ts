import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2World } from './ec2-world';
import { actionOf } from './sim-ec2';

/** One call made through a direct client. */
export interface DirectCall {
  action: string;
  input: Record<string, unknown>;
}

/**
 * The EC2 model as a client whose calls land at once, with no lag (for focused tests). `fail`
 * may throw (say, an SDK-shaped RequestLimitExceeded) before a call lands.
 */
export function directEc2(
  world: Ec2World,
  now: () => number,
  fail?: (action: string, input: Record<string, unknown>) => void,
): { client: EC2Client; calls: DirectCall[] } {
  const calls: DirectCall[] = [];
  const client = {
    async send(command: { input: unknown }) {
      const action = actionOf(command);
      const input = (command.input ?? {}) as Record<string, unknown>;
      calls.push({ action, input });
      fail?.(action, input);
      return world.handle(action, input, now(), 0);
    },
  };
  return { client: client as unknown as EC2Client, calls };
}
