import type { EC2Client } from '@aws-sdk/client-ec2';
import { actionOf, ec2ClientFrom, sdkError, toSdkError } from '../../ec2-model/direct-client';
import type { SimActor } from '../actors';
import { MAX_MUTATION_REQUEST_MS } from '../faults';
import { Invariant } from '../invariants';
import type { SimWorld } from '../world';

/** Longest time a Describe call may lag behind a change (EC2's eventual consistency). */
export const MAX_DESCRIBE_LAG_MS = 1_500;

interface CommandLike {
  input?: unknown;
}

/**
 * EC2 as one actor sees it: an object with `send(command)` (cast to EC2Client, so the real
 * movers and instance signals run on it) that schedules each call through the simulator,
 * with latency, throttling and 5xx faults, and applies it to the one EC2 model (ec2-model/).
 */
export class SimEc2 {
  constructor(
    private readonly w: SimWorld,
    private readonly actor: SimActor,
  ) {}

  /** This facade typed as the SDK client the core expects. */
  asClient(): EC2Client {
    return ec2ClientFrom((command) => this.send(command));
  }

  send(command: CommandLike): Promise<unknown> {
    const w = this.w;
    const action = actionOf(command);
    const input = (command.input ?? {}) as Record<string, unknown>;
    const mutating = w.ec2.isMutating(action);
    const extra = w.faults.value('ec2-latency', w.sched.now);
    const base = mutating ? w.rng.int(50, 400) : w.rng.int(20, 150);
    // A mutating request lands within a bounded time (client timeouts); responses may be late.
    const request = mutating ? Math.min(MAX_MUTATION_REQUEST_MS, base + extra / 2) : base + extra / 2;
    const lag = w.rng.int(0, MAX_DESCRIBE_LAG_MS);
    const sent = w.sched.call(
      this.actor,
      `ec2 ${action}`,
      request,
      () => w.rng.int(20, 200) + extra / 2 + w.takeStall(this.actor),
      () => {
        const now = w.sched.now;
        if (w.rng.chance(w.faults.value('ec2-throttle', now))) {
          throw sdkError('RequestLimitExceeded', 'Request limit exceeded.', 503);
        }
        const fails = w.rng.chance(w.faults.value('ec2-5xx', now));
        const landsAnyway = fails && w.rng.chance(0.5);
        if (fails && !landsAnyway) throw sdkError('Unavailable', 'The service is unavailable.', 503);
        if (mutating) w.beforeMutation(this.actor, action, input);
        const out = this.handle(action, input, lag);
        if (mutating) w.afterMutation(this.actor, action, input);
        if (landsAnyway) throw sdkError('InternalError', 'An internal error has occurred.', 500);
        return out;
      },
    );
    if (action !== 'DescribeInstances' && action !== 'DescribeInstanceStatus') return sent;
    return sent.then((out) => {
      this.remember(action, out as Record<string, unknown>);
      return out;
    });
  }

  /** Runs the call on the model; a call the model lacks is a gap in the simulator, not a fault. */
  private handle(action: string, input: Record<string, unknown>, lag: number): unknown {
    try {
      return { ...this.w.ec2.call(action, input, { lagMs: lag }), $metadata: { httpStatusCode: 200 } };
    } catch (error) {
      const sdk = toSdkError(error) as Error;
      if (sdk.name === 'InvalidAction') {
        this.w.checker.fail(Invariant.MODEL, `${this.actor.id} called ${action}, which the EC2 model lacks`);
      }
      throw sdk;
    }
  }

  /** Keeps the actor's last view of each instance (what its decision saw). */
  private remember(action: string, out: Record<string, unknown>): void {
    const views = this.actor.instances;
    if (action === 'DescribeInstances') {
      for (const r of (out.Reservations as { Instances: Record<string, unknown>[] }[]) ?? []) {
        for (const i of r.Instances) {
          const id = String(i.InstanceId);
          const prev = views.get(id);
          views.set(id, {
            state: String((i.State as { Name: string }).Name),
            impaired: prev?.impaired ?? false,
            launchTime: (i.LaunchTime as Date | undefined)?.getTime(),
          });
        }
      }
    } else {
      for (const s of (out.InstanceStatuses as Record<string, unknown>[]) ?? []) {
        const id = String(s.InstanceId);
        const prev = views.get(id);
        const impaired = (s.InstanceStatus as { Status: string }).Status === 'impaired';
        views.set(id, { state: prev?.state ?? 'unknown', impaired, launchTime: prev?.launchTime });
      }
    }
  }
}

/** The error a throttled or failing SNS publish raises. */
export function snsError(): Error {
  return sdkError('InternalError', 'SNS is unavailable.', 500);
}
