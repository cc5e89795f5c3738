import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../../shared/adapters/dynamo/dynamo-store';
import { LeaseHeldError, LeaseLostError, StaleEpochError } from '../../../shared/domain/errors';
import type { LeaseRecord } from '../../../shared/domain/model';
import { WriteOrder, withWriteOrder } from '../../../shared/usecases/write-order';
import { startDynalite, type TestDynamo } from '../../helpers/dynalite';
import { verdict } from '../../helpers/verdicts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const LEASE_MS = 60_000;
const GROUPS = [{ id: 'web-lb', vantages: ['az-a', 'az-c'], nodes: [{ id: 'lb-1' }, { id: 'lb-2' }] }];

/** The held record a refused take named (what LeaseGuard watches before taking a lease). */
function seenIn(refused: unknown): LeaseRecord {
  if (!(refused instanceof LeaseHeldError) || refused.holder === undefined)
    throw new Error('no holder was named');
  return { owner: refused.holder, epoch: refused.epoch ?? 0, version: refused.version ?? 0 };
}

describe('DynamoStore with the real DynamoDB client on dynalite', () => {
  let dynamo: TestDynamo;
  let otherClient: DynamoDBClient;
  /** Two arbiters: separate SDK clients (separate connections) on one table. */
  let a: DynamoStore;
  let b: DynamoStore;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    otherClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    otherClient.destroy();
    await dynamo.close();
  });
  beforeEach(async () => {
    table = await dynamo.newTable();
    // The groups as the runtime passes them: readGroup names a group's verdict rows from them.
    a = new DynamoStore({ tableName: table, client: dynamo.client, groups: GROUPS });
    b = new DynamoStore({ tableName: table, client: otherClient, groups: GROUPS });
  });

  it('gives the lease to exactly one of two arbiters racing for it, 20 times', async () => {
    for (let race = 0; race < 20; race += 1) {
      const group = `race-${race}`;
      const [ra, rb] = await Promise.allSettled([
        a.acquireLease(group, 'arbiter-a', T0, LEASE_MS),
        b.acquireLease(group, 'arbiter-b', T0, LEASE_MS),
      ]);
      const winners = [ra, rb].filter((r) => r.status === 'fulfilled');
      expect(winners, `race ${race}`).toHaveLength(1);
      const loser = [ra, rb].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(LeaseHeldError);
      expect((winners[0] as PromiseFulfilledResult<{ epoch: number }>).value.epoch).toBe(1);
    }
  });

  it('lets a second arbiter take an abandoned lease, as the record it saw, with a higher epoch', async () => {
    const first = await a.acquireLease('web-lb', 'arbiter-a', T0, LEASE_MS);
    const refused = await b
      .acquireLease('web-lb', 'arbiter-b', T0 + LEASE_MS + 1, LEASE_MS)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    const second = await b.acquireLease('web-lb', 'arbiter-b', T0 + LEASE_MS + 1, LEASE_MS, seenIn(refused));
    expect(second.epoch).toBe(first.epoch + 1);
    const { state } = await a.readGroup('web-lb');
    expect(state).toMatchObject({ leaseOwner: 'arbiter-b', leaseEpoch: second.epoch });
  });

  it('rejects the extend and the state write of a stale actor and keeps the newer record', async () => {
    const stale = await a.acquireLease('web-lb', 'arbiter-a', T0, LEASE_MS);
    const refused = await b.acquireLease('web-lb', 'arbiter-b', T0 + 1, LEASE_MS).catch((e: unknown) => e);
    const fresh = await b.acquireLease('web-lb', 'arbiter-b', T0 + LEASE_MS + 1, LEASE_MS, seenIn(refused));
    await b.recordMove(fresh, { active: 'lb-2', holders: { 'elastic-ip eipalloc-01': 'lb-2' } });
    await expect(a.extendLease(stale, T0 + LEASE_MS + 2, LEASE_MS)).rejects.toThrow(LeaseLostError);
    await expect(
      a.recordMove(stale, { active: 'lb-1', holders: { 'elastic-ip eipalloc-01': 'lb-1' } }),
    ).rejects.toThrow(StaleEpochError);
    const { state } = await a.readGroup('web-lb');
    expect(state).toMatchObject({
      active: 'lb-2',
      holders: { 'elastic-ip eipalloc-01': 'lb-2' },
      moveEpoch: fresh.epoch,
      leaseOwner: 'arbiter-b',
    });
  });

  it('lets exactly one of two concurrent arbiters record a health transition or open an alert', async () => {
    for (let round = 0; round < 10; round += 1) {
      const group = `dedup-${round}`;
      const health = await Promise.all([
        a.transitionHealth(group, 'lb-1', undefined, 'DOWN'),
        b.transitionHealth(group, 'lb-1', undefined, 'DOWN'),
      ]);
      expect(health.filter(Boolean), `round ${round}`).toHaveLength(1);
      const alert = await Promise.all([
        a.setAlert(group, 'no-healthy-target', 'lb-1'),
        b.setAlert(group, 'no-healthy-target', 'lb-1'),
      ]);
      expect(alert.filter(Boolean), `round ${round}`).toHaveLength(1);
      const breaker = await Promise.all([a.openBreaker(group, T0), b.openBreaker(group, T0)]);
      expect(breaker.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
  });

  it('writes history rows with a ttl (epoch seconds) historyTtlDays after the event', async () => {
    await a.appendHistory(
      { group: 'web-lb', at: T0 + 1234, event: 'node-down', severity: 'warning', summary: 's' },
      30,
    );
    const out = await dynamo.client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'h#web-lb' } },
      }),
    );
    expect(out.Items).toHaveLength(1);
    const row = unmarshall(out.Items![0]!);
    expect(row.ttl).toBe(Math.floor((T0 + 1234) / 1000) + 30 * 86_400);
    expect(row).toMatchObject({ event: 'node-down', at: T0 + 1234 });
  });

  it('raises the seenAt of verdicts to the latest heartbeat of their vantage on read', async () => {
    await a.putVerdict({
      group: 'web-lb',
      vantage: 'az-a',
      node: 'lb-1',
      status: 'UP',
      since: T0,
      seenAt: T0,
      count: 2,
      evidence: [{ ok: true, latencyMs: 3, at: T0 }],
    });
    await a.putHeartbeat('az-a', T0 + 90_000);
    const { verdicts } = await b.readGroup('web-lb');
    expect((await a.readGroup('web-lb')).verdicts).toEqual(verdicts);
    expect(verdicts).toEqual([
      {
        group: 'web-lb',
        vantage: 'az-a',
        node: 'lb-1',
        status: 'UP',
        since: T0,
        seenAt: T0 + 90_000,
        count: 2,
        evidence: [{ ok: true, latencyMs: 3, at: T0 }],
      },
    ]);
  });

  it('writes one heartbeat row per vantage in its own partition and ignores the rows of earlier layouts', async () => {
    await a.putVerdict(verdict('az-a', 'lb-1', 'DOWN', T0));
    // Rows as earlier layouts wrote them: a verdict in the group partition, a per-group
    // heartbeat and a per-vantage heartbeat partition. Never read now.
    for (const item of [
      { ...verdict('az-c', 'lb-1', 'UP', T0 + 600_000), pk: 'g#web-lb', sk: 'v#az-c#lb-1' },
      { pk: 'g#web-lb', sk: 'hb#az-a', vantage: 'az-a', at: T0 + 600_000 },
      { pk: 'hb#az-a', sk: 'hb', vantage: 'az-a', at: T0 + 600_000 },
    ]) {
      await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
    }
    await a.putHeartbeat('az-a', T0 + 30_000);
    const rows = await dynamo.client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': 'v#az-a' }),
        ConsistentRead: true,
      }),
    );
    expect((rows.Items ?? []).map((i) => unmarshall(i)).map(({ pk, sk }) => `${pk} ${sk}`)).toEqual([
      'v#az-a hb',
      'v#az-a n#web-lb#lb-1',
    ]);
    for (const store of [a, b]) {
      const { verdicts, state } = await store.readGroup('web-lb');
      expect(verdicts.map((v) => `${v.vantage} ${v.status} ${v.seenAt}`)).toEqual([
        `az-a DOWN ${T0 + 30_000}`,
      ]);
      expect(state.leaseEpoch).toBe(0);
    }
  });

  /*
   * The race of shared/usecases/write-order.ts with a real request: the prober's first write is
   * held on its way (the SDK gave up on it; DynamoDB applies it later), a newer one lands, and
   * then the held request arrives. Without the condition on `seq`, DOWN would replace UP.
   */
  it('keeps the newer verdict when an older write of the same row lands after it', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    slowClient.middlewareStack.add(
      (next) => async (args) => {
        await held;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'holdRequest' },
    );
    try {
      let now = T0;
      const order = new WriteOrder(() => now);
      const slow = withWriteOrder(
        new DynamoStore({ tableName: table, client: slowClient, groups: GROUPS }),
        order,
      );
      const prober = withWriteOrder(a, order);
      const late = slow.putVerdict(verdict('az-a', 'lb-1', 'DOWN', T0));
      now += 5_000;
      expect(await prober.putVerdict(verdict('az-a', 'lb-1', 'UP', now))).toBe(true);
      release();
      expect(await late).toBe(false);
      const { verdicts } = await b.readGroup('web-lb');
      expect(verdicts.map((v) => `${v.status} ${v.seenAt}`)).toEqual([`UP ${T0 + 5_000}`]);
      const [loaded] = await a.loadVerdicts('az-a', ['web-lb']);
      expect(loaded?.seq).toBe((T0 + 5_000) * 1000);
    } finally {
      release();
      slowClient.destroy();
    }
  });

  it('never moves a heartbeat back: a late one does not undo a newer one', async () => {
    await a.putVerdict(verdict('az-a', 'lb-1', 'UP', T0));
    expect(await a.putHeartbeat('az-a', T0 + 30_000)).toBe(true);
    expect(await b.putHeartbeat('az-a', T0 + 10_000)).toBe(false);
    expect(await b.putHeartbeat('az-a', T0 + 30_000)).toBe(false);
    const { verdicts } = await a.readGroup('web-lb');
    expect(verdicts.map((v) => v.seenAt)).toEqual([T0 + 30_000]);
  });
});
