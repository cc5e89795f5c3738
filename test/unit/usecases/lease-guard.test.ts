import { describe, expect, it } from 'vitest';
import { LeaseHeldError, LeaseLostError } from '../../../shared/domain/errors';
import { silentLog } from '../../../shared/ports/log';
import type { ArbiterDeps } from '../../../shared/usecases/deps';
import { newContainerMemory } from '../../../shared/usecases/deps';
import { LeaseGuard } from '../../../shared/usecases/lease-guard';
import { fakeClock } from '../../helpers/clock';
import { makeConfig } from '../../helpers/config';
import { FakeCloud } from '../../helpers/fake-cloud';
import { MemoryStore } from '../../helpers/memory-store';
import { RecordingNotifier } from '../../helpers/notifier';

const LEASE_MS = 25_000;
const SKEW_MS = 30_000;
const G = 'web-lb';

/**
 * Two arbiter containers on one table: A with a true clock, B with a clock `skewMs` ahead.
 * Both monotonic clocks run at the true rate (the fake clock), whatever their offsets.
 */
function setup(skewMs = SKEW_MS) {
  const config = makeConfig((raw) => {
    raw.arbiter = { ...raw.arbiter, leaseSeconds: LEASE_MS / 1000 };
  });
  const store = new MemoryStore();
  const clock = fakeClock();
  const container = (owner: string, offsetMs: number, memory = newContainerMemory()) => ({
    memory,
    deps: (invocation = owner): ArbiterDeps => ({
      config,
      store,
      cloud: new FakeCloud(),
      notifier: new RecordingNotifier(),
      owner: invocation,
      now: () => clock.now() + offsetMs,
      monotonic: clock.now,
      log: silentLog,
      memory,
    }),
  });
  return { config, store, clock, a: container('arbiter-a', 0), b: container('arbiter-b', skewMs) };
}

async function take(deps: ArbiterDeps): Promise<LeaseGuard> {
  const guard = await LeaseGuard.take(deps, G);
  if (!(guard instanceof LeaseGuard)) throw guard;
  return guard;
}

describe('LeaseGuard.take', () => {
  it('does not take a lease its holder keeps extending from a taker whose clock runs 30 s ahead', async () => {
    const t = setup();
    const holder = await take(t.a.deps());
    // By B's clock the lease "expired" 5 s before it was even taken; A extends every 10 s.
    for (let step = 0; step < 12; step += 1) {
      t.clock.advance(5_000);
      if (step % 2 === 1) await holder.beforeMutation('AssociateAddress');
      const refused = await LeaseGuard.take(t.b.deps(`arbiter-b-${step}`), G);
      expect(refused).toBeInstanceOf(LeaseHeldError);
      expect(refused).toMatchObject({ holder: 'arbiter-a', epoch: holder.lease.epoch });
    }
    expect(t.store.stateOf(G)).toMatchObject({ leaseOwner: 'arbiter-a', leaseEpoch: holder.lease.epoch });
    await expect(holder.beforeMutation('AssociateAddress')).resolves.toBeUndefined();
  });

  it('takes over from a holder that stopped extending once it saw the same record for a lease duration', async () => {
    const t = setup();
    const dead = await take(t.a.deps());
    t.clock.advance(1_000);
    // First sighting: refused, and remembered in B's container memory.
    expect(await LeaseGuard.take(t.b.deps('b-1'), G)).toBeInstanceOf(LeaseHeldError);
    expect(t.b.memory.leaseSightings.get(G)?.record).toMatchObject({
      owner: 'arbiter-a',
      epoch: dead.lease.epoch,
    });
    // Seen again (same record) before a full lease: still refused, the first sighting stands.
    t.clock.advance(LEASE_MS - 1);
    expect(await LeaseGuard.take(t.b.deps('b-2'), G)).toBeInstanceOf(LeaseHeldError);
    t.clock.advance(1);
    const taken = await take(t.b.deps('b-3'));
    expect(taken.lease).toMatchObject({ owner: 'b-3', epoch: dead.lease.epoch + 1 });
    expect(taken.timeline.at(-1)?.what).toContain("after arbiter-a's record stayed unchanged for 25 s");
    expect(t.b.memory.leaseSightings.has(G)).toBe(false);
    // The old holder, should it wake up, cannot act any more.
    await expect(dead.beforeMutation('AssociateAddress')).rejects.toThrow(LeaseLostError);
  });

  it('restarts the watch when the holder extends, and never takes a record it has not watched', async () => {
    const t = setup();
    const holder = await take(t.a.deps());
    expect(await LeaseGuard.take(t.b.deps('b-1'), G)).toBeInstanceOf(LeaseHeldError);
    t.clock.advance(LEASE_MS - 5_000);
    await holder.beforeMutation('AssociateAddress');
    t.clock.advance(5_000);
    // A full lease after the first sighting, but the record changed in between: a new watch.
    expect(await LeaseGuard.take(t.b.deps('b-2'), G)).toBeInstanceOf(LeaseHeldError);
    t.clock.advance(LEASE_MS - 1);
    expect(await LeaseGuard.take(t.b.deps('b-3'), G)).toBeInstanceOf(LeaseHeldError);
    // A new container (fresh memory) starts its own watch, whatever B saw.
    const fresh = setupContainerLike(t, 'arbiter-c');
    expect(await LeaseGuard.take(fresh.deps(), G)).toBeInstanceOf(LeaseHeldError);
    t.clock.advance(1);
    expect((await take(t.b.deps('b-4'))).lease.epoch).toBe(holder.lease.epoch + 1);
  });

  it('fails a take on the watched record when the holder extended it after the last sighting', async () => {
    const t = setup();
    const holder = await take(t.a.deps());
    expect(await LeaseGuard.take(t.b.deps('b-1'), G)).toBeInstanceOf(LeaseHeldError);
    t.clock.advance(LEASE_MS);
    // A's extension lands right before B's take, which names the record it watched.
    await holder.beforeMutation('AssociateAddress');
    const refused = await LeaseGuard.take(t.b.deps('b-2'), G);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect(t.store.stateOf(G).leaseOwner).toBe('arbiter-a');
  });

  it('takes a free or released lease at once, whatever the clocks', async () => {
    const t = setup(-SKEW_MS);
    const first = await take(t.a.deps());
    await first.release();
    t.clock.advance(1);
    expect((await take(t.b.deps())).lease.epoch).toBe(first.lease.epoch + 1);
  });

  it('takes at once a record that expired over a lease ago by proven AWS time, and never on a bare clock', async () => {
    const t = setup(0);
    const dead = await take(t.a.deps('a-1'));
    // The holder died: its lease ran out LEASE_MS after the take; one more lease passes.
    t.clock.advance(2 * LEASE_MS + 1);
    // A container whose clock is not proven against AWS only starts watching.
    expect(await LeaseGuard.take(t.b.deps('b-1'), G)).toBeInstanceOf(LeaseHeldError);
    // One whose clock a recent answer proved takes it on its first sight.
    const proven = setupContainerLike(t, 'c-1');
    const taken = await take({ ...proven.deps(), awsTimeProven: () => true });
    expect(taken.lease).toMatchObject({ owner: 'c-1', epoch: dead.lease.epoch + 1 });
    expect(taken.timeline.at(-1)?.what).toContain('expired over a lease ago by AWS');
  });

  it('does not take by AWS time a record that expired less than a lease ago', async () => {
    const t = setup(0);
    await take(t.a.deps('a-1'));
    t.clock.advance(2 * LEASE_MS - 1);
    const proven = setupContainerLike(t, 'c-1');
    expect(await LeaseGuard.take({ ...proven.deps(), awsTimeProven: () => true }, G)).toBeInstanceOf(
      LeaseHeldError,
    );
  });

  it('runs the step before the first mutating call again when it failed, and once it succeeded never again', async () => {
    const t = setup(0);
    const guard = await take(t.a.deps('a-1'));
    let calls = 0;
    guard.beforeFirstMutation(async () => {
      calls += 1;
      if (calls === 1) throw new Error('DynamoDB: cannot record failover start');
    });
    await expect(guard.beforeMutation('AssociateAddress')).rejects.toThrow('failover start');
    await guard.beforeMutation('AssociateAddress');
    await guard.beforeMutation('AssociateAddress');
    expect(calls).toBe(2);
  });

  it('releases, on its next take, a lease an earlier invocation of the container could not release', async () => {
    const t = setup();
    const first = await take(t.a.deps('a-1'));
    t.store.failNext('releaseLease');
    await first.release();
    expect(t.store.stateOf(G).leaseOwner).toBe('a-1');
    expect(t.a.memory.unreleasedLeases.get(G)).toMatchObject({ owner: 'a-1' });
    // Another container still has to watch it for a full lease: it does not know the holder is gone.
    expect(await LeaseGuard.take(t.b.deps('b-1'), G)).toBeInstanceOf(LeaseHeldError);
    // The table is still down for the next invocation here: the lease stays noted.
    t.store.failNext('releaseLease');
    expect(await LeaseGuard.take(t.a.deps('a-2'), G)).toBeInstanceOf(LeaseHeldError);
    expect(t.a.memory.unreleasedLeases.has(G)).toBe(true);
    // Back: released and taken at once, with no lease of watching.
    t.clock.advance(1_000);
    const next = await take(t.a.deps('a-3'));
    expect(next.lease).toMatchObject({ owner: 'a-3', epoch: first.lease.epoch + 1 });
    expect(next.timeline.map((s) => s.what).join('\n')).toContain('lease left by a-1 (epoch');
    expect(t.a.memory.unreleasedLeases.has(G)).toBe(false);
  });

  it('never releases a lease left behind once another arbiter has taken the group', async () => {
    const t = setup();
    const first = await take(t.a.deps('a-1'));
    t.store.failNext('releaseLease');
    await first.release();
    // B watches the record for a lease and takes it.
    expect(await LeaseGuard.take(t.b.deps('b-1'), G)).toBeInstanceOf(LeaseHeldError);
    t.clock.advance(LEASE_MS);
    const taken = await take(t.b.deps('b-2'));
    // A's next take releases nothing of B's (the release is conditioned on a-1's epoch).
    expect(await LeaseGuard.take(t.a.deps('a-2'), G)).toBeInstanceOf(LeaseHeldError);
    expect(t.store.stateOf(G)).toMatchObject({ leaseOwner: 'b-2', leaseEpoch: taken.lease.epoch });
    expect(t.a.memory.unreleasedLeases.has(G)).toBe(false);
  });
});

/** Another container on the same table and clock, with a memory of its own. */
function setupContainerLike(t: ReturnType<typeof setup>, owner: string) {
  const memory = newContainerMemory();
  return {
    memory,
    deps: (): ArbiterDeps => ({ ...t.b.deps(owner), memory }),
  };
}
