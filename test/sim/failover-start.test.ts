import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from '../../ec2-model/direct-client';
import { DynamoStore } from '../../shared/adapters/dynamo/dynamo-store';
import { StaleEpochError } from '../../shared/domain/errors';
import type { Lease } from '../../shared/domain/model';
import type { FailoverStart, MoveRecord } from '../../shared/ports/store';
import { reconcileGroup } from '../../shared/usecases/reconcile';
import { SimMemoryStore } from '../../sim/store/memory-store';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { eipHolder, fixture } from './fixture';

/** A store that logs its writes, into a log shared with the EC2 calls (to check their order). */
class LoggingStore extends SimMemoryStore {
  constructor(readonly log: string[]) {
    super();
  }
  override async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
    this.log.push('recordFailoverStart');
    return super.recordFailoverStart(lease, start);
  }
  override async extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    this.log.push('extendLease');
    return super.extendLease(lease, now, leaseMs);
  }
  override async recordMove(lease: Lease, move: MoveRecord): Promise<void> {
    this.log.push('recordMove');
    return super.recordMove(lease, move);
  }
}

describe('The start of a failover (regression, found by the simulator)', () => {
  it('is recorded before its first EC2 call, so an arbiter dying after the call leaves the cooldown running', async () => {
    const log: string[] = [];
    const f = fixture({
      store: () => new LoggingStore(log),
      fail: (action) => {
        if (action === 'AssociateAddress') log.push('AssociateAddress');
      },
    });
    await f.report('n1', false);
    await f.report('n2', true);
    await f.report('n3', true);
    const started = f.clock.now;

    expect((await reconcileGroup(f.deps, f.group)).outcome).toBe('moved');

    expect(log).toEqual(['recordFailoverStart', 'extendLease', 'AssociateAddress', 'recordMove']);
    const state = (await f.store.readGroup('web')).state;
    expect(state.lastFailoverAt).toBeGreaterThanOrEqual(started);
    expect(state.failoverTimes).toHaveLength(1);
  });

  it('leaves a reset standing that landed after the mover read the state, before its start', async () => {
    class ResetFirst extends SimMemoryStore {
      override async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
        // An operator's reset lands between the re-read under the lease and the start.
        await this.resetCounters(lease.group, []);
        return super.recordFailoverStart(lease, start);
      }
    }
    const f = fixture({ store: () => new ResetFirst() });
    const earlier = f.clock.now - 60_000;
    const lease = await f.store.acquireLease('web', 'earlier', earlier, 1);
    await f.store.recordFailoverStart(lease, { lastFailoverAt: earlier, countedAt: earlier, expired: [] });
    await f.store.releaseLease(lease);
    await f.report('n1', false);
    await f.report('n2', true);
    await f.report('n3', true);
    expect((await reconcileGroup(f.deps, f.group)).outcome).toBe('moved');
    // Written back from what it read, the list would hold the earlier failover again.
    expect((await f.store.readGroup('web')).state.failoverTimes).toHaveLength(1);
  });

  it('holds a second failover inside the cooldown even when the first one failed after EC2 moved the address', async () => {
    let throttleReads = false;
    const f = fixture({
      fail: (action) => {
        if (action === 'AssociateAddress') throttleReads = true;
        if (throttleReads && action === 'DescribeAddresses') {
          throw sdkError('RequestLimitExceeded', 'Request limit exceeded.', 503);
        }
      },
    });
    await f.report('n1', false);
    await f.report('n2', true);
    await f.report('n3', true);

    const first = await reconcileGroup(f.deps, f.group);
    expect(first.outcome).toBe('failed');
    expect(eipHolder(f.world, f.group)).toBe('n2');
    const state = (await f.store.readGroup('web')).state;
    expect(state.lastFailoverAt).toBeDefined();
    expect(state.active).toBe('n1');
    expect(state.moveEpoch).toBe(0);

    // EC2 answers again; 20 s later the new holder fails too.
    throttleReads = false;
    f.clock.now += 20_000;
    await f.report('n1', false);
    await f.report('n2', false);
    await f.report('n3', true);
    const second = await reconcileGroup(f.deps, f.group);

    expect(second).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^cooldown/) });
    expect(eipHolder(f.world, f.group)).toBe('n2');
  });
});

describe('DynamoStore.recordFailoverStart on dynalite', () => {
  let dynamo: TestDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  async function store(): Promise<DynamoStore> {
    const name = await dynamo.newTable();
    while (
      (await dynamo.client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !==
      'ACTIVE'
    ) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return new DynamoStore({ tableName: name, client: dynamo.client, groups: [] });
  }

  it('sets the cooldown and breaker times and leaves the recorded placement as it was', async () => {
    const s = await store();
    const first = await s.acquireLease('web', 'a', 1_000, 60_000);
    await s.recordMove(first, { active: 'n1', holders: { eip: 'n1' } });
    await s.releaseLease(first);
    const lease = await s.acquireLease('web', 'b', 2_000, 60_000);

    await s.recordFailoverStart(lease, { lastFailoverAt: 1_500, countedAt: 1_500, expired: [] });
    await s.recordFailoverStart(lease, { lastFailoverAt: 2_500, countedAt: 2_500, expired: [] });

    const { state } = await s.readGroup('web');
    expect(state).toMatchObject({
      lastFailoverAt: 2_500,
      failoverTimes: [1_500, 2_500],
      active: 'n1',
      holders: { eip: 'n1' },
      moveEpoch: first.epoch,
    });
  });

  it('appends and prunes, so a reset made after the mover read the state stays a reset', async () => {
    const s = await store();
    const lease = await s.acquireLease('web', 'a', 1_000, 60_000);
    for (const t of [1_000, 2_000, 3_000]) {
      await s.recordFailoverStart(lease, { lastFailoverAt: t, countedAt: t, expired: [] });
    }
    // The mover read [1000, 2000, 3000]; 1000 and 2000 fell out of its window. Pruned:
    await s.recordFailoverStart(lease, { lastFailoverAt: 4_000, countedAt: 4_000, expired: [1_000, 2_000] });
    expect((await s.readGroup('web')).state.failoverTimes).toEqual([3_000, 4_000]);
    // It reads [3000, 4000]; an operator resets; its start names 3000 as expired.
    await s.resetCounters('web', []);
    await s.recordFailoverStart(lease, { lastFailoverAt: 9_000, countedAt: 9_000, expired: [3_000] });
    expect((await s.readGroup('web')).state).toMatchObject({ failoverTimes: [9_000], lastFailoverAt: 9_000 });
    // A manual start counts nothing.
    await s.recordFailoverStart(lease, { lastFailoverAt: 9_500, expired: [] });
    expect((await s.readGroup('web')).state).toMatchObject({ failoverTimes: [9_000], lastFailoverAt: 9_500 });
  });

  it('refuses a stale epoch', async () => {
    const s = await store();
    const stale = await s.acquireLease('web', 'a', 1_000, 60_000);
    // Taken over as the record a watcher saw (owner, epoch, the version of one take).
    await s.acquireLease('web', 'b', 70_000, 60_000, { owner: 'a', epoch: stale.epoch, version: 1 });
    await expect(
      s.recordFailoverStart(stale, { lastFailoverAt: 70_500, countedAt: 70_500, expired: [] }),
    ).rejects.toThrow(StaleEpochError);
  });
});
