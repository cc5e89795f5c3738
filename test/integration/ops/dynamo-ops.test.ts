import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../../shared/adapters/dynamo/dynamo-store';
import { EventType } from '../../../shared/domain/constants';
import { control } from '../../../shared/ops/control';
import type { OpsDeps } from '../../../shared/ops/deps';
import { manualFailover } from '../../../shared/ops/manual-failover';
import { type StatusReport, status } from '../../../shared/ops/status';
import { silentLog } from '../../../shared/ports/log';
import { newContainerMemory } from '../../../shared/usecases/deps';
import { fakeClock } from '../../helpers/clock';
import { makeConfig } from '../../helpers/config';
import { startDynalite, type TestDynamo } from '../../helpers/dynalite';
import { FakeCloud } from '../../helpers/fake-cloud';
import { RecordingNotifier } from '../../helpers/notifier';
import { fromAll } from '../../helpers/verdicts';

let dynamo: TestDynamo;
let store: DynamoStore;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());
beforeEach(async () => {
  store = new DynamoStore({
    tableName: await dynamo.newTable(),
    client: dynamo.client,
    groups: makeConfig().groups,
  });
});

describe('DynamoStore operator controls', () => {
  it('sets a ban with an expiry and one without, and reads them back', async () => {
    await store.setBan('web-lb', 'lb-1', 1_700_000_000_000);
    await store.setBan('web-lb', 'lb-2', 0);
    expect((await store.readGroup('web-lb')).state.bans).toEqual({ 'lb-1': 1_700_000_000_000, 'lb-2': 0 });
  });

  it('replaces a ban and lifts it, saying whether there was one', async () => {
    await store.setBan('web-lb', 'lb-1', 5);
    await store.setBan('web-lb', 'lb-1', 0);
    expect((await store.readGroup('web-lb')).state.bans).toEqual({ 'lb-1': 0 });
    expect(await store.clearBan('web-lb', 'lb-1')).toBe(true);
    expect(await store.clearBan('web-lb', 'lb-1')).toBe(false);
    expect((await store.readGroup('web-lb')).state.bans).toEqual({});
  });

  it('pauses and resumes once: a second identical call changes nothing', async () => {
    expect(await store.setPaused('web-lb', false)).toBe(false);
    expect(await store.setPaused('web-lb', true)).toBe(true);
    expect(await store.setPaused('web-lb', true)).toBe(false);
    expect((await store.readGroup('web-lb')).state.paused).toBe(true);
    expect(await store.setPaused('web-lb', false)).toBe(true);
    expect((await store.readGroup('web-lb')).state.paused).toBe(false);
  });

  it('resets the breaker, failover times, cooldown and the named alerts, keeping the rest', async () => {
    const lease = await store.acquireLease('web-lb', 'a', 1000, 60_000);
    await store.recordMove(lease, {
      active: 'lb-2',
      holders: { x: 'lb-2' },
      lastFailoverAt: 900,
      failoverTimes: [800, 900],
    });
    await store.openBreaker('web-lb', 950);
    await store.setAlert('web-lb', 'no-healthy-target', 'lb-1');
    await store.setAlert('web-lb', 'would:lb-1->lb-2', '1');
    await store.setBan('web-lb', 'lb-1', 0);
    await store.resetCounters('web-lb', ['no-healthy-target', 'would:lb-1->lb-2']);
    const { state } = await store.readGroup('web-lb');
    expect(state.breakerOpenSince).toBeUndefined();
    expect(state.lastFailoverAt).toBeUndefined();
    expect(state.failoverTimes).toEqual([]);
    expect(state.alerts).toEqual({});
    expect(state.bans).toEqual({ 'lb-1': 0 });
    expect(state.active).toBe('lb-2');
    expect(state.leaseEpoch).toBe(1);
  });

  it('resets a group that was never recorded', async () => {
    await store.resetCounters('new-group', []);
    expect((await store.readGroup('new-group')).state.failoverTimes).toEqual([]);
  });
});

describe('operator use-cases on DynamoDB', () => {
  async function setup() {
    const config = makeConfig();
    const group = config.groups[0]!;
    const clock = fakeClock();
    const cloud = new FakeCloud();
    for (const n of group.nodes)
      cloud.instances[n.id] = { instanceId: n.instanceId, state: 'running', impaired: false };
    cloud.place(group, 'lb-1');
    const notifier = new RecordingNotifier();
    for (const node of ['lb-1', 'lb-2']) {
      for (const v of fromAll(group.vantages, node, 'UP', clock.now())) await store.putVerdict(v);
    }
    const deps: OpsDeps = {
      config,
      store,
      cloud,
      notifier,
      owner: 'ops-test',
      now: clock.now,
      log: silentLog,
      memory: newContainerMemory(),
    };
    return { group, clock, cloud, notifier, deps };
  }

  it('bans the holder, moves off it at once, and shows it all in status and history', async () => {
    const { cloud, notifier, deps } = await setup();
    const result = await control(deps, {
      group: 'web-lb',
      action: 'ban',
      node: 'lb-1',
      expiresInMinutes: 90,
      reason: 'kernel upgrade',
      requestedBy: 'alice',
    });
    expect(result.reconcile).toMatchObject({ outcome: 'moved', from: 'lb-1', to: 'lb-2' });
    expect(cloud.holders.get('elastic-ip eipalloc-01')).toBe('lb-2');
    expect(notifier.sent.map((n) => n.event)).toEqual([EventType.CONTROL, EventType.FAILOVER_SUCCEEDED]);

    const report = (await status(deps, { group: 'web-lb' })) as StatusReport;
    const g = report.groups[0]!;
    expect(g.bans).toEqual([{ node: 'lb-1', until: '2025-01-01T13:30:00Z' }]);
    expect(g.active).toEqual({ observed: 'lb-2', recorded: 'lb-2' });
    expect(g.lease).toEqual({ epoch: 1, held: false });
    // Both rows carry the same (fake) millisecond, so their order is not defined.
    expect(g.history.map((e) => e.event).sort()).toEqual(['control', 'failover-succeeded']);
  });

  it('fails over by hand under the lease, raising the epoch each time', async () => {
    const { cloud, deps, clock } = await setup();
    const first = await manualFailover(deps, { group: 'web-lb', to: 'lb-2', requestedBy: 'alice' });
    expect(first.outcome).toBe('moved');
    clock.advance(1000);
    const back = await manualFailover(deps, { group: 'web-lb', to: 'lb-1', requestedBy: 'alice' });
    expect(back.outcome).toBe('moved');
    expect(cloud.mutations).toEqual([
      'move elastic-ip eipalloc-01 -> lb-2',
      'move elastic-ip eipalloc-01 -> lb-1',
    ]);
    const { state } = await store.readGroup('web-lb');
    expect(state).toMatchObject({ leaseEpoch: 2, moveEpoch: 2, active: 'lb-1', failoverTimes: [] });
    expect(state.leaseOwner).toBeUndefined();
  });
});
