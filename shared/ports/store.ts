import type { NodeHealth } from '../domain/constants';
import type { GroupState, HistoryEvent, Lease, LeaseRecord, Verdict } from '../domain/model';

/** Everything the arbiter reads about a group in one consistent read. */
export interface GroupSnapshot {
  state: GroupState;
  /**
   * The verdicts of the group's vantages on its nodes, with `seenAt` already raised to their
   * vantage's heartbeat, read with a consistent read before the verdict rows (so a heartbeat
   * never vouches for a row newer than it saw). Without `streak` or `seq`.
   */
  verdicts: Verdict[];
}

/** A recorded move: the new holders, written only while our lease epoch is current. */
export interface MoveRecord {
  active: string;
  holders: Record<string, string>;
  /** Set for failovers that count toward cooldown and the breaker. */
  lastFailoverAt?: number;
  /** The breaker window's failover times, this one included. */
  failoverTimes?: number[];
}

/**
 * The start of a failover, for the cooldown and the breaker. The breaker's times are appended
 * to and pruned, never rewritten from a snapshot: a `reset` that lands after the mover read the
 * state stays a reset.
 */
export interface FailoverStart {
  lastFailoverAt: number;
  /** Appended to the breaker's failover times; absent for a manual move, which it does not count. */
  countedAt?: number;
  /**
   * The oldest failover times the mover read, now outside the breaker window: removed only if
   * they still lead the list (a reset emptied it, or another start pruned them: nothing to do).
   */
  expired: number[];
}

/** The lease and state of groups (the arbiter's side of the table). */
export interface GroupStore {
  /** Reads state and verdicts with a consistent read. */
  readGroup(group: string): Promise<GroupSnapshot>;
  /**
   * Takes the group's lease if it is free, or if it is still exactly the record `seen`
   * (owner, epoch and version: nobody extended or took it since), raising the epoch by one.
   * Never compares a clock with the holder's expiry: when a lease counts as abandoned is the
   * caller's judgement, on its own monotonic clock (LeaseGuard.take).
   * @throws LeaseHeldError naming the holder and its record version.
   */
  acquireLease(
    group: string,
    owner: string,
    now: number,
    leaseMs: number,
    seen?: LeaseRecord,
  ): Promise<Lease>;
  /**
   * Extends our lease; call before every mutating EC2 call.
   * @throws LeaseLostError if another owner or epoch holds it now.
   */
  extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease>;
  /** Releases our lease; a no-op if it is no longer ours. */
  releaseLease(lease: Lease): Promise<void>;
  /**
   * Records a move under our lease epoch.
   * @throws StaleEpochError if our epoch is no longer current.
   */
  recordMove(lease: Lease, move: MoveRecord): Promise<void>;
  /**
   * Stamps the start of a failover under our lease epoch, right before its first mutating EC2
   * call, so that the cooldown and the breaker count it even if the move then fails or the
   * arbiter dies before recordMove. Leaves active, holders and moveEpoch as they are.
   * @throws StaleEpochError if our epoch is no longer current.
   */
  recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void>;
  /**
   * Moves a node's recorded health from `from` to `to` if nobody did it first.
   * @returns true if this call made the transition (and so should notify).
   */
  transitionHealth(
    group: string,
    node: string,
    from: NodeHealth | undefined,
    to: NodeHealth,
  ): Promise<boolean>;
  /** Records when each node became continuously healthy (no condition: last writer wins). */
  saveHealthySince(
    group: string,
    healthySince: Record<string, number>,
    nodes: readonly string[],
  ): Promise<void>;
  /**
   * Opens (value set) or closes (undefined) an alert if it is not already in that state.
   * @returns true if this call changed it (and so should notify).
   */
  setAlert(group: string, key: string, value: string | undefined): Promise<boolean>;
  /** Opens the circuit breaker; returns true if this call opened it. */
  openBreaker(group: string, now: number): Promise<boolean>;
  appendHistory(event: HistoryEvent, ttlDays: number): Promise<void>;
  readHistory(group: string, limit: number): Promise<HistoryEvent[]>;
}

/**
 * Operator controls on a group (the `control` function). Kept apart from GroupStore so stores
 * that only serve the arbiter need not implement them. None of these take the lease: they
 * change policy inputs, and the next decision (run right after) acts on them under the lease.
 */
export interface ControlStore {
  /** Bans a node until `expiresAt` (epoch ms), or without expiry when 0; replaces an earlier ban. */
  setBan(group: string, node: string, expiresAt: number): Promise<void>;
  /** Lifts a ban; returns true if there was one (expired or not). */
  clearBan(group: string, node: string): Promise<boolean>;
  /** Pauses (observe only) or resumes a group; returns true if this call changed it. */
  setPaused(group: string, paused: boolean): Promise<boolean>;
  /** Closes the breaker, forgets recent failovers (breaker window and cooldown) and clears the given alerts. */
  resetCounters(group: string, alerts: readonly string[]): Promise<void>;
}

/** The prober's side of the table. */
export interface VerdictStore {
  /**
   * Verdicts this vantage wrote before (to continue rise/fall across invocations), each with
   * its streak and the `seq` of its last write.
   */
  loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]>;
  /**
   * Writes the vantage's row for the verdict's node unless the row already holds a newer
   * write: one with a `seq` at least the verdict's (a write without `seq`, as in test setup,
   * replaces only rows without one).
   * @returns false if a newer write was already there and this one was dropped (not an error).
   */
  putVerdict(verdict: Verdict): Promise<boolean>;
  /**
   * Says "every verdict this vantage stored, in every group, is still current as of `at`":
   * one row per vantage, never moved back to an earlier `at`. Never call it while a verdict
   * write of the vantage is still pending.
   * @returns false if a heartbeat at least as recent was already there (not an error).
   */
  putHeartbeat(vantage: string, at: number): Promise<boolean>;
}
