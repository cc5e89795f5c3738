import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from '../../shared/domain/model';
import { runEpisode } from '../../sim/episode';
import { MemoryTable } from '../../sim/store/memory-table';
import type { Episode } from '../../sim/world';

/*
 * An invariant that never fires proves nothing. Each test here breaks one guarantee of the
 * store under the real arbiter code and checks that the simulator reports the invariant that
 * guarantee protects, within one short episode.
 */

const crash = (node: number, at: number) => ({ kind: 'node-crash' as const, at, node, forMs: null });
const base = { variant: 0, arbiters: 2, skewsMs: [0, 0, 0], faultMs: 150_000 };

/** Two arbiters woken together (duplicated events) while EC2 calls are slow: they race. */
const race: Episode = {
  ...base,
  seed: 1,
  arbiters: 3,
  faultMs: 120_000,
  faults: [
    { kind: 'event-dup', at: 0, rate: 1, forMs: 60_000 },
    { kind: 'ec2-latency', at: 0, extraMs: 4_000, forMs: 60_000 },
    crash(0, 10_000),
  ],
};
/**
 * One arbiter stalls 90 s in the middle of a failover; the other takes over. `skip` counts the
 * calls made under the lease before the stall (a group read is two: heartbeats, then rows).
 */
const stalled: Episode = {
  ...base,
  // The seed decides which container moves; with seed 4 the stalled one (arbiter 1) does.
  seed: 4,
  faults: [{ kind: 'stall', at: 0, arbiter: 1, ms: 90_000, duringMove: true, skip: 6 }, crash(0, 10_000)],
};
/** The holder fails, then the new holder fails 20 s later (inside the 60 s cooldown). */
const twoFailures: Episode = { ...base, seed: 1, faults: [crash(0, 10_000), crash(1, 30_000)] };
/** As twoFailures, with every event delivered twice: two arbiters decide on one change. */
const duplicated: Episode = {
  ...base,
  seed: 2,
  faults: [{ kind: 'event-dup', at: 0, rate: 1, forMs: 60_000 }, crash(0, 10_000), crash(1, 30_000)],
};

/** Takes a held lease, skipping the watch, whenever `when` says so for the state item. */
function takeWhen(when: (item: Readonly<Record<string, unknown>>, now: number) => boolean): void {
  const acquire = MemoryTable.prototype.acquireLease;
  vi.spyOn(MemoryTable.prototype, 'acquireLease').mockImplementation(function (
    this: MemoryTable,
    g,
    o,
    n,
    ms,
    seen,
  ) {
    const item = this.peekState(g);
    if (item.leaseOwner === undefined || !when(item, n)) return acquire.call(this, g, o, n, ms, seen);
    const record = {
      owner: String(item.leaseOwner),
      epoch: Number(item.leaseEpoch),
      version: Number(item.leaseVersion ?? 0),
    };
    return acquire.call(this, g, o, n, ms, record);
  });
}

async function firstViolation(episode: Episode) {
  const result = await runEpisode(episode);
  return result.violations[0]?.invariant;
}

describe('The invariants catch a broken guarantee', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the episodes used below are clean with the real store', async () => {
    for (const episode of [race, stalled, twoFailures, duplicated])
      expect(await firstViolation(episode)).toBeUndefined();
  });

  it('reports two arbiters mutating under different epochs when a held lease is granted again', async () => {
    // The lease guard extends before every mutating call, which alone stops the first holder
    // once a second one took the lease: break that check too, or the race never reaches EC2.
    vi.spyOn(MemoryTable.prototype, 'extendLease').mockImplementation(
      (lease: Lease, now: number, leaseMs: number) => ({ ...lease, expiresAt: now + leaseMs }),
    );
    // And the failover start, a write under the epoch made right before the first call.
    vi.spyOn(MemoryTable.prototype, 'recordFailoverStart').mockImplementation(() => undefined);
    // Every take names the current record, as if it had been watched for a lease already.
    takeWhen(() => true);
    expect(await firstViolation(race)).toBe('lease-exclusive-mutations');
  });

  it('reports a mutation under a stale epoch when a lost lease can still be extended', async () => {
    // A stall is at most 120 s, too short for a watch of the 60 s lease a minute's tick apart:
    // so the other arbiter takes by the clock (the rule before the watch, safe while clocks
    // agree); the guarantee broken is the extend's.
    takeWhen((item, now) => Number(item.leaseExpiresAt) < now);
    vi.spyOn(MemoryTable.prototype, 'extendLease').mockImplementation(
      (lease: Lease, now: number, leaseMs: number) => ({ ...lease, expiresAt: now + leaseMs }),
    );
    // The failover start is a write under the epoch too, right before the first call.
    vi.spyOn(MemoryTable.prototype, 'recordFailoverStart').mockImplementation(() => undefined);
    expect(await firstViolation(stalled)).toBe('lease-exclusive-mutations');
  });

  it('reports a second failover inside the cooldown when failovers are not stamped', async () => {
    const record = MemoryTable.prototype.recordMove;
    vi.spyOn(MemoryTable.prototype, 'recordMove').mockImplementation(function (
      this: MemoryTable,
      lease,
      move,
    ) {
      const { lastFailoverAt: _dropped, ...rest } = move;
      record.call(this, lease, rest);
    });
    vi.spyOn(MemoryTable.prototype, 'recordFailoverStart').mockImplementation(() => undefined);
    expect(await firstViolation(twoFailures)).toBe('one-failover-per-cooldown');
  });

  it('reports a duplicate notification when two arbiters can both win one health transition', async () => {
    vi.spyOn(MemoryTable.prototype, 'transitionHealth').mockImplementation(function (
      this: MemoryTable,
      g,
      node,
      _f,
      to,
    ) {
      this.patchState(g, { [`health:${node}`]: to });
      return true;
    });
    expect(await firstViolation(duplicated)).toBe('one-notification-per-transition');
  });

  it('reports lost state when moves are not recorded', async () => {
    vi.spyOn(MemoryTable.prototype, 'recordMove').mockImplementation(() => undefined);
    expect(await firstViolation(twoFailures)).toBe('recorded-state-converges');
  });
});
