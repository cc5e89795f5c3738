import { LeaseHeldError, LeaseLostError, messageOf, StaleEpochError } from '../domain/errors';
import type { Lease, LeaseRecord } from '../domain/model';
import type { TimelineStep } from '../messages/format';
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

  /*
   * The race this rule closes (the taker's clock 30 s ahead, lease 25 s):
   *   t0      A takes the lease (expires t0+25 s by A's clock) and moves; it extends before
   *           every mutating call.
   *   t0+1s   B reads the lease: by B's clock (t0+31 s) it expired. Comparing clocks, B would
   *           take it while A is still moving, and both would mutate EC2.
   * So a held lease is judged on the taker's own monotonic clock only, as the DynamoDB lock
   * client does: B notes the record it was refused by (owner, epoch, version) and takes it
   * only once it has seen that very record for a full lease duration, with a condition on
   * that record; an extension in between raises the version and the take fails. The holder
   * acts only on an extension answered within half a lease (extendBeforeMutation), so its
   * last mutating call started at least half a lease before the take. Clock offsets do not
   * matter; clock rates are assumed equal (a monotonic clock drifts by ppm, not by halves).
   * A free lease (none, or released) is taken at once.
   */
  /**
   * Takes the group's lease: at once if free, or as the record this container has seen
   * unchanged for a lease duration (the holder stopped extending it).
   * @returns the guard, or the LeaseHeldError naming the holder (another arbiter is acting).
   * @throws whatever else the store throws.
   */
  static async take(
    deps: ArbiterDeps,
    group: string,
    timeline: TimelineStep[] = [],
  ): Promise<LeaseGuard | LeaseHeldError> {
    const leaseMs = LeaseGuard.durationMs(deps);
    await LeaseGuard.releaseLeftBehind(deps, group, timeline);
    const monotonic = deps.monotonic ?? (() => performance.now());
    const sightings = deps.memory.leaseSightings;
    const sighting = sightings.get(group);
    const abandoned =
      sighting !== undefined && monotonic() - sighting.firstSeenAt >= leaseMs ? sighting.record : undefined;
    let lease: Lease;
    let how = abandoned ? `, after ${abandoned.owner}'s record stayed unchanged for ${leaseMs / 1000} s` : '';
    try {
      lease = await deps.store.acquireLease(group, deps.owner, deps.now(), leaseMs, abandoned);
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      LeaseGuard.sight(deps, group, error, monotonic());
      const stale = LeaseGuard.expiredLongAgo(deps, error, leaseMs);
      if (stale === undefined) return error;
      try {
        lease = await deps.store.acquireLease(group, deps.owner, deps.now(), leaseMs, stale);
      } catch (again) {
        if (again instanceof LeaseHeldError) return again;
        throw again;
      }
      how = `, ${stale.owner}'s record having expired over a lease ago by AWS's time`;
    }
    sightings.delete(group);
    const at = deps.now();
    timeline.push({ at, what: `lease taken by ${deps.owner} (epoch ${lease.epoch}${how})` });
    return new LeaseGuard(deps, lease, timeline, at);
  }

  /*
   * Why a second way to take a held lease: the watch above needs one container to see the
   * record twice a lease apart, and invocations land on containers at random, so a holder
   * that died mid-move could keep a group waiting for minutes (found by the simulator with
   * three containers). Every container reads AWS's time within about a second once an answer
   * proved its skew (ClockSkew.awsNow), and the holder wrote `leaseExpiresAt` the same way. A
   * record that expired more than a whole lease ago by that time cannot belong to a holder
   * that still acts (it acts only within half a lease of an extension), unless the two clocks
   * were off by more than a lease, which the proof excludes. Without a fresh proof only the
   * watch applies.
   */
  /** The record a refusal named, if it expired over a lease ago by this container's proven AWS time. */
  private static expiredLongAgo(
    deps: ArbiterDeps,
    held: LeaseHeldError,
    leaseMs: number,
  ): LeaseRecord | undefined {
    if (!deps.awsTimeProven?.()) return undefined;
    if (held.holder === undefined || held.epoch === undefined || held.version === undefined) return undefined;
    if (held.expiresAt === undefined || deps.now() - held.expiresAt <= leaseMs) return undefined;
    return { owner: held.holder, epoch: held.epoch, version: held.version };
  }

  /**
   * Releases the lease an earlier invocation of this container could not release (the table
   * was down): it is ours and idle, so nobody need watch it expire. A failure leaves it noted
   * for the next take; the take that follows meets the same store.
   */
  private static async releaseLeftBehind(
    deps: ArbiterDeps,
    group: string,
    timeline: TimelineStep[],
  ): Promise<void> {
    const left = deps.memory.unreleasedLeases.get(group);
    if (left === undefined) return;
    try {
      await deps.store.releaseLease(left);
    } catch {
      return;
    }
    deps.memory.unreleasedLeases.delete(group);
    deps.memory.leaseSightings.delete(group);
    timeline.push({
      at: deps.now(),
      what: `lease left by ${left.owner} (epoch ${left.epoch}) released: that invocation ended while the table was unreachable`,
    });
  }

  /**
   * Notes the record a take was refused by. The same record keeps its first sighting; any
   * other (extended, or taken by someone else) starts a new one. `seenAt` is read after the
   * answer, never before, so the watch can only be longer than the record's real age.
   */
  private static sight(deps: ArbiterDeps, group: string, held: LeaseHeldError, seenAt: number): void {
    const sightings = deps.memory.leaseSightings;
    if (held.holder === undefined || held.epoch === undefined || held.version === undefined) {
      sightings.delete(group);
      return;
    }
    const record: LeaseRecord = { owner: held.holder, epoch: held.epoch, version: held.version };
    const known = sightings.get(group)?.record;
    if (
      known &&
      known.owner === record.owner &&
      known.epoch === record.epoch &&
      known.version === record.version
    ) {
      return;
    }
    sightings.set(group, { record, firstSeenAt: seenAt });
  }

  static durationMs(deps: ArbiterDeps): number {
    return deps.config.arbiter.leaseSeconds * 1000;
  }

  /** The lease as last extended: records are written under it. */
  get lease(): Lease {
    return this.current;
  }

  /** Runs `step` before the first mutating call (before its extension), until it succeeds once. */
  beforeFirstMutation(step: () => Promise<void>): void {
    this.firstMutation = step;
  }

  /**
   * Call right before a mutating call: extends and validates the lease, and notes the call.
   * @throws LeaseLostError if the lease is no longer ours.
   */
  readonly beforeMutation = async (call: string): Promise<void> => {
    // Before the extend, so that its answer is the last thing waited for before the call.
    // Forgotten only once it succeeded (found by the simulator): a start write that failed
    // fails this call, and a mover that tries the call again must write the start again, or
    // the move is made with no cooldown recorded and the next failover follows at once.
    if (this.firstMutation) {
      try {
        await this.firstMutation();
      } catch (error) {
        // A write under our epoch refused: the lease is someone else's, as an extension would say.
        if (error instanceof StaleEpochError) {
          throw new LeaseLostError(this.current.group, this.current.owner, this.current.epoch, {
            cause: error,
          });
        }
        throw error;
      }
      this.firstMutation = undefined;
    }
    this.current = await extendBeforeMutation(this.deps, this.current, LeaseGuard.durationMs(this.deps));
    this.note(call);
  };

  /** Adds a step to the move's timeline, at the arbiter's clock. */
  note(what: string): void {
    this.timeline.push({ at: this.deps.now(), what });
  }

  /**
   * Releases the lease. On a failure the lease is noted in the container's memory, and the
   * container's next take of the group releases it (releaseLeftBehind); until then others
   * take it after watching it unchanged for a lease duration.
   */
  async release(): Promise<void> {
    const { memory, store, log } = this.deps;
    try {
      await store.releaseLease(this.current);
      memory.unreleasedLeases.delete(this.current.group);
    } catch (error) {
      memory.unreleasedLeases.set(this.current.group, this.current);
      log.warn('lease release failed (released by the next take here, or taken over after a lease)', {
        group: this.current.group,
        error: messageOf(error),
      });
    }
  }
}
