import { describe, expect, it } from 'vitest';
import type { ArbiterConfig, GroupConfig } from '../../../shared/config/schema';
import { EventType } from '../../../shared/domain/constants';
import { Ec2Error, LeaseLostError, StaleEpochError, StoreError } from '../../../shared/domain/errors';
import { silentLog } from '../../../shared/ports/log';
import { type ArbiterDeps, newContainerMemory } from '../../../shared/usecases/deps';
import { reconcileAll, reconcileGroup } from '../../../shared/usecases/reconcile';
import { fakeClock } from '../../helpers/clock';
import { makeConfig } from '../../helpers/config';
import { FakeCloud } from '../../helpers/fake-cloud';
import { MemoryStore } from '../../helpers/memory-store';
import { RecordingNotifier } from '../../helpers/notifier';
import { fromAll } from '../../helpers/verdicts';

const EIP = 'elastic-ip eipalloc-01';
const SUBJECT = '[ha-arbiter] web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)';

function setup(policy: Record<string, unknown> = {}, edit: (config: ArbiterConfig) => void = () => {}) {
  const config = makeConfig((raw) => {
    raw.groups[0]!.policy = { cooldownSeconds: 60, ...policy };
  });
  edit(config);
  const group = config.groups[0]!;
  const store = new MemoryStore();
  const cloud = new FakeCloud();
  cloud.place(group, 'lb-1');
  const notifier = new RecordingNotifier();
  const clock = fakeClock();
  // One container: its memory outlives each invocation's dependencies.
  const memory = newContainerMemory();
  const deps = (owner = 'arbiter-a'): ArbiterDeps => ({
    config,
    store,
    cloud,
    notifier,
    owner,
    now: clock.now,
    log: silentLog,
    memory,
  });
  /** Both vantages report `status` for `node`, as of now. */
  const see = async (node: string, status: 'UP' | 'DOWN', g: GroupConfig = group) => {
    for (const v of fromAll(g.vantages, node, status, clock.now(), { group: g.id }))
      await store.putVerdict(v);
  };
  /** The holder lb-1 DOWN, the standby lb-2 as told (UP: a failover is wanted). */
  const holderDown = async (standby: 'UP' | 'DOWN' = 'UP') => {
    await see('lb-1', 'DOWN');
    await see('lb-2', standby);
  };
  /** Runs `fn` right after each lease is taken: between the first decision and the re-check. */
  const afterLease = (fn: () => Promise<void> | void) => {
    const acquire = store.acquireLease.bind(store);
    store.acquireLease = async (...args) => {
      const lease = await acquire(...args);
      await fn();
      return lease;
    };
  };
  const tick = async (owner?: string) => {
    const result = await reconcileGroup(deps(owner), group);
    clock.advance(10_000);
    return result;
  };
  return { config, group, store, cloud, notifier, clock, deps, see, holderDown, afterLease, tick };
}

describe('reconcileGroup', () => {
  it('fails over once from a DOWN holder to the healthy standby, records it and says so', async () => {
    const t = setup();
    await t.holderDown();
    const first = await t.tick();
    expect(first).toMatchObject({
      action: 'failover',
      outcome: 'moved',
      from: 'lb-1',
      to: 'lb-2',
      detail: SUBJECT,
    });
    expect(t.cloud.mutations).toEqual([`move ${EIP} -> lb-2`]);
    expect(t.notifier.subjects()).toEqual([SUBJECT]);
    const note = t.notifier.sent[0]!;
    expect(note).toMatchObject({
      group: 'web-lb',
      event: EventType.FAILOVER_SUCCEEDED,
      severity: 'critical',
    });
    expect(note.body).toContain(`${EIP}: lb-2 (on lb-2)`);
    expect(note.body).toMatch(/from az-a: DOWN \(decided at [\d:.]+: timeout after 2000 ms\)\n/);
    expect(note.body).toMatch(/lease taken by arbiter-a \(epoch 1\)[\s\S]*move elastic-ip[\s\S]*verified/);
    const state = t.store.stateOf('web-lb');
    expect(state).toMatchObject({
      active: 'lb-2',
      holders: { [EIP]: 'lb-2' },
      moveEpoch: 1,
      lastFailoverAt: t.clock.now() - 10_000,
      failoverTimes: [t.clock.now() - 10_000],
    });
    expect(state.leaseOwner).toBeUndefined();
    expect(t.store.history.map((h) => h.event)).toEqual([EventType.FAILOVER_SUCCEEDED]);

    // The next ticks see lb-2 holding and healthy: nothing more happens.
    await t.holderDown();
    expect(await t.tick()).toMatchObject({ action: 'stay', outcome: 'none' });
    expect(await t.tick()).toMatchObject({ action: 'stay', outcome: 'none' });
    expect(t.cloud.mutations).toHaveLength(1);
    expect(t.notifier.sent).toHaveLength(1);
  });

  it('does nothing while the vantages disagree', async () => {
    const t = setup();
    await t.store.putVerdict(fromAll(['az-a'], 'lb-1', 'DOWN', t.clock.now())[0]!);
    await t.store.putVerdict(fromAll(['az-c'], 'lb-1', 'UP', t.clock.now())[0]!);
    await t.see('lb-2', 'UP');
    expect(await t.tick()).toMatchObject({ action: 'unknown', outcome: 'none' });
    expect(t.cloud.mutations).toEqual([]);
    expect(t.store.calls).not.toContain('acquireLease');
  });

  it('alerts "no healthy target" exactly once across repeated ticks, and again in a new episode', async () => {
    const t = setup();
    const noTarget = () => t.notifier.of(EventType.NO_HEALTHY_TARGET);
    for (let i = 0; i < 4; i += 1) {
      await t.holderDown('DOWN');
      const result = await t.tick();
      expect(result.action).toBe('no-healthy-target');
    }
    expect(noTarget()).toHaveLength(1);
    expect(noTarget()[0]!.subject).toBe(
      '[ha-arbiter] web-lb: NO HEALTHY TARGET, address left on lb-1 (http /healthz timeout from 2/2 vantages)',
    );
    expect(t.cloud.mutations).toEqual([]);

    // lb-2 recovers: the address moves and the alert closes.
    await t.holderDown();
    expect(await t.tick()).toMatchObject({ outcome: 'moved' });
    expect(t.store.stateOf('web-lb').alerts).toEqual({});

    // A new outage is a new episode: one more alert.
    t.clock.advance(120_000);
    await t.holderDown('DOWN');
    await t.tick();
    await t.tick();
    expect(noTarget()).toHaveLength(2);
  });

  it('keeps the "no healthy target" alert open through a tick where the holder is UNKNOWN', async () => {
    const t = setup();
    await t.holderDown('DOWN');
    await t.tick();
    // One vantage goes quiet for longer than staleAfterSeconds: the holder is UNKNOWN.
    t.clock.advance(100_000);
    await t.store.putVerdict(fromAll(['az-a'], 'lb-1', 'DOWN', t.clock.now())[0]!);
    expect((await t.tick()).action).toBe('unknown');
    // The vantage is back and nothing changed: the same episode, no second alert.
    await t.holderDown('DOWN');
    await t.tick();
    expect(t.notifier.of(EventType.NO_HEALTHY_TARGET)).toHaveLength(1);
  });

  it('stands down when another arbiter holds the lease', async () => {
    const t = setup();
    await t.store.acquireLease('web-lb', 'arbiter-b', t.clock.now(), 60_000);
    await t.holderDown();
    const result = await t.tick();
    expect(result).toMatchObject({ outcome: 'lease-held', to: 'lb-2' });
    expect(result.detail).toContain('held by arbiter-b');
    expect(t.cloud.mutations).toEqual([]);
    expect(t.notifier.of(EventType.FAILOVER_SUCCEEDED)).toEqual([]);
    expect(t.notifier.of(EventType.FAILOVER_FAILED)).toEqual([]);
    expect(t.store.stateOf('web-lb').leaseOwner).toBe('arbiter-b');
  });

  it('lets only one of two arbiters fail over when both act at once', async () => {
    const t = setup();
    await t.holderDown();
    const results = await Promise.all([
      reconcileGroup(t.deps('arbiter-a'), t.group),
      reconcileGroup(t.deps('arbiter-b'), t.group),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['lease-held', 'moved']);
    expect(t.cloud.mutations).toHaveLength(1);
    expect(t.notifier.of(EventType.FAILOVER_SUCCEEDED)).toHaveLength(1);
  });

  it('stands down when the re-check under the lease no longer wants the move (node recovered)', async () => {
    const t = setup();
    await t.holderDown();
    t.afterLease(async () => {
      await t.see('lb-1', 'UP');
    });
    const result = await t.tick();
    expect(result).toMatchObject({ outcome: 'superseded', detail: 're-check under the lease: stay' });
    expect(t.cloud.mutations).toEqual([]);
    expect(t.store.stateOf('web-lb').leaseOwner).toBeUndefined();
    expect(t.notifier.sent).toEqual([]);
  });

  it('stands down when the re-check finds the address already moved by someone else', async () => {
    const t = setup();
    await t.holderDown();
    t.afterLease(() => t.cloud.place(t.group, 'lb-2'));
    expect(await t.tick()).toMatchObject({ outcome: 'superseded' });
    expect(t.cloud.mutations).toEqual([]);
  });

  it('extends the lease before the mutation and aborts the move when the lease was lost', async () => {
    const t = setup();
    await t.holderDown();
    const acquire = t.store.acquireLease.bind(t.store);
    t.store.acquireLease = async (group, owner, now, ms) => {
      const lease = await acquire(group, owner, now, ms);
      // We stall past the lease; another arbiter, having watched our record that long, takes it.
      t.store.acquireLease = acquire;
      const version = t.store.leaseVersions.get(group) ?? 0;
      await acquire(group, 'arbiter-b', now + ms + 1, ms, { owner, epoch: lease.epoch, version });
      return lease;
    };
    const result = await t.tick();
    // Nothing moved and the new holder acts now: not a FAILOVER FAILED (it reports its own move).
    expect(result.outcome).toBe('superseded');
    expect(result.detail).toContain('was lost');
    expect(t.cloud.mutations).toEqual([]);
    expect(t.store.stateOf('web-lb')).toMatchObject({ leaseOwner: 'arbiter-b', moveEpoch: 0 });
    expect(t.notifier.subjects()).toEqual([]);
  });

  it('publishes FAILOVER FAILED with where every resource is when the move keeps failing', async () => {
    const t = setup();
    await t.holderDown();
    t.cloud.moveFailures.push(
      new Ec2Error('InternalError', 'AssociateAddress: InternalError: try again'),
      new Ec2Error('InternalError', 'AssociateAddress: InternalError: still broken'),
    );
    const result = await t.tick();
    expect(result).toMatchObject({
      outcome: 'failed',
      detail: 'AssociateAddress: InternalError: still broken',
    });
    const failed = t.notifier.of(EventType.FAILOVER_FAILED);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.subject).toBe('[ha-arbiter] web-lb: FAILOVER FAILED lb-1 -> lb-2');
    expect(failed[0]!.body).toContain(`${EIP}: lb-1 (on lb-1)`);
    expect(failed[0]!.body).toContain('Error: AssociateAddress: InternalError: still broken');
    const state = t.store.stateOf('web-lb');
    expect(state.active).toBeUndefined();
    expect(state.leaseOwner).toBeUndefined();
    expect(t.store.history.map((h) => h.event)).toEqual([EventType.FAILOVER_FAILED]);
  });

  it('retries a failed resource move once within the lease', async () => {
    const t = setup();
    await t.holderDown();
    t.cloud.moveFailures.push(new Ec2Error('InternalError', 'AssociateAddress: InternalError: try again'));
    expect(await t.tick()).toMatchObject({ outcome: 'moved' });
    expect(t.cloud.mutations).toEqual([`move ${EIP} -> lb-2`]);
    expect(t.store.calls.filter((c) => c === 'extendLease')).toHaveLength(2);
  });

  it('notifies a standby going DOWN exactly once across two arbiters, and its recovery once', async () => {
    const t = setup();
    await t.see('lb-1', 'UP');
    await t.see('lb-2', 'UP');
    await Promise.all([t.tick('arbiter-a'), t.tick('arbiter-b')]);
    const health = () => [...t.notifier.of(EventType.NODE_DOWN), ...t.notifier.of(EventType.NODE_UP)];
    expect(health()).toEqual([]);
    await t.see('lb-1', 'UP');
    await t.see('lb-2', 'DOWN');
    await Promise.all([
      reconcileGroup(t.deps('arbiter-a'), t.group),
      reconcileGroup(t.deps('arbiter-b'), t.group),
    ]);
    await Promise.all([
      reconcileGroup(t.deps('arbiter-a'), t.group),
      reconcileGroup(t.deps('arbiter-b'), t.group),
    ]);
    expect(health().map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb: standby lb-2 is DOWN (http /healthz timeout from 2/2 vantages)',
    ]);
    await t.see('lb-2', 'UP');
    await Promise.all([
      reconcileGroup(t.deps('arbiter-a'), t.group),
      reconcileGroup(t.deps('arbiter-b'), t.group),
    ]);
    expect(t.notifier.of(EventType.NODE_UP)).toHaveLength(1);
    expect(t.cloud.mutations).toEqual([]);
  });

  it('holds a failover during the cooldown and only says the holder is down', async () => {
    const t = setup({ cooldownSeconds: 300 });
    t.store.setState('web-lb', { lastFailoverAt: t.clock.now() - 60_000 });
    await t.holderDown();
    expect(await t.tick()).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^cooldown: /) });
    expect(await t.tick()).toMatchObject({ outcome: 'held' });
    expect(t.cloud.mutations).toEqual([]);
    expect(t.notifier.subjects()).toEqual([
      '[ha-arbiter] web-lb: holder lb-1 is DOWN (http /healthz timeout from 2/2 vantages)',
    ]);
  });

  it('in observe mode says "would fail over" once per episode and never moves', async () => {
    const t = setup({ mode: 'observe' });
    const would = () => t.notifier.of(EventType.WOULD_FAIL_OVER);
    for (let i = 0; i < 3; i += 1) {
      await t.holderDown();
      expect(await t.tick()).toMatchObject({ outcome: 'held' });
    }
    expect(would()).toHaveLength(1);
    expect(would()[0]!.subject).toBe(
      '[ha-arbiter] web-lb: would fail over lb-1 -> lb-2 (mode: observe; http /healthz timeout from 2/2 vantages)',
    );
    // lb-1 recovers, then fails again: a new episode is worth a new message.
    await t.see('lb-1', 'UP');
    await t.tick();
    await t.see('lb-1', 'DOWN');
    await t.tick();
    expect(would()).toHaveLength(2);
    expect(t.cloud.mutations).toEqual([]);
  });

  it('opens the breaker once and says so', async () => {
    const t = setup({ breaker: { maxFailovers: 2, windowSeconds: 3600 }, cooldownSeconds: 0 });
    t.store.setState('web-lb', { failoverTimes: [t.clock.now() - 60_000, t.clock.now() - 30_000] });
    for (let i = 0; i < 3; i += 1) {
      await t.holderDown();
      expect(await t.tick()).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^breaker: /) });
    }
    expect(t.notifier.of(EventType.BREAKER_OPEN)).toHaveLength(1);
    expect(t.store.stateOf('web-lb').breakerOpenSince).toBeDefined();
    expect(t.cloud.mutations).toEqual([]);
  });

  it('still fails over when the notification cannot be sent', async () => {
    const t = setup();
    await t.holderDown();
    t.notifier.failNext();
    expect(await t.tick()).toMatchObject({ outcome: 'moved' });
    expect(t.store.history.map((h) => h.event)).toEqual([EventType.FAILOVER_SUCCEEDED]);
  });

  it('places an unheld address on the preferred healthy node', async () => {
    const t = setup();
    t.cloud.place(t.group, undefined);
    await t.see('lb-1', 'UP');
    await t.see('lb-2', 'UP');
    expect(await t.tick()).toMatchObject({ outcome: 'moved', to: 'lb-1' });
    expect(t.notifier.subjects()[0]).toMatch(/^\[ha-arbiter\] web-lb: placed on lb-1 \(/);
  });
});

describe('reconcileAll', () => {
  it('reconciles the other groups when one fails', async () => {
    const t = setup({}, (config) => {
      const nat = structuredClone(config.groups[0]!);
      nat.id = 'nat';
      nat.resources = [{ kind: 'elastic-ip', allocationId: 'eipalloc-02' }];
      config.groups.push(nat);
    });
    const nat = t.config.groups[1]!;
    t.cloud.place(nat, 'lb-1');
    await t.see('lb-1', 'DOWN', nat);
    await t.see('lb-2', 'UP', nat);
    t.store.failNext('readGroup', new StoreError('DynamoDB: cannot read g#web-lb: injected'));
    const results = await reconcileAll(t.deps(), t.config.groups);
    expect(results).toEqual([
      {
        group: 'web-lb',
        action: 'error',
        outcome: 'failed',
        detail: 'DynamoDB: cannot read g#web-lb: injected',
      },
      expect.objectContaining({ group: 'nat', outcome: 'moved' }),
    ]);
  });
});

describe('adoptPlacement', () => {
  /** lb-1 recorded as holder, both UP, and EC2 showing everything on lb-2 (moved by hand). */
  const handMoved = async () => {
    const t = setup({ drift: 'report' });
    t.store.setState('web-lb', { active: 'lb-1', holders: { [EIP]: 'lb-1' } });
    await t.see('lb-1', 'UP');
    await t.see('lb-2', 'UP');
    t.cloud.place(t.group, 'lb-2');
    return t;
  };

  it('records a placement found on one healthy node and says so once', async () => {
    const t = await handMoved();
    expect((await t.tick()).detail).toBe('recorded lb-2 as holder (was lb-1)');
    await t.tick();
    expect(t.store.stateOf('web-lb')).toMatchObject({ active: 'lb-2', holders: { [EIP]: 'lb-2' } });
    expect(t.notifier.of(EventType.PLACEMENT_RECORDED)).toHaveLength(1);
  });

  it('reads the holders again under the lease: a placement that changed meanwhile is neither recorded nor told', async () => {
    const t = await handMoved();
    // Between the look and the lease, the move this placement came from is undone (another
    // arbiter's move lands, or the operator moves it back): lb-1 holds everything again.
    t.afterLease(() => t.cloud.place(t.group, 'lb-1'));
    const result = await t.tick();
    expect(result.outcome).toBe('superseded');
    expect(t.store.stateOf('web-lb')).toMatchObject({ active: 'lb-1', holders: { [EIP]: 'lb-1' } });
    expect(t.notifier.of(EventType.PLACEMENT_RECORDED)).toHaveLength(0);
    expect(t.store.stateOf('web-lb').leaseOwner).toBeUndefined();
  });
});

describe('A move cut short by a lost lease', () => {
  it('is reported as the success EC2 shows when every resource reached the target', async () => {
    const t = setup();
    await t.holderDown();
    // Another arbiter took the lease after our EC2 call landed and before our record.
    t.store.failNext('recordMove', new StaleEpochError('web-lb', 1));
    const result = await t.tick();
    expect(result).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    expect(result.detail).toContain('lease lost before the record');
    expect(t.notifier.of(EventType.FAILOVER_FAILED)).toHaveLength(0);
    expect(t.notifier.of(EventType.FAILOVER_SUCCEEDED)).toHaveLength(1);
  });

  it('is left to the new lease holder, without a FAILOVER FAILED, when EC2 shows it unfinished', async () => {
    const t = setup();
    await t.holderDown();
    t.store.failNext('extendLease', new LeaseLostError('web-lb', 'arbiter-a', 1));
    const result = await t.tick();
    expect(result.outcome).toBe('superseded');
    expect(t.cloud.mutations).toEqual([]);
    expect(t.notifier.of(EventType.FAILOVER_FAILED)).toHaveLength(0);
  });

  it('is still a FAILOVER FAILED when EC2 refused the move with the lease ours', async () => {
    const t = setup();
    await t.holderDown();
    const refused = new Ec2Error('UnauthorizedOperation', 'refused');
    t.cloud.moveFailures.push(refused, refused);
    expect((await t.tick()).outcome).toBe('failed');
    expect(t.notifier.of(EventType.FAILOVER_FAILED)).toHaveLength(1);
  });
});
