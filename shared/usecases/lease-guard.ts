import { LeaseHeldError, LeaseLostError, messageOf } from '../errors';
import type { Lease } from '../model';
import type { TimelineStep } from '../notify/format';
import type { ArbiterDeps } from './deps';

/*
 * The race this check closes (found by the simulator, test/sim/regressions/):
 *   t0      A extends its lease (epoch e) to t0 + lease; the answer is delayed (a frozen
 *           container, a slow network).
 *   t0+L    the lease expires; B takes it (epoch e+1) and moves the resources.
 *   t0+L+x  A's answer arrives: "extended". A calls EC2 and undoes B's move.
 * The extend proved the lease ours until `sent + lease` by our clock only, and another
 * arbiter's clock may run ahead of ours. So an answer that took more than half the lease is
 * not acted on; the other half covers clock skew and the time the mutating call takes to land.
 */
/**
 * Extends the lease right before a mutating EC2 call.
 * @throws LeaseLostError if another arbiter holds it, or the answer came too late to act on.
 */
export async function extendBeforeMutation(deps: ArbiterDeps, lease: Lease, leaseMs: number): Promise<Lease> {
  const sent = deps.now();
  const next = await deps.store.extendLease(lease, sent, leaseMs);
  if (deps.now() - sent > leaseMs / 2) throw new LeaseLostError(lease.group, lease.owner, lease.epoch);
  return next;
}

/**
 * The group's lease held around a move: taken once, extended (and validated) before every
 * mutating call, released at the end. Every step lands in the move's timeline.
 */
export class LeaseGuard {
  /** Runs once, right before the first extension (the start of a failover is stamped there). */
  private firstMutation: (() => Promise<void>) | undefined;

  private constructor(
    private readonly deps: ArbiterDeps,
    private current: Lease,
    readonly timeline: TimelineStep[],
    /** When the lease was taken, on the arbiter's clock. */
    readonly takenAt: number,
  ) {}

  /**
   * Takes the group's lease.
   * @returns the guard, or the LeaseHeldError naming the holder (another arbiter is acting).
   * @throws whatever else the store throws.
   */
  static async take(
    deps: ArbiterDeps,
    group: string,
    timeline: TimelineStep[] = [],
  ): Promise<LeaseGuard | LeaseHeldError> {
    let lease: Lease;
    try {
      lease = await deps.store.acquireLease(group, deps.owner, deps.now(), LeaseGuard.durationMs(deps));
    } catch (error) {
      if (error instanceof LeaseHeldError) return error;
      throw error;
    }
    const at = deps.now();
    timeline.push({ at, what: `lease taken by ${deps.owner} (epoch ${lease.epoch})` });
    return new LeaseGuard(deps, lease, timeline, at);
  }

  static durationMs(deps: ArbiterDeps): number {
    return deps.config.arbiter.leaseSeconds * 1000;
  }

  /** The lease as last extended: records are written under it. */
  get lease(): Lease {
    return this.current;
  }

  /** Runs `step` once, right before the first mutating call (before its extension). */
  beforeFirstMutation(step: () => Promise<void>): void {
    this.firstMutation = step;
  }

  /**
   * Call right before a mutating call: extends and validates the lease, and notes the call.
   * @throws LeaseLostError if the lease is no longer ours.
   */
  readonly beforeMutation = async (call: string): Promise<void> => {
    // Before the extend, so that its answer is the last thing waited for before the call.
    if (this.firstMutation) {
      const run = this.firstMutation;
      this.firstMutation = undefined;
      await run();
    }
    this.current = await extendBeforeMutation(this.deps, this.current, LeaseGuard.durationMs(this.deps));
    this.note(call);
  };

  /** Adds a step to the move's timeline, at the arbiter's clock. */
  note(what: string): void {
    this.timeline.push({ at: this.deps.now(), what });
  }

  /** Releases the lease; a failure is logged (the lease expires on its own). */
  async release(): Promise<void> {
    await this.deps.store.releaseLease(this.current).catch((error: unknown) => {
      this.deps.log.warn('lease release failed (it expires on its own)', {
        group: this.current.group,
        error: messageOf(error),
      });
    });
  }
}
