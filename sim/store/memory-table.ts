import { keys } from '../../shared/adapters/dynamo/keys';
import { toState, toVerdict } from '../../shared/adapters/dynamo/rows';
import { withStreak } from '../../shared/adapters/dynamo/verdict-row';
import type { NodeHealth } from '../../shared/domain/constants';
import { LeaseHeldError, LeaseLostError, StaleEpochError } from '../../shared/domain/errors';
import type { HistoryEvent, Lease, LeaseRecord, Verdict } from '../../shared/domain/model';
import type { FailoverStart, GroupSnapshot, MoveRecord } from '../../shared/ports/store';

type Item = Record<string, unknown>;

/** A change to a verdict row, shaped like a DynamoDB stream record's keys and images. */
export interface RowChange {
  pk: string;
  sk: string;
  oldImage: Item | undefined;
  newImage: Item;
}

const HISTORY_KEPT = 200;

/**
 * The table, in memory, with DynamoDB's semantics for the operations the arbiter uses:
 * every call is atomic, conditions are evaluated against the item as it is when the call
 * lands, an update creates a missing item, a failed condition changes nothing. Each method
 * mirrors the expression of the same method of DynamoStore (shared/adapters/dynamo/dynamo-store.ts);
 * test/sim/memory-store.test.ts runs the same operations against both (DynamoStore on
 * dynalite) and compares the outcomes.
 */
export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, Item>>();
  private readonly history = new Map<string, HistoryEvent[]>();
  /** Called after every verdict row write (the table stream). */
  onVerdictWrite: ((change: RowChange) => void) | undefined;

  /**
   * The group's state and verdicts, each verdict's seenAt raised to its vantage's heartbeat.
   * DynamoStore reads the heartbeats first and the state and verdict rows after them (two
   * consistent reads); the simulator's store does the same in two scheduled calls and passes
   * the heartbeats it read. Without them, both are read here at once. The verdicts are the
   * group's `n#<group>#` rows in every vantage partition (DynamoStore reads the configured
   * vantages x nodes; only those vantages write rows of the group).
   */
  readGroup(group: string, heartbeats?: ReadonlyMap<string, number>): GroupSnapshot {
    const stateItem = this.partitions.get(keys.groupPk(group))?.get(keys.state);
    const state = toState(group, stateItem ? clone(stateItem) : {});
    const verdicts: Verdict[] = [];
    const prefix = keys.groupVerdicts(group);
    for (const [pk, rows] of [...this.partitions.entries()].sort(bySortKey)) {
      if (!pk.startsWith(keys.vantagePrefix)) continue;
      for (const [sk, item] of [...rows.entries()].sort(bySortKey)) {
        if (sk.startsWith(prefix)) verdicts.push(toVerdict(clone(item)));
      }
    }
    const beats = heartbeats ?? this.readHeartbeats(verdicts.map((v) => v.vantage));
    for (const v of verdicts) {
      const hb = beats.get(v.vantage);
      if (hb !== undefined && hb > v.seenAt) v.seenAt = hb;
    }
    return { state, verdicts };
  }

  /** The heartbeat of each vantage that has one (the `hb` row of its `v#<vantage>` partition). */
  readHeartbeats(vantages: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const vantage of vantages) {
      const item = this.partitions.get(keys.vantagePk(vantage))?.get(keys.heartbeat);
      if (item) out.set(vantage, Number(item.at));
    }
    return out;
  }

  /**
   * Condition: `attribute_not_exists(leaseOwner)`, or with `seen`, that record exactly
   * (`leaseOwner = :owner AND leaseEpoch = :epoch AND leaseVersion = :v`); epoch + 1, version + 1.
   */
  acquireLease(group: string, owner: string, now: number, leaseMs: number, seen?: LeaseRecord): Lease {
    const item = this.state(group);
    const version = Number(item.leaseVersion ?? 0);
    const free =
      item.leaseOwner === undefined ||
      (seen !== undefined &&
        item.leaseOwner === seen.owner &&
        item.leaseEpoch === seen.epoch &&
        version === seen.version);
    if (!free) {
      throw new LeaseHeldError(
        group,
        item.leaseOwner as string | undefined,
        item.leaseEpoch as number | undefined,
        item.leaseExpiresAt as number | undefined,
        version,
      );
    }
    const epoch = Number(item.leaseEpoch ?? 0) + 1;
    const expiresAt = now + leaseMs;
    this.write(group, {
      ...item,
      leaseOwner: owner,
      leaseExpiresAt: expiresAt,
      leaseEpoch: epoch,
      leaseVersion: version + 1,
    });
    return { group, owner, epoch, expiresAt };
  }

  /** Condition: `leaseOwner = :me AND leaseEpoch = :e`; version + 1. */
  extendLease(lease: Lease, now: number, leaseMs: number): Lease {
    const item = this.state(lease.group);
    if (!this.owns(item, lease)) throw new LeaseLostError(lease.group, lease.owner, lease.epoch);
    const expiresAt = now + leaseMs;
    this.write(lease.group, {
      ...item,
      leaseExpiresAt: expiresAt,
      leaseVersion: Number(item.leaseVersion ?? 0) + 1,
    });
    return { ...lease, expiresAt };
  }

  /** Condition: `leaseOwner = :me AND leaseEpoch = :e`; a failed condition is a no-op. */
  releaseLease(lease: Lease): void {
    const item = this.state(lease.group);
    if (!this.owns(item, lease)) return;
    const { leaseOwner: _owner, ...rest } = item;
    this.write(lease.group, { ...rest, leaseExpiresAt: 0 });
  }

  /** Condition: `leaseOwner = :me AND leaseEpoch = :e`. */
  recordMove(lease: Lease, move: MoveRecord): void {
    const item = this.state(lease.group);
    if (!this.owns(item, lease)) throw new StaleEpochError(lease.group, lease.epoch);
    const next: Item = { ...item, active: move.active, holders: { ...move.holders }, moveEpoch: lease.epoch };
    if (move.lastFailoverAt !== undefined) next.lastFailoverAt = move.lastFailoverAt;
    if (move.failoverTimes !== undefined) next.failoverTimes = [...move.failoverTimes];
    this.write(lease.group, next);
  }

  /**
   * Condition: `leaseOwner = :me AND leaseEpoch = :e`; sets lastFailoverAt and appends the
   * counted time. Then, as a second write, removes the expired times if they still lead the list.
   */
  recordFailoverStart(lease: Lease, start: FailoverStart): void {
    const item = this.state(lease.group);
    if (!this.owns(item, lease)) throw new StaleEpochError(lease.group, lease.epoch);
    const times = [...((item.failoverTimes as number[] | undefined) ?? [])];
    if (start.countedAt !== undefined) times.push(start.countedAt);
    this.write(lease.group, { ...item, lastFailoverAt: start.lastFailoverAt, failoverTimes: times });
    if (start.expired.every((t, i) => times[i] === t)) {
      this.write(lease.group, {
        ...this.state(lease.group),
        failoverTimes: times.slice(start.expired.length),
      });
    }
  }

  /** Condition: `attribute_not_exists(#h)` or `#h = :from`. */
  transitionHealth(group: string, node: string, from: NodeHealth | undefined, to: NodeHealth): boolean {
    const item = this.state(group);
    const name = `health:${node}`;
    if (from === undefined ? item[name] !== undefined : item[name] !== from) return false;
    this.write(group, { ...item, [name]: to });
    return true;
  }

  /** Unconditional SET / REMOVE of `healthySince:<node>`. */
  saveHealthySince(group: string, healthySince: Record<string, number>, nodes: readonly string[]): void {
    if (nodes.length === 0) return;
    const item = { ...this.state(group) };
    for (const node of nodes) {
      const since = healthySince[node];
      if (since === undefined) delete item[`healthySince:${node}`];
      else item[`healthySince:${node}`] = since;
    }
    this.write(group, item);
  }

  /** Opens (`attribute_not_exists`) or closes (`attribute_exists`) `alert:<key>`. */
  setAlert(group: string, key: string, value: string | undefined): boolean {
    const item = this.state(group);
    const name = `alert:${key}`;
    if (value === undefined) {
      if (item[name] === undefined) return false;
      const { [name]: _gone, ...rest } = item;
      this.write(group, rest);
      return true;
    }
    if (item[name] !== undefined) return false;
    this.write(group, { ...item, [name]: value });
    return true;
  }

  /** Condition: `attribute_not_exists(breakerOpenSince)`. */
  openBreaker(group: string, now: number): boolean {
    const item = this.state(group);
    if (item.breakerOpenSince !== undefined) return false;
    this.write(group, { ...item, breakerOpenSince: now });
    return true;
  }

  /** Unconditional SET of `ban:<node>`. */
  setBan(group: string, node: string, expiresAt: number): void {
    this.write(group, { ...this.state(group), [`ban:${node}`]: expiresAt });
  }

  /** Condition: `attribute_exists(#b)`. */
  clearBan(group: string, node: string): boolean {
    const item = this.state(group);
    const name = `ban:${node}`;
    if (item[name] === undefined) return false;
    const { [name]: _gone, ...rest } = item;
    this.write(group, rest);
    return true;
  }

  /** Condition: pausing needs `attribute_not_exists(paused) OR paused = false`; resuming `paused = true`. */
  setPaused(group: string, paused: boolean): boolean {
    const item = this.state(group);
    const ok = paused ? item.paused === undefined || item.paused === false : item.paused === true;
    if (!ok) return false;
    this.write(group, { ...item, paused });
    return true;
  }

  /** `SET failoverTimes = [] REMOVE breakerOpenSince, lastFailoverAt, alert:<each>`. */
  resetCounters(group: string, alerts: readonly string[]): void {
    const item: Item = { ...this.state(group), failoverTimes: [] };
    delete item.breakerOpenSince;
    delete item.lastFailoverAt;
    for (const key of alerts) delete item[`alert:${key}`];
    this.write(group, item);
  }

  appendHistory(event: HistoryEvent): void {
    const list = this.history.get(event.group) ?? [];
    list.push(clone(event));
    if (list.length > HISTORY_KEPT) list.splice(0, list.length - HISTORY_KEPT);
    this.history.set(event.group, list);
  }

  /** Newest first, like the DynamoDB query with ScanIndexForward false. */
  readHistory(group: string, limit: number): HistoryEvent[] {
    return (this.history.get(group) ?? []).slice(-limit).reverse().map(clone);
  }

  /** The vantage's `n#` rows in the given groups, with their streak and seq. */
  loadVerdicts(vantage: string, groups: readonly string[]): Verdict[] {
    const wanted = new Set(groups);
    const rows = this.partitions.get(keys.vantagePk(vantage)) ?? new Map<string, Item>();
    const out: Verdict[] = [];
    for (const [sk, item] of [...rows.entries()].sort(bySortKey)) {
      if (!sk.startsWith(keys.verdictPrefix) || !wanted.has(String(item.group))) continue;
      const verdict = withStreak(toVerdict(clone(item)), { streak: clone(item.streak) });
      out.push(typeof item.seq === 'number' ? { ...verdict, seq: item.seq } : verdict);
    }
    return out;
  }

  /**
   * Condition: `attribute_not_exists(seq) OR seq < :seq` (only `attribute_not_exists(seq)`
   * for a write without seq). Returns false, and changes nothing, when a newer write is there.
   */
  putVerdict(verdict: Verdict): boolean {
    const pk = keys.vantagePk(verdict.vantage);
    const sk = keys.verdictSk(verdict.group, verdict.node);
    const oldImage = this.partitions.get(pk)?.get(sk);
    const stored = oldImage?.seq;
    if (typeof stored === 'number' && (verdict.seq === undefined || !(stored < verdict.seq))) return false;
    const newImage: Item = { pk, sk, ...clone(withoutUndefined(verdict)) };
    this.put(pk, sk, newImage);
    this.onVerdictWrite?.({ pk, sk, oldImage, newImage });
    return true;
  }

  /** Condition: `attribute_not_exists(at) OR at < :at`. */
  putHeartbeat(vantage: string, at: number): boolean {
    const pk = keys.vantagePk(vantage);
    const sk = keys.heartbeat;
    const stored = this.partitions.get(pk)?.get(sk)?.at;
    if (typeof stored === 'number' && !(stored < at)) return false;
    this.put(pk, sk, { pk, sk, vantage, at });
    return true;
  }

  /** Writes a raw row (test setup, e.g. rows an earlier version left behind). */
  putRaw(item: Item & { pk: string; sk: string }): void {
    this.put(item.pk, item.sk, clone(item));
  }

  /** The raw state item (a copy), for the simulator's checks and for seeding a scenario. */
  rawState(group: string): Item {
    return clone(this.state(group));
  }

  /** The raw state item itself, for read-only checks after every step (no copy: do not change it). */
  peekState(group: string): Readonly<Item> {
    return this.state(group);
  }

  /** Overwrites attributes of the state item (test and scenario setup only). */
  patchState(group: string, attributes: Item): void {
    this.write(group, { ...this.state(group), ...clone(attributes) });
  }

  private owns(item: Item, lease: Lease): boolean {
    return item.leaseOwner === lease.owner && item.leaseEpoch === lease.epoch;
  }

  private state(group: string): Item {
    return this.partitions.get(keys.groupPk(group))?.get(keys.state) ?? {};
  }

  private write(group: string, item: Item): void {
    const pk = keys.groupPk(group);
    this.put(pk, keys.state, { ...item, pk, sk: keys.state });
  }

  private put(pk: string, sk: string, item: Item): void {
    let rows = this.partitions.get(pk);
    if (!rows) {
      rows = new Map();
      this.partitions.set(pk, rows);
    }
    rows.set(sk, item);
  }
}

function bySortKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** What `marshall(..., { removeUndefinedValues: true })` stores: no undefined attributes. */
function withoutUndefined(item: Verdict): Item {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
