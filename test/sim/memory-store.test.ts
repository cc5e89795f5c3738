import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../shared/adapters/dynamo/dynamo-store';
import type { NodeHealth } from '../../shared/domain/constants';
import type { Lease, Verdict } from '../../shared/domain/model';
import type { ControlStore, GroupStore, VerdictStore } from '../../shared/ports/store';
import { SimMemoryStore } from '../../sim/store/memory-store';
import { MemoryTable } from '../../sim/store/memory-table';
import { startDynalite, type TestDynamo } from '../helpers/dynalite';
import { groupStoreContract } from '../helpers/group-store-contract';

type Store = GroupStore & VerdictStore & ControlStore;

const G = 'web';
const LEASE_MS = 60_000;
const T0 = Date.UTC(2026, 10, 23);
const owners = ['a', 'b', 'c'] as const;
const nodes = ['n1', 'n2', 'n3'] as const;
const healths = ['HEALTHY', 'DOWN', 'UNKNOWN'] as const;

/** One operation of the GroupStore, VerdictStore and ControlStore ports. */
type Op =
  | { op: 'acquire'; owner: number; advanceMs: number }
  | { op: 'extend' | 'release' | 'failoverStart'; owner: number; advanceMs: number; staleBy: number }
  | { op: 'record'; owner: number; node: number; failover: boolean; staleBy: number }
  | { op: 'health'; node: number; from: number | null; to: number }
  | { op: 'healthySince'; node: number; since: number | null }
  | { op: 'alert'; key: number; open: boolean }
  | { op: 'breaker' | 'reset' }
  | { op: 'ban'; node: number; until: number }
  | { op: 'unban'; node: number }
  | { op: 'pause'; paused: boolean }
  | {
      op: 'verdict';
      vantage: number;
      node: number;
      up: boolean;
      seenAt: number;
      streak: number;
      seq: number | null;
    }
  | { op: 'heartbeat'; vantage: number; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('acquire'), owner: fc.nat(2), advanceMs: fc.nat(90_000) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom('extend', 'release', 'failoverStart'),
      owner: fc.nat(2),
      advanceMs: fc.nat(90_000),
      staleBy: fc.nat(1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('record'),
      owner: fc.nat(2),
      node: fc.nat(2),
      failover: fc.boolean(),
      staleBy: fc.nat(1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('health'),
      node: fc.nat(2),
      from: fc.option(fc.nat(2)),
      to: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('healthySince'), node: fc.nat(2), since: fc.option(fc.nat(1e6)) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('alert'), key: fc.nat(1), open: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('breaker', 'reset') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ban'), node: fc.nat(2), until: fc.nat(1e6) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unban'), node: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pause'), paused: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('verdict'),
      vantage: fc.nat(1),
      node: fc.nat(2),
      up: fc.boolean(),
      seenAt: fc.nat(1e6),
      /** Length of a streak in progress against the verdict (0: none). */
      streak: fc.nat(2),
      /** The write's order: a small range, so that older writes often land after newer ones. */
      seq: fc.option(fc.nat(4)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('heartbeat'), vantage: fc.nat(1), at: fc.nat(1e6) }) },
) as fc.Arbitrary<Op>;

/** Runs one op against one store; returns a comparable outcome (value or error name). */
async function apply(
  store: Store,
  op: Op,
  clock: { now: number; started?: number[] },
  leases: Map<number, Lease>,
): Promise<unknown> {
  const leaseOf = (owner: number, staleBy: number): Lease => {
    const held = leases.get(owner);
    const base = held ?? { group: G, owner: owners[owner] as string, epoch: 1, expiresAt: 0 };
    return { ...base, epoch: Math.max(0, base.epoch - staleBy) };
  };
  try {
    switch (op.op) {
      case 'acquire': {
        clock.now += op.advanceMs;
        const lease = await store.acquireLease(G, owners[op.owner] as string, clock.now, LEASE_MS);
        leases.set(op.owner, lease);
        return lease;
      }
      case 'extend':
        clock.now += op.advanceMs;
        return await store.extendLease(leaseOf(op.owner, op.staleBy), clock.now, LEASE_MS);
      case 'release':
        return await store.releaseLease(leaseOf(op.owner, op.staleBy));
      case 'failoverStart': {
        // Counted (or a manual start, not), and pruning the oldest times this run appended:
        // after a reset or a stale start they no longer lead the list, and nothing is removed.
        clock.started ??= [];
        const started = clock.started;
        const counted = op.advanceMs % 2 === 0;
        const result = await store.recordFailoverStart(leaseOf(op.owner, op.staleBy), {
          lastFailoverAt: clock.now,
          ...(counted ? { countedAt: clock.now } : {}),
          expired: started.slice(0, op.advanceMs % 3),
        });
        if (counted) started.push(clock.now);
        clock.now += 1;
        return result;
      }
      case 'record': {
        const node = nodes[op.node] as string;
        return await store.recordMove(leaseOf(op.owner, op.staleBy), {
          active: node,
          holders: { 'elastic-ip eipalloc-1': node, 'route 0.0.0.0/0 in rtb-1': node },
          ...(op.failover ? { lastFailoverAt: clock.now, failoverTimes: [clock.now] } : {}),
        });
      }
      case 'health':
        return await store.transitionHealth(
          G,
          nodes[op.node] as string,
          op.from === null ? undefined : (healths[op.from] as NodeHealth),
          healths[op.to] as NodeHealth,
        );
      case 'healthySince':
        return await store.saveHealthySince(
          G,
          op.since === null ? {} : { [nodes[op.node] as string]: op.since },
          [nodes[op.node] as string],
        );
      case 'alert':
        return await store.setAlert(G, `k${op.key}`, op.open ? 'open' : undefined);
      case 'breaker':
        return await store.openBreaker(G, clock.now);
      case 'reset': {
        const { state } = await store.readGroup(G);
        return await store.resetCounters(G, Object.keys(state.alerts));
      }
      case 'ban':
        return await store.setBan(G, nodes[op.node] as string, op.until);
      case 'unban':
        return await store.clearBan(G, nodes[op.node] as string);
      case 'pause':
        return await store.setPaused(G, op.paused);
      case 'verdict': {
        const v: Verdict = {
          group: G,
          vantage: `v${op.vantage}`,
          node: nodes[op.node] as string,
          status: op.up ? 'UP' : 'DOWN',
          since: op.seenAt,
          seenAt: op.seenAt,
          count: 2,
          evidence: [{ ok: op.up, latencyMs: 3, at: op.seenAt, ...(op.up ? {} : { error: 'ECONNREFUSED' }) }],
        };
        if (op.streak > 0) {
          const at = op.seenAt + 1000;
          const result = { ok: !op.up, latencyMs: 3, at, ...(op.up ? { error: 'ECONNREFUSED' } : {}) };
          v.streak = { ok: !op.up, count: op.streak, at, evidence: [result] };
        }
        if (op.seq !== null) v.seq = op.seq;
        return await store.putVerdict(v);
      }
      case 'heartbeat':
        return await store.putHeartbeat(`v${op.vantage}`, op.at);
    }
  } catch (error) {
    return { error: (error as Error).name };
  }
}

/** A snapshot in a canonical order (the two stores may list verdicts differently). */
async function snapshot(store: Store) {
  const { state, verdicts } = await store.readGroup(G);
  const sorted = [...verdicts].sort((a, b) =>
    `${a.vantage}/${a.node}`.localeCompare(`${b.vantage}/${b.node}`),
  );
  const loaded = (await store.loadVerdicts('v0', [G])).sort((a, b) => a.node.localeCompare(b.node));
  return { state, verdicts: sorted, loaded };
}

/** dynalite makes a new table ACTIVE a tick after CreateTable returns; wait for it. */
async function activeTable(dynamo: TestDynamo): Promise<string> {
  const name = await dynamo.newTable();
  for (;;) {
    const out = await dynamo.client.send(new DescribeTableCommand({ TableName: name }));
    if (out.Table?.TableStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('The simulator store keeps the GroupStore contract', () => {
  groupStoreContract(async () => ({ store: new SimMemoryStore() }));
});

describe('The simulator table', () => {
  const row = (vantage: string, seenAt: number): Verdict => ({
    group: G,
    vantage,
    node: 'n1',
    status: 'UP',
    since: T0,
    seenAt,
    count: 2,
    evidence: [],
  });

  it('ignores the verdict and heartbeat rows of earlier layouts', () => {
    const table = new MemoryTable();
    table.putVerdict(row('v0', T0));
    table.putRaw({ pk: `g#${G}`, sk: 'hb#v0', vantage: 'v0', at: T0 + 600_000 });
    table.putRaw({ pk: 'hb#v0', sk: 'hb', vantage: 'v0', at: T0 + 600_000 });
    table.putRaw({ pk: `g#${G}`, sk: 'v#v1#n1', ...row('v1', T0 + 600_000) });
    expect(table.readGroup(G).verdicts.map((v) => v.seenAt)).toEqual([T0]);
    table.putHeartbeat('v0', T0 + 30_000);
    expect(table.readGroup(G).verdicts.map((v) => v.seenAt)).toEqual([T0 + 30_000]);
  });

  it('raises verdicts with the heartbeats read before the rows, as DynamoStore does', () => {
    const table = new MemoryTable();
    table.putVerdict(row('v0', T0));
    table.putHeartbeat('v0', T0 + 10_000);
    const heartbeats = table.readHeartbeats(['v0', 'v1']);
    expect([...heartbeats]).toEqual([['v0', T0 + 10_000]]);
    // A heartbeat written between the two reads is not used: it is newer than what was read.
    table.putHeartbeat('v0', T0 + 40_000);
    expect(table.readGroup(G, heartbeats).verdicts.map((v) => v.seenAt)).toEqual([T0 + 10_000]);
  });
});

describe('The simulator store against DynamoStore on dynalite', () => {
  let dynamo: TestDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('gives the same outcome and the same state for every sequence of operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (ops) => {
        const real = new DynamoStore({
          tableName: await activeTable(dynamo),
          client: dynamo.client,
          groups: [{ id: G, vantages: ['v0', 'v1'], nodes: nodes.map((id) => ({ id })) }],
        });
        const sim = new SimMemoryStore();
        const clocks = { real: { now: T0 }, sim: { now: T0 } };
        const leases = { real: new Map<number, Lease>(), sim: new Map<number, Lease>() };
        for (const op of ops) {
          const a = await apply(real, op, clocks.real, leases.real);
          const b = await apply(sim, op, clocks.sim, leases.sim);
          expect(b, JSON.stringify(op)).toEqual(a);
          expect(await snapshot(sim), JSON.stringify(op)).toEqual(await snapshot(real));
        }
      }),
      { seed: 20261123, numRuns: 40 },
    );
    // 40 runs of up to 40 operations against dynalite: about 12 s alone, longer on a busy machine.
  }, 120_000);
});
