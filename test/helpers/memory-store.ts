import type { NodeHealth } from '../../shared/domain/constants';
import { LeaseHeldError, LeaseLostError, StaleEpochError, StoreError } from '../../shared/domain/errors';
import {
  emptyState,
  type GroupState,
  type HistoryEvent,
  type Lease,
  type LeaseRecord,
  type Verdict,
} from '../../shared/domain/model';
import type {
  FailoverStart,
  GroupSnapshot,
  GroupStore,
  MoveRecord,
  VerdictStore,
} from '../../shared/ports/store';

type Method = keyof GroupStore | keyof VerdictStore;

/** A history row as stored, with its expiry (epoch seconds) like the table's TTL attribute. */
export type StoredHistory = HistoryEvent & { ttl: number };

/**
 * An in-memory GroupStore and VerdictStore with the same conditional-write semantics as
 * DynamoStore (the contract tests run one suite against both). Reads return copies, so a
 * caller can never change stored state by accident; every call is recorded in `calls`.
 */
export class MemoryStore implements GroupStore, VerdictStore {
  readonly states = new Map<string, GroupState>();
  readonly verdicts = new Map<string, Verdict>();
  /** The heartbeat of each vantage (one row per vantage, for all its groups). */
  readonly heartbeats = new Map<string, number>();
  /** Each group's lease record version, raised by every take and extension (`leaseVersion`). */
  readonly leaseVersions = new Map<string, number>();
  readonly history: StoredHistory[] = [];
  readonly calls: Method[] = [];
  private readonly failures: { method: Method; error: Error }[] = [];

  /** Makes the next call of `method` throw (a StoreError by default); queue several for several calls. */
  failNext(
    method: Method,
    error: Error = new StoreError(`DynamoDB: cannot ${method}: injected failure`),
  ): void {
    this.failures.push({ method, error });
  }

  /** Changes the stored state of a group directly (test setup). */
  setState(group: string, patch: Partial<GroupState>): void {
    this.states.set(group, { ...this.state(group), ...structuredClone(patch) });
  }

  /** A copy of the stored state of a group. */
  stateOf(group: string): GroupState {
    return structuredClone(this.state(group));
  }

  async readGroup(group: string): Promise<GroupSnapshot> {
    this.enter('readGroup');
    const verdicts = [...this.verdicts.values()]
      .filter((v) => v.group === group)
      .map(({ streak: _streak, seq: _seq, ...v }) => {
        // A streak in progress and the write order are the prober's, never a verdict.
        const copy = structuredClone(v);
        const hb = this.heartbeats.get(v.vantage);
        if (hb !== undefined && hb > copy.seenAt) copy.seenAt = hb;
        return copy;
      });
    return { state: this.stateOf(group), verdicts };
  }

  async acquireLease(
    group: string,
    owner: string,
    now: number,
    leaseMs: number,
    seen?: LeaseRecord,
  ): Promise<Lease> {
    this.enter('acquireLease');
    const s = this.state(group);
    const version = this.leaseVersions.get(group) ?? 0;
    const asSeen =
      seen !== undefined &&
      s.leaseOwner === seen.owner &&
      s.leaseEpoch === seen.epoch &&
      version === seen.version;
    if (s.leaseOwner !== undefined && !asSeen) {
      throw new LeaseHeldError(group, s.leaseOwner, s.leaseEpoch, s.leaseExpiresAt, version);
    }
    this.leaseVersions.set(group, version + 1);
    s.leaseOwner = owner;
    s.leaseExpiresAt = now + leaseMs;
    s.leaseEpoch += 1;
    return { group, owner, epoch: s.leaseEpoch, expiresAt: s.leaseExpiresAt };
  }

  async extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    this.enter('extendLease');
    const s = this.state(lease.group);
    if (!this.owns(s, lease)) throw new LeaseLostError(lease.group, lease.owner, lease.epoch);
    this.leaseVersions.set(lease.group, (this.leaseVersions.get(lease.group) ?? 0) + 1);
    s.leaseExpiresAt = now + leaseMs;
    return { ...lease, expiresAt: s.leaseExpiresAt };
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.enter('releaseLease');
    const s = this.state(lease.group);
    if (!this.owns(s, lease)) return;
    delete s.leaseOwner;
    s.leaseExpiresAt = 0;
  }

  async recordMove(lease: Lease, move: MoveRecord): Promise<void> {
    this.enter('recordMove');
    const s = this.state(lease.group);
    if (!this.owns(s, lease)) throw new StaleEpochError(lease.group, lease.epoch);
    s.active = move.active;
    s.holders = { ...move.holders };
    s.moveEpoch = lease.epoch;
    if (move.lastFailoverAt !== undefined) s.lastFailoverAt = move.lastFailoverAt;
    if (move.failoverTimes !== undefined) s.failoverTimes = [...move.failoverTimes];
  }

  async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
    this.enter('recordFailoverStart');
    const s = this.state(lease.group);
    if (!this.owns(s, lease)) throw new StaleEpochError(lease.group, lease.epoch);
    s.lastFailoverAt = start.lastFailoverAt;
    if (start.countedAt !== undefined) s.failoverTimes = [...s.failoverTimes, start.countedAt];
    if (start.expired.every((t, i) => s.failoverTimes[i] === t)) {
      s.failoverTimes = s.failoverTimes.slice(start.expired.length);
    }
  }

  async transitionHealth(
    group: string,
    node: string,
    from: NodeHealth | undefined,
    to: NodeHealth,
  ): Promise<boolean> {
    this.enter('transitionHealth');
    const s = this.state(group);
    if (s.health[node] !== from) return false;
    s.health[node] = to;
    return true;
  }

  async saveHealthySince(
    group: string,
    healthySince: Record<string, number>,
    nodes: readonly string[],
  ): Promise<void> {
    this.enter('saveHealthySince');
    const s = this.state(group);
    for (const node of nodes) {
      const since = healthySince[node];
      if (since === undefined) delete s.healthySince[node];
      else s.healthySince[node] = since;
    }
  }

  async setAlert(group: string, key: string, value: string | undefined): Promise<boolean> {
    this.enter('setAlert');
    const s = this.state(group);
    const open = s.alerts[key] !== undefined;
    if (value === undefined) {
      if (!open) return false;
      delete s.alerts[key];
      return true;
    }
    if (open) return false;
    s.alerts[key] = value;
    return true;
  }

  async openBreaker(group: string, now: number): Promise<boolean> {
    this.enter('openBreaker');
    const s = this.state(group);
    if (s.breakerOpenSince !== undefined) return false;
    s.breakerOpenSince = now;
    return true;
  }

  async appendHistory(event: HistoryEvent, ttlDays: number): Promise<void> {
    this.enter('appendHistory');
    this.history.push({ ...structuredClone(event), ttl: Math.floor(event.at / 1000) + ttlDays * 86_400 });
  }

  async readHistory(group: string, limit: number): Promise<HistoryEvent[]> {
    this.enter('readHistory');
    return this.history
      .filter((h) => h.group === group)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map(({ ttl: _ttl, ...event }) => structuredClone(event));
  }

  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    this.enter('loadVerdicts');
    return [...this.verdicts.values()]
      .filter((v) => v.vantage === vantage && groups.includes(v.group))
      .map((v) => structuredClone(v));
  }

  /** Lands only over an older write (a lower `seq`), as DynamoStore's conditional PutItem. */
  async putVerdict(verdict: Verdict): Promise<boolean> {
    this.enter('putVerdict');
    const key = `${verdict.group}|${verdict.vantage}|${verdict.node}`;
    const stored = this.verdicts.get(key)?.seq;
    if (stored !== undefined && (verdict.seq === undefined || !(stored < verdict.seq))) return false;
    this.verdicts.set(key, structuredClone(verdict));
    return true;
  }

  /** Never moves a vantage's heartbeat back. */
  async putHeartbeat(vantage: string, at: number): Promise<boolean> {
    this.enter('putHeartbeat');
    const stored = this.heartbeats.get(vantage);
    if (stored !== undefined && !(stored < at)) return false;
    this.heartbeats.set(vantage, at);
    return true;
  }

  private enter(method: Method): void {
    this.calls.push(method);
    const index = this.failures.findIndex((f) => f.method === method);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      throw failure!.error;
    }
  }

  private owns(s: GroupState, lease: Lease): boolean {
    return s.leaseOwner === lease.owner && s.leaseEpoch === lease.epoch;
  }

  private state(group: string): GroupState {
    let s = this.states.get(group);
    if (!s) {
      s = emptyState(group);
      this.states.set(group, s);
    }
    return s;
  }
}
