import { StoreError } from '../../shared/domain/errors';
import type { HistoryEvent, Lease, Verdict } from '../../shared/domain/model';
import type {
  ControlStore,
  FailoverStart,
  GroupSnapshot,
  GroupStore,
  MoveRecord,
  VerdictStore,
} from '../../shared/ports/store';
import type { SimActor, Win } from '../actors';
import type { SimWorld } from '../world';

/**
 * The store as one actor sees it: every call is a request and a response scheduled by the
 * simulator (latency, stalls, errors that happen before or after the write landed), applied
 * atomically to the shared MemoryTable when the request lands. It also tells the simulator
 * what the actor learned (its lease, its snapshot, the conditional writes it won).
 */
export class ScheduledStore implements GroupStore, VerdictStore, ControlStore {
  constructor(
    private readonly w: SimWorld,
    private readonly actor: SimActor,
  ) {}

  /*
   * Two calls, as DynamoStore makes them: the vantages' heartbeats first, then the group's
   * rows. A stall or a prober's writes may fall between them; the heartbeats then only ever
   * vouch for rows older than the ones read, never make a row look fresher than it is.
   */
  async readGroup(group: string): Promise<GroupSnapshot> {
    const heartbeats = await this.op('readHeartbeats', () =>
      this.w.table.readHeartbeats(this.w.group.vantages),
    );
    const snapshot = await this.op('readGroup', () => this.w.table.readGroup(group, heartbeats));
    if (!this.actor.pinned) {
      this.actor.snapshot = snapshot;
      this.actor.snapshotAt = this.w.clockOf(this.actor);
      this.actor.decidedAt = this.w.sched.now;
      // An operator decides on its first read; later reads (under the lease) do not change that.
      if (this.actor.kind === 'operator') this.actor.pinned = true;
    }
    return snapshot;
  }

  async acquireLease(...args: Parameters<GroupStore['acquireLease']>): Promise<Lease> {
    const lease = await this.op('acquireLease', () => this.w.table.acquireLease(...args));
    this.actor.lease = lease;
    this.actor.epoch = lease.epoch;
    this.win('lease', `lease:${lease.epoch}`);
    this.w.onLeaseAcquired(this.actor);
    return lease;
  }

  async extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    try {
      const next = await this.op('extendLease', () => this.w.table.extendLease(lease, now, leaseMs));
      this.actor.lease = next;
      return next;
    } catch (error) {
      this.actor.lease = undefined;
      throw error;
    }
  }

  async releaseLease(lease: Lease): Promise<void> {
    // From here on the code does not act under this lease any more.
    this.actor.lease = undefined;
    await this.op('releaseLease', () => this.w.table.releaseLease(lease));
  }

  async recordMove(lease: Lease, move: MoveRecord): Promise<void> {
    await this.op('recordMove', () => this.w.table.recordMove(lease, move));
  }

  async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
    await this.op('recordFailoverStart', () => this.w.table.recordFailoverStart(lease, start));
  }

  async transitionHealth(...args: Parameters<GroupStore['transitionHealth']>): Promise<boolean> {
    const node = args[1];
    const [won, token] = await this.op('transitionHealth', () =>
      this.tracked(`health:${node}`, () => this.w.table.transitionHealth(...args)),
    );
    if (won) this.win('health', token);
    return won;
  }

  async saveHealthySince(
    group: string,
    healthySince: Record<string, number>,
    nodes: readonly string[],
  ): Promise<void> {
    await this.op('saveHealthySince', () => this.w.table.saveHealthySince(group, healthySince, nodes));
  }

  async setAlert(group: string, key: string, value: string | undefined): Promise<boolean> {
    const [changed, token] = await this.op('setAlert', () =>
      this.tracked(`alert:${key}`, () => this.w.table.setAlert(group, key, value)),
    );
    // Opening an alert entitles one notification; so does closing one (a silent vantage that
    // is back is told once, by the arbiter whose write closed it: shared/usecases/vantage-silence.ts).
    if (changed) this.win('alert', token);
    return changed;
  }

  async openBreaker(group: string, now: number): Promise<boolean> {
    const [opened, token] = await this.op('openBreaker', () =>
      this.tracked('breakerOpenSince', () => this.w.table.openBreaker(group, now)),
    );
    if (opened) this.win('breaker', token);
    return opened;
  }

  async setBan(group: string, node: string, expiresAt: number): Promise<void> {
    await this.op('setBan', () => this.w.table.setBan(group, node, expiresAt));
  }

  async clearBan(group: string, node: string): Promise<boolean> {
    return this.op('clearBan', () => this.w.table.clearBan(group, node));
  }

  async setPaused(group: string, paused: boolean): Promise<boolean> {
    return this.op('setPaused', () => this.w.table.setPaused(group, paused));
  }

  async resetCounters(group: string, alerts: readonly string[]): Promise<void> {
    await this.op('resetCounters', () => {
      this.w.table.resetCounters(group, alerts);
      this.w.checker.onReset();
    });
  }

  async appendHistory(event: HistoryEvent, _ttlDays: number): Promise<void> {
    await this.op('appendHistory', () => this.w.table.appendHistory(event));
  }

  async readHistory(group: string, limit: number): Promise<HistoryEvent[]> {
    return this.op('readHistory', () => this.w.table.readHistory(group, limit));
  }

  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    return this.op('loadVerdicts', () => this.w.table.loadVerdicts(vantage, groups));
  }

  async putVerdict(verdict: Verdict): Promise<boolean> {
    return this.op('putVerdict', () => this.w.table.putVerdict(verdict));
  }

  async putHeartbeat(vantage: string, at: number): Promise<boolean> {
    return this.op('putHeartbeat', () => this.w.table.putHeartbeat(vantage, at));
  }

  /** Runs a conditional write and names the transition of `attribute` it left the table in. */
  private tracked<T>(attribute: string, write: () => T): [T, string] {
    const before = this.w.table.peekState(this.w.group.id)[attribute];
    const result = write();
    return [result, this.w.transitionOf(attribute, before)];
  }

  private win(kind: Win['kind'], token: string): void {
    this.actor.wins.push({ kind, token, used: false });
  }

  /**
   * One request and its response. DynamoDB's answer carries the true time it was handled at
   * (the `Date` header), which the container's ClockSkew reads as on AWS.
   */
  private op<T>(name: string, apply: () => T): Promise<T> {
    const w = this.w;
    const extra = w.faults.value('store-latency', w.sched.now);
    const request = w.rng.int(2, 8) + extra / 2;
    const clock = this.actor.container?.clock;
    const sent = clock?.sending() ?? 0;
    let answeredAt: number | undefined;
    const dated = () => {
      if (clock && answeredAt !== undefined) clock.observe(sent, new Date(answeredAt).toUTCString());
    };
    return w.sched
      .call(
        this.actor,
        `store ${name}`,
        request,
        () => w.rng.int(2, 8) + extra / 2 + w.takeStall(this.actor),
        () => {
          answeredAt = w.sched.now;
          const failure = w.storeFailure(this.actor);
          if (failure === 'before') throw unavailable(name);
          const value = apply();
          if (failure === 'after') throw unavailable(name);
          return value;
        },
      )
      .then(
        (value) => {
          dated();
          return value;
        },
        (error: unknown) => {
          dated();
          throw error;
        },
      );
  }
}

/** What DynamoStore throws when DynamoDB fails for a reason other than a condition. */
function unavailable(what: string): StoreError {
  return new StoreError(`DynamoDB: cannot ${what}: InternalServerError: simulated outage`);
}
