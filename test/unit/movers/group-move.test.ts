import { beforeEach, describe, expect, it } from 'vitest';
import type { GroupConfig } from '../../../shared/config/schema';
import { EventType } from '../../../shared/domain/constants';
import { silentLog } from '../../../shared/ports/log';
import { type ArbiterDeps, newContainerMemory } from '../../../shared/usecases/deps';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { makeConfig } from '../../helpers/config';
import { FakeCloud } from '../../helpers/fake-cloud';
import { MemoryStore } from '../../helpers/memory-store';
import { RecordingNotifier } from '../../helpers/notifier';
import { fromAll } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const BOTH = ['az-a', 'az-c'];
const EIP = 'elastic-ip eipalloc-01';
const VIP = 'secondary-ip 10.0.1.100';

let store: MemoryStore;
let cloud: FakeCloud;
let notifier: RecordingNotifier;
let deps: ArbiterDeps;
let group: GroupConfig;
let t: number;

function setup(policy: Record<string, unknown> = {}) {
  const config = makeConfig((raw) => {
    raw.groups[0]!.resources.push({ kind: 'secondary-ip', ip: '10.0.1.100' });
    raw.groups[0]!.policy = { ...policy };
  });
  group = config.groups[0]!;
  store = new MemoryStore();
  cloud = new FakeCloud();
  notifier = new RecordingNotifier();
  t = NOW;
  deps = {
    config,
    store,
    cloud,
    notifier,
    owner: 'arbiter-1',
    now: () => t,
    log: silentLog,
    memory: newContainerMemory(),
  };
  cloud.place(group, 'lb-1');
  store.setState('web-lb', { active: 'lb-1' });
}

async function health(lb1: 'UP' | 'DOWN', lb2: 'UP' | 'DOWN') {
  for (const v of [...fromAll(BOTH, 'lb-1', lb1, t - 1_000), ...fromAll(BOTH, 'lb-2', lb2, t - 1_000)]) {
    await store.putVerdict(v);
  }
}

/** Fails the move of `key` the first `times` attempts. */
function failMovesOf(key: string, times: number) {
  let left = times;
  cloud.onMutation = (call) => {
    if (call.includes(key) && left > 0) {
      left -= 1;
      throw new Error(`injected failure moving ${key}`);
    }
  };
}

beforeEach(() => setup());

describe('A group of resources moving together', () => {
  it('moves every resource in the declared order and records them', async () => {
    await health('DOWN', 'UP');
    const result = await reconcileGroup(deps, group);
    expect(result.outcome).toBe('moved');
    expect(cloud.mutations).toEqual([`move ${EIP} -> lb-2`, `move ${VIP} -> lb-2`]);
    expect(store.stateOf('web-lb')).toMatchObject({
      active: 'lb-2',
      holders: { [EIP]: 'lb-2', [VIP]: 'lb-2' },
    });
  });

  it('retries a resource that failed once, within the same lease', async () => {
    await health('DOWN', 'UP');
    failMovesOf(VIP, 1);
    const result = await reconcileGroup(deps, group);
    expect(result.outcome).toBe('moved');
    expect(store.calls.filter((c) => c === 'acquireLease')).toHaveLength(1);
    expect(result.timeline?.some((s) => s.what.startsWith(`retrying ${VIP}`))).toBe(true);
    expect(notifier.of(EventType.FAILOVER_SUCCEEDED)).toHaveLength(1);
  });

  it('says exactly which resource is where when a resource still fails after the retry', async () => {
    await health('DOWN', 'UP');
    failMovesOf(VIP, 2);
    const result = await reconcileGroup(deps, group);
    expect(result.outcome).toBe('failed');
    const [alert] = notifier.of(EventType.FAILOVER_FAILED);
    expect(alert?.subject).toContain('(resources split)');
    expect(alert?.body).toContain(`  ${EIP}: lb-2 (on lb-2)`);
    expect(alert?.body).toContain(`  ${VIP}: lb-1 (on lb-1)`);
    expect(alert?.body).toContain(`injected failure moving ${VIP}`);
    // Nothing is recorded for a move that did not complete.
    expect(store.stateOf('web-lb').active).toBe('lb-1');
  });

  it('gathers a split left by a failed move on the next reconcile', async () => {
    await health('DOWN', 'UP');
    failMovesOf(VIP, 2);
    await reconcileGroup(deps, group);
    t += 90_000;
    await health('DOWN', 'UP');
    const result = await reconcileGroup(deps, group);
    expect(result).toMatchObject({ outcome: 'moved', action: 'repair', to: 'lb-2' });
    expect(cloud.holders.get(VIP)).toBe('lb-2');
    expect(store.stateOf('web-lb').active).toBe('lb-2');
  });
});

describe('Drift found by reconcile', () => {
  it('reports a hand move once and moves the address back to the healthy recorded holder', async () => {
    await health('UP', 'UP');
    cloud.holders.set(EIP, 'lb-2');
    const result = await reconcileGroup(deps, group);
    expect(result).toMatchObject({ outcome: 'moved', action: 'repair', from: 'lb-2', to: 'lb-1' });
    expect(cloud.holders.get(EIP)).toBe('lb-1');
    const [found] = notifier.of(EventType.DRIFT_FOUND);
    expect(found?.body).toContain(`${EIP}: on lb-2`);
    expect(found?.body).toContain('moves them to lb-1 now');
    expect(notifier.of(EventType.DRIFT_REPAIRED)).toHaveLength(1);
    expect(notifier.of(EventType.FAILOVER_SUCCEEDED)).toHaveLength(0);
    // A repair is not a failover: it does not feed the breaker or the cooldown.
    expect(store.stateOf('web-lb').failoverTimes).toEqual([]);

    t += 60_000;
    await health('UP', 'UP');
    await reconcileGroup(deps, group);
    expect(notifier.of(EventType.DRIFT_FOUND)).toHaveLength(1);
    expect(store.stateOf('web-lb').alerts.drift).toBeUndefined();
  });

  it('only reports with drift: report, once per episode', async () => {
    setup({ drift: 'report' });
    await health('UP', 'UP');
    cloud.holders.set(EIP, 'lb-2');
    await reconcileGroup(deps, group);
    t += 60_000;
    await health('UP', 'UP');
    await reconcileGroup(deps, group);
    expect(cloud.mutations).toEqual([]);
    const found = notifier.of(EventType.DRIFT_FOUND);
    expect(found).toHaveLength(1);
    expect(found[0]?.body).toContain('policy drift: report');
  });

  it('reports a new episode after the placement matched the record again', async () => {
    setup({ drift: 'report' });
    await health('UP', 'UP');
    cloud.holders.set(EIP, 'lb-2');
    await reconcileGroup(deps, group);
    cloud.holders.set(EIP, 'lb-1');
    await reconcileGroup(deps, group);
    cloud.holders.set(VIP, 'lb-2');
    await reconcileGroup(deps, group);
    expect(notifier.of(EventType.DRIFT_FOUND)).toHaveLength(2);
  });

  it('adopts a whole group moved by hand to a healthy node with drift: report, in one message', async () => {
    setup({ drift: 'report' });
    await health('UP', 'UP');
    cloud.place(group, 'lb-2');
    await reconcileGroup(deps, group);
    expect(cloud.mutations).toEqual([]);
    expect(store.stateOf('web-lb').active).toBe('lb-2');
    expect(notifier.of(EventType.DRIFT_FOUND)).toHaveLength(0);
    expect(notifier.subjects()).toEqual([expect.stringContaining('record updated')]);
  });

  it('adopts a hand move away from a recorded holder that is DOWN, and does not move it back', async () => {
    await health('DOWN', 'UP');
    cloud.place(group, 'lb-2');
    await reconcileGroup(deps, group);
    expect(cloud.mutations).toEqual([]);
    expect(store.stateOf('web-lb').active).toBe('lb-2');
  });

  it('does not call a move in progress under another arbiter drift', async () => {
    await health('UP', 'UP');
    cloud.holders.set(EIP, 'lb-2');
    store.setState('web-lb', { leaseOwner: 'arbiter-2', leaseEpoch: 4, leaseExpiresAt: t + 30_000 });
    const result = await reconcileGroup(deps, group);
    expect(result.outcome).toBe('lease-held');
    expect(notifier.of(EventType.DRIFT_FOUND)).toHaveLength(0);
    expect(cloud.mutations).toEqual([]);
  });
});
