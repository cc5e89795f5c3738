import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseHeldError, LeaseLostError, StaleEpochError } from '../../shared/domain/errors';
import type { LeaseRecord } from '../../shared/domain/model';
import type { GroupStore, VerdictStore } from '../../shared/ports/store';
import { verdict } from './verdicts';

/** A store under test and how to end it. */
export interface StoreUnderTest {
  store: GroupStore & VerdictStore;
  close?: () => Promise<void>;
}

/** The groups the contract reads (a DynamoDB store names verdict rows from its vantages x nodes). */
export const CONTRACT_GROUPS = ['web-lb', 'other'].map((id) => ({
  id,
  vantages: ['az-a', 'az-c'],
  nodes: [{ id: 'lb-1' }, { id: 'lb-2' }],
}));

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** The group's held lease record as a refused taker learns it. */
async function heldRecord(store: GroupStore, now: number, group = G): Promise<LeaseRecord> {
  const refused = await store.acquireLease(group, 'watcher', now, LEASE_MS).catch((e: unknown) => e);
  if (!(refused instanceof LeaseHeldError) || refused.holder === undefined)
    throw new Error('the lease is not held');
  return { owner: refused.holder, epoch: refused.epoch ?? 0, version: refused.version ?? 0 };
}
const LEASE_MS = 60_000;
const G = 'web-lb';

/**
 * The behaviour every GroupStore/VerdictStore must have: DynamoDB's conditional writes as
 * DynamoStore uses them. Run against DynamoStore on dynalite and against the in-memory store
 * the use-case tests rely on, so the fake cannot drift from the real thing. A refused take
 * names the holder's record on both (DynamoStore reads it when the engine returns no ALL_OLD).
 */
export function groupStoreContract(make: () => Promise<StoreUnderTest>): void {
  let sut: StoreUnderTest;
  let store: GroupStore & VerdictStore;
  beforeEach(async () => {
    sut = await make();
    store = sut.store;
  });
  afterEach(async () => {
    await sut.close?.();
  });

  describe('lease', () => {
    it('is granted on a group never seen before, with epoch 1', async () => {
      expect(await store.acquireLease(G, 'a', T0, LEASE_MS)).toEqual({
        group: G,
        owner: 'a',
        epoch: 1,
        expiresAt: T0 + LEASE_MS,
      });
    });

    it('refuses a second holder, naming the holder, its epoch and its record version', async () => {
      const first = await store.acquireLease(G, 'a', T0, LEASE_MS);
      const refused = await store.acquireLease(G, 'b', T0 + 1, LEASE_MS).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LeaseHeldError);
      expect(refused).toMatchObject({ holder: 'a', epoch: first.epoch, expiresAt: T0 + LEASE_MS });
      expect((refused as LeaseHeldError).version).toBeGreaterThan(0);
    });

    it('never takes a held lease because a clock says it expired', async () => {
      await store.acquireLease(G, 'a', T0, LEASE_MS);
      // A taker whose clock runs an hour ahead: the expiry is no reason to take it.
      await expect(store.acquireLease(G, 'b', T0 + 3_600_000, LEASE_MS)).rejects.toThrow(LeaseHeldError);
    });

    it('hands a held lease to a taker that names its exact record, with a higher epoch', async () => {
      const first = await store.acquireLease(G, 'a', T0, LEASE_MS);
      const seen = await heldRecord(store, T0 + 1);
      const second = await store.acquireLease(G, 'b', T0 + LEASE_MS + 1, LEASE_MS, seen);
      expect(second).toMatchObject({ owner: 'b', epoch: first.epoch + 1 });
      await expect(store.extendLease(first, T0 + LEASE_MS + 2, LEASE_MS)).rejects.toThrow(LeaseLostError);
    });

    it('refuses a take on a seen record once its holder extended it since', async () => {
      const first = await store.acquireLease(G, 'a', T0, LEASE_MS);
      const seen = await heldRecord(store, T0 + 1);
      await store.extendLease(first, T0 + 30_000, LEASE_MS);
      const refused = await store
        .acquireLease(G, 'b', T0 + LEASE_MS + 1, LEASE_MS, seen)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LeaseHeldError);
      expect(refused).toMatchObject({ holder: 'a', epoch: first.epoch });
      expect((refused as LeaseHeldError).version).toBeGreaterThan(seen.version);
      const { state } = await store.readGroup(G);
      expect(state).toMatchObject({ leaseOwner: 'a', leaseEpoch: first.epoch });
    });

    it('refuses a take on a seen record once another taker took it', async () => {
      await store.acquireLease(G, 'a', T0, LEASE_MS);
      const seen = await heldRecord(store, T0 + 1);
      const b = await store.acquireLease(G, 'b', T0 + LEASE_MS + 1, LEASE_MS, seen);
      await expect(store.acquireLease(G, 'c', T0 + LEASE_MS + 2, LEASE_MS, seen)).rejects.toThrow(
        LeaseHeldError,
      );
      const { state } = await store.readGroup(G);
      expect(state).toMatchObject({ leaseOwner: 'b', leaseEpoch: b.epoch });
    });

    it('grants exactly one of many takers naming the same seen record', async () => {
      const first = await store.acquireLease(G, 'a', T0, LEASE_MS);
      const seen = await heldRecord(store, T0 + 1);
      const outcomes = await Promise.allSettled(
        ['b', 'c', 'd'].map((owner) => store.acquireLease(G, owner, T0 + LEASE_MS + 1, LEASE_MS, seen)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const { state } = await store.readGroup(G);
      expect(state.leaseEpoch).toBe(first.epoch + 1);
    });

    it('refuses even its own owner while held (a new invocation must wait for release or expiry)', async () => {
      await store.acquireLease(G, 'a', T0, LEASE_MS);
      await expect(store.acquireLease(G, 'a', T0 + 1, LEASE_MS)).rejects.toThrow(LeaseHeldError);
    });

    it('is free again after release, and the next holder gets a higher epoch', async () => {
      const a = await store.acquireLease(G, 'a', T0, LEASE_MS);
      await store.releaseLease(a);
      const b = await store.acquireLease(G, 'b', T0 + 1, LEASE_MS);
      expect(b.epoch).toBe(a.epoch + 1);
    });

    it('is extended by its holder, which pushes the expiry', async () => {
      const a = await store.acquireLease(G, 'a', T0, LEASE_MS);
      const extended = await store.extendLease(a, T0 + 50_000, LEASE_MS);
      expect(extended).toEqual({ ...a, expiresAt: T0 + 50_000 + LEASE_MS });
      await expect(store.acquireLease(G, 'b', T0 + LEASE_MS + 1, LEASE_MS)).rejects.toThrow(LeaseHeldError);
    });

    it('lets nobody but the current owner and epoch extend, release or record', async () => {
      const stale = await store.acquireLease(G, 'a', T0, LEASE_MS);
      const fresh = await store.acquireLease(
        G,
        'b',
        T0 + LEASE_MS + 1,
        LEASE_MS,
        await heldRecord(store, T0 + 1),
      );
      await expect(store.extendLease(stale, T0 + LEASE_MS + 2, LEASE_MS)).rejects.toThrow(LeaseLostError);
      await expect(store.recordMove(stale, { active: 'lb-1', holders: { eip: 'lb-1' } })).rejects.toThrow(
        StaleEpochError,
      );
      await store.releaseLease(stale);
      const { state } = await store.readGroup(G);
      expect(state).toMatchObject({ leaseOwner: 'b', leaseEpoch: fresh.epoch, moveEpoch: 0 });
      expect(state.active).toBeUndefined();
    });

    it('refuses the old epoch of the same owner name', async () => {
      const first = await store.acquireLease(G, 'a', T0, LEASE_MS);
      await store.acquireLease(G, 'a', T0 + LEASE_MS + 1, LEASE_MS, await heldRecord(store, T0 + 1));
      await expect(store.extendLease(first, T0 + LEASE_MS + 2, LEASE_MS)).rejects.toThrow(LeaseLostError);
    });

    it('grants exactly one of many simultaneous acquirers', async () => {
      for (let race = 0; race < 5; race += 1) {
        const group = `race-${race}`;
        const outcomes = await Promise.allSettled(
          ['a', 'b', 'c', 'd'].map((owner) => store.acquireLease(group, owner, T0, LEASE_MS)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes)
          if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(LeaseHeldError);
      }
    });
  });

  describe('state', () => {
    it('records a move under the current epoch, with the failover counters', async () => {
      const a = await store.acquireLease(G, 'a', T0, LEASE_MS);
      await store.recordMove(a, {
        active: 'lb-2',
        holders: { 'elastic-ip eipalloc-01': 'lb-2' },
        lastFailoverAt: T0 + 5,
        failoverTimes: [T0 - 10, T0 + 5],
      });
      const { state } = await store.readGroup(G);
      expect(state).toMatchObject({
        active: 'lb-2',
        holders: { 'elastic-ip eipalloc-01': 'lb-2' },
        moveEpoch: a.epoch,
        lastFailoverAt: T0 + 5,
        failoverTimes: [T0 - 10, T0 + 5],
      });
    });

    it('moves a node health only from the value the caller read', async () => {
      expect(await store.transitionHealth(G, 'lb-1', undefined, 'HEALTHY')).toBe(true);
      expect(await store.transitionHealth(G, 'lb-1', undefined, 'DOWN')).toBe(false);
      expect(await store.transitionHealth(G, 'lb-1', 'HEALTHY', 'DOWN')).toBe(true);
      expect(await store.transitionHealth(G, 'lb-1', 'HEALTHY', 'DOWN')).toBe(false);
      expect((await store.readGroup(G)).state.health).toEqual({ 'lb-1': 'DOWN' });
    });

    it('opens an alert once and closes it once', async () => {
      expect(await store.setAlert(G, 'no-healthy-target', 'lb-1')).toBe(true);
      expect(await store.setAlert(G, 'no-healthy-target', 'lb-1')).toBe(false);
      expect((await store.readGroup(G)).state.alerts).toEqual({ 'no-healthy-target': 'lb-1' });
      expect(await store.setAlert(G, 'no-healthy-target', undefined)).toBe(true);
      expect(await store.setAlert(G, 'no-healthy-target', undefined)).toBe(false);
      expect((await store.readGroup(G)).state.alerts).toEqual({});
    });

    it('opens the breaker once', async () => {
      expect(await store.openBreaker(G, T0)).toBe(true);
      expect(await store.openBreaker(G, T0 + 1)).toBe(false);
      expect((await store.readGroup(G)).state.breakerOpenSince).toBe(T0);
    });

    it('saves and clears healthySince per node', async () => {
      await store.saveHealthySince(G, { 'lb-1': T0, 'lb-2': T0 + 1 }, ['lb-1', 'lb-2']);
      await store.saveHealthySince(G, { 'lb-2': T0 + 1 }, ['lb-1', 'lb-2']);
      expect((await store.readGroup(G)).state.healthySince).toEqual({ 'lb-2': T0 + 1 });
    });

    it('keeps the lease when dedup writes touch the same item', async () => {
      const a = await store.acquireLease(G, 'a', T0, LEASE_MS);
      await store.transitionHealth(G, 'lb-1', undefined, 'DOWN');
      await store.setAlert(G, 'k', 'v');
      await store.saveHealthySince(G, {}, ['lb-1']);
      const { state } = await store.readGroup(G);
      expect(state).toMatchObject({ leaseOwner: 'a', leaseEpoch: a.epoch, leaseExpiresAt: a.expiresAt });
    });
  });

  describe('verdicts and history', () => {
    it('raises a verdict seenAt to its vantage heartbeat, never lowers it', async () => {
      await store.putVerdict(verdict('az-a', 'lb-1', 'DOWN', T0));
      await store.putVerdict(verdict('az-c', 'lb-1', 'DOWN', T0));
      await store.putHeartbeat('az-a', T0 + 30_000);
      await store.putHeartbeat('az-c', T0 - 30_000);
      const { verdicts } = await store.readGroup(G);
      const seen = Object.fromEntries(verdicts.map((v) => [v.vantage, v.seenAt]));
      expect(seen).toEqual({ 'az-a': T0 + 30_000, 'az-c': T0 });
      expect(verdicts.find((v) => v.vantage === 'az-a')).toEqual({
        ...verdict('az-a', 'lb-1', 'DOWN', T0),
        seenAt: T0 + 30_000,
      });
    });

    it("raises a vantage's verdicts in every group with its one heartbeat, and only its own", async () => {
      await store.putVerdict(verdict('az-a', 'lb-1', 'UP', T0));
      await store.putVerdict(verdict('az-a', 'lb-1', 'UP', T0, { group: 'other' }));
      await store.putVerdict(verdict('az-c', 'lb-1', 'UP', T0, { group: 'other' }));
      await store.putHeartbeat('az-a', T0 + 60_000);
      await store.putHeartbeat('az-a', T0 + 90_000);
      const seen = async (group: string) =>
        Object.fromEntries((await store.readGroup(group)).verdicts.map((v) => [v.vantage, v.seenAt]));
      expect(await seen(G)).toEqual({ 'az-a': T0 + 90_000 });
      expect(await seen('other')).toEqual({ 'az-a': T0 + 90_000, 'az-c': T0 });
    });

    it('loads back the verdicts of one vantage', async () => {
      await store.putVerdict(verdict('az-a', 'lb-1', 'DOWN', T0));
      await store.putVerdict(verdict('az-c', 'lb-1', 'UP', T0));
      await store.putVerdict(verdict('az-a', 'lb-1', 'UP', T0, { group: 'other' }));
      const loaded = await store.loadVerdicts('az-a', [G]);
      expect(loaded).toEqual([verdict('az-a', 'lb-1', 'DOWN', T0)]);
    });

    it('loads back a streak in progress with its verdict, and never shows it in readGroup', async () => {
      const fails = [T0 - 2000, T0].map((at) => ({
        ok: false,
        latencyMs: 1500,
        at,
        error: 'timeout after 1500 ms',
      }));
      const streak = { ok: false, count: 2, at: T0, evidence: fails };
      const up = verdict('az-a', 'lb-1', 'UP', T0 - 60_000);
      await store.putVerdict({ ...up, streak });
      expect(await store.loadVerdicts('az-a', [G])).toEqual([{ ...up, streak }]);
      const { verdicts } = await store.readGroup(G);
      expect(verdicts).toEqual([up]);
      expect(verdicts[0]).not.toHaveProperty('streak');
    });

    it('drops the streak when the row is written again without one (rows without it load as before)', async () => {
      const up = verdict('az-a', 'lb-1', 'UP', T0 - 60_000);
      await store.putVerdict({ ...up, streak: { ok: false, count: 1, at: T0, evidence: [] } });
      await store.putVerdict(up);
      const [loaded] = await store.loadVerdicts('az-a', [G]);
      expect(loaded).toEqual(up);
      expect(loaded).not.toHaveProperty('streak');
    });

    it('keeps a newer verdict when an older write of the same row lands after it', async () => {
      const down = verdict('az-a', 'lb-1', 'DOWN', T0);
      const up = verdict('az-a', 'lb-1', 'UP', T0 + 5_000);
      expect(await store.putVerdict({ ...up, seq: 2 })).toBe(true);
      expect(await store.putVerdict({ ...down, seq: 1 })).toBe(false);
      expect(await store.putVerdict({ ...down, seq: 2 })).toBe(false);
      // A write without seq (test setup, or a row of an earlier version) never replaces one with it.
      expect(await store.putVerdict(down)).toBe(false);
      expect((await store.readGroup(G)).verdicts).toEqual([up]);
      expect(await store.loadVerdicts('az-a', [G])).toEqual([{ ...up, seq: 2 }]);
      // Other rows are not affected, and a newer write lands.
      expect(await store.putVerdict({ ...down, node: 'lb-2', seq: 1 })).toBe(true);
      expect(await store.putVerdict({ ...down, seenAt: T0 + 9_000, seq: 3 })).toBe(true);
      expect((await store.readGroup(G)).verdicts.map((v) => `${v.node} ${v.status}`)).toEqual([
        'lb-1 DOWN',
        'lb-2 DOWN',
      ]);
    });

    it('never moves a heartbeat back', async () => {
      await store.putVerdict(verdict('az-a', 'lb-1', 'UP', T0));
      expect(await store.putHeartbeat('az-a', T0 + 30_000)).toBe(true);
      expect(await store.putHeartbeat('az-a', T0 + 10_000)).toBe(false);
      expect((await store.readGroup(G)).verdicts.map((v) => v.seenAt)).toEqual([T0 + 30_000]);
    });

    it('reads history newest first, up to the limit', async () => {
      for (const [i, event] of ['node-down', 'failover-succeeded', 'node-up'].entries()) {
        await store.appendHistory(
          { group: G, at: T0 + i * 1000, event, severity: 'info', summary: event, detail: { i } },
          30,
        );
      }
      const history = await store.readHistory(G, 2);
      expect(history).toEqual([
        { group: G, at: T0 + 2000, event: 'node-up', severity: 'info', summary: 'node-up', detail: { i: 2 } },
        {
          group: G,
          at: T0 + 1000,
          event: 'failover-succeeded',
          severity: 'info',
          summary: 'failover-succeeded',
          detail: { i: 1 },
        },
      ]);
    });
  });
}
