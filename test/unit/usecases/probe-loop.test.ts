import { describe, expect, it } from 'vitest';
import type { GroupConfig, NodeConfig } from '../../../shared/config/schema';
import { silentLog } from '../../../shared/log';
import type { ProbeResult } from '../../../shared/model';
import { runProbeLoop } from '../../../shared/usecases/probe-loop';
import { fakeClock } from '../../helpers/clock';
import { makeConfig, type rawConfig, THIRD_NODE } from '../../helpers/config';
import { MemoryStore } from '../../helpers/memory-store';
import { verdict } from '../../helpers/verdicts';

const INVOCATION_MS = 60_000;

/** Another group with its own nodes, watched from the same vantages, probed every `interval` s. */
function secondGroup(raw: ReturnType<typeof rawConfig>, id: string, interval: number) {
  const group = structuredClone(raw.groups[0]!);
  const n = raw.groups.length + 1;
  group.id = id;
  group.nodes = group.nodes.map((node, i) => ({
    ...node,
    id: `${id}-${i}`,
    instanceId: `i-0${n}${i}`,
    eni: `eni-0${n}${i}`,
  }));
  group.resources = [{ kind: 'elastic-ip', allocationId: `eipalloc-0${n}` }];
  group.policy = { ...group.policy, intervalSeconds: interval };
  return group;
}

function setup(
  policy: Record<string, unknown> = {},
  probeMs = 0,
  edit: (raw: ReturnType<typeof rawConfig>) => void = () => {},
) {
  const config = makeConfig((raw) => {
    raw.groups[0]!.policy = { intervalSeconds: 5, timeoutMs: 2000, fall: 2, rise: 2, ...policy };
    raw.arbiter = { heartbeatSeconds: 30 };
    edit(raw);
  });
  const clock = fakeClock();
  const start = clock.now();
  const store = new MemoryStore();
  /** Node id -> does it answer? Tests flip this while the loop runs (via onProbe). */
  const healthy: Record<string, boolean> = { 'lb-1': true, 'lb-2': true, 'lb-3': true };
  const probes: { node: string; at: number }[] = [];
  let onProbe: ((at: number) => void) | undefined;
  const probe = async (_group: GroupConfig, node: NodeConfig): Promise<ProbeResult> => {
    const at = clock.now();
    onProbe?.(at - start);
    probes.push({ node: node.id, at: at - start });
    clock.advance(probeMs);
    return healthy[node.id]
      ? { ok: true, latencyMs: probeMs, at }
      : { ok: false, latencyMs: 2000, at, error: 'timeout after 2000 ms' };
  };
  const heartbeats: number[] = [];
  const putHeartbeat = store.putHeartbeat.bind(store);
  store.putHeartbeat = async (vantage, at) => {
    await putHeartbeat(vantage, at);
    heartbeats.push(at - start);
  };
  const verdictWrites: { node: string; status: string; seenAt: number }[] = [];
  const putVerdict = store.putVerdict.bind(store);
  store.putVerdict = async (v) => {
    await putVerdict(v);
    verdictWrites.push({ node: v.node, status: v.status, seenAt: v.seenAt - start });
  };
  const run = () =>
    runProbeLoop({
      config,
      vantage: 'az-a',
      store,
      probe,
      now: clock.now,
      sleep: clock.sleep,
      remainingMs: () => start + INVOCATION_MS - clock.now(),
      log: silentLog,
    });
  return {
    config,
    clock,
    start,
    store,
    healthy,
    probes,
    heartbeats,
    verdictWrites,
    run,
    setOnProbe: (fn: (at: number) => void) => {
      onProbe = fn;
    },
  };
}

describe('runProbeLoop', () => {
  it('probes every intervalSeconds and writes a verdict only when it changes', async () => {
    const t = setup();
    const summary = await t.run();
    // Ticks at 0, 5, ..., 55 s: 12 rounds of 2 nodes.
    expect(summary.ticks).toBe(12);
    expect(t.probes.filter((p) => p.node === 'lb-1').map((p) => p.at)).toEqual(
      Array.from({ length: 12 }, (_, i) => i * 5000),
    );
    // UP after rise=2 probes (second tick), never again while nothing changes.
    expect(t.verdictWrites).toEqual([
      { node: 'lb-1', status: 'UP', seenAt: 5000 },
      { node: 'lb-2', status: 'UP', seenAt: 5000 },
    ]);
    expect(summary.verdictWrites).toBe(2);
  });

  it('writes DOWN once after fall failures, and UP once after rise successes', async () => {
    const t = setup();
    t.setOnProbe((at) => {
      t.healthy['lb-1'] = !(at >= 20_000 && at < 40_000);
    });
    await t.run();
    expect(t.verdictWrites.filter((w) => w.node === 'lb-1')).toEqual([
      { node: 'lb-1', status: 'UP', seenAt: 5000 },
      { node: 'lb-1', status: 'DOWN', seenAt: 25_000 },
      { node: 'lb-1', status: 'UP', seenAt: 45_000 },
    ]);
  });

  it('sends one heartbeat for the vantage every heartbeatSeconds', async () => {
    const t = setup();
    await t.run();
    expect(t.heartbeats).toEqual([0, 30_000]);
    expect(t.store.heartbeats.get('az-a')).toBe(t.start + 30_000);
  });

  it('sends one heartbeat for all its groups, whatever their number and intervals', async () => {
    const t = setup({}, 0, (raw) => {
      for (const [i, interval] of [10, 15].entries())
        raw.groups.push(secondGroup(raw, `extra-${i}`, interval));
    });
    const summary = await t.run();
    expect(t.heartbeats).toEqual([0, 30_000]);
    expect(summary.heartbeatWrites).toBe(2);
    expect([...t.store.heartbeats.keys()]).toEqual(['az-a']);
  });

  it('keeps its reserve at the end of the invocation for the last writes', async () => {
    const t = setup({}, 1500);
    const summary = await t.run();
    expect(summary.ticks).toBeGreaterThan(0);
    expect(t.clock.now() - t.start).toBeLessThanOrEqual(INVOCATION_MS - 1500);
  });

  it('counts the probe rounds the concurrency bound forces when keeping its reserve', async () => {
    // Three hung nodes probed one at a time: a tick takes three probe timeouts.
    const t = setup({}, 2000, (raw) => {
      raw.groups[0]!.nodes.push({ ...THIRD_NODE });
      raw.arbiter.probeConcurrency = 1;
    });
    const summary = await t.run();
    expect(summary.ticks).toBeGreaterThan(0);
    expect(t.clock.now() - t.start).toBeLessThanOrEqual(INVOCATION_MS - 1500);
  });

  it('does not probe at all when less than one probe timeout remains', async () => {
    const t = setup();
    t.clock.advance(INVOCATION_MS - 2000);
    const summary = await t.run();
    expect(summary.ticks).toBe(0);
    expect(t.probes).toEqual([]);
  });

  it('continues rise/fall from the verdicts stored by the previous invocation', async () => {
    const t = setup();
    await t.store.putVerdict(verdict('az-a', 'lb-1', 'DOWN', t.start - 10_000));
    await t.store.putVerdict(verdict('az-c', 'lb-2', 'DOWN', t.start - 10_000));
    t.verdictWrites.length = 0;
    t.healthy['lb-1'] = false;
    await t.run();
    // lb-1 was already DOWN from this vantage: failing on is no change, nothing is written.
    expect(t.verdictWrites.filter((w) => w.node === 'lb-1')).toEqual([]);
    // az-c's verdict on lb-2 belongs to another vantage and is ignored here.
    expect(t.verdictWrites.filter((w) => w.node === 'lb-2')).toEqual([
      { node: 'lb-2', status: 'UP', seenAt: 5000 },
    ]);
  });

  it('needs rise successes to clear a stored DOWN verdict', async () => {
    const t = setup();
    await t.store.putVerdict(verdict('az-a', 'lb-1', 'DOWN', t.start - 10_000));
    t.verdictWrites.length = 0;
    await t.run();
    expect(t.verdictWrites.filter((w) => w.node === 'lb-1')).toEqual([
      { node: 'lb-1', status: 'UP', seenAt: 5000 },
    ]);
  });

  it('retries a failed verdict write on the next tick and sends no heartbeat over it', async () => {
    const t = setup({ rise: 1 });
    t.store.failNext('putVerdict');
    await t.run();
    // Tick 0: one of the two writes failed, so the heartbeat is held back; tick 5 s: retried.
    const writes = t.verdictWrites.map((w) => `${w.node}@${w.seenAt}`);
    expect(writes.filter((w) => w.endsWith('@0'))).toHaveLength(1);
    expect(writes.filter((w) => w.endsWith('@5000'))).toHaveLength(1);
    expect(t.heartbeats).toEqual([5000, 35_000]);
    const stored = await t.store.loadVerdicts('az-a', ['web-lb']);
    expect(stored.map((v) => `${v.node}:${v.status}`).sort()).toEqual(['lb-1:UP', 'lb-2:UP']);
  });

  it('keeps retrying a verdict write that fails several times, with no heartbeat in between', async () => {
    const t = setup({ rise: 1 });
    for (let i = 0; i < 4; i += 1) t.store.failNext('putVerdict');
    await t.run();
    expect(t.heartbeats[0]).toBeGreaterThanOrEqual(10_000);
    const stored = await t.store.loadVerdicts('az-a', ['web-lb']);
    expect(stored).toHaveLength(2);
  });

  it('holds back the heartbeat of every group while a verdict write of any group is pending', async () => {
    const t = setup({ rise: 1 }, 0, (raw) => {
      raw.groups.push(secondGroup(raw, 'nat', 5));
    });
    // Tick 0 writes four verdicts (two per group); the one that fails belongs to one group,
    // yet the heartbeat also vouches for the other group's rows, so none is sent until the
    // retry at 5 s succeeds.
    t.healthy['nat-0'] = true;
    t.healthy['nat-1'] = true;
    t.store.failNext('putVerdict');
    await t.run();
    expect(t.verdictWrites.filter((w) => w.seenAt === 0)).toHaveLength(3);
    expect(t.verdictWrites.filter((w) => w.seenAt === 5000)).toHaveLength(1);
    expect(t.heartbeats).toEqual([5000, 35_000]);
  });

  it('tries a failed heartbeat again on the next tick', async () => {
    const t = setup();
    t.store.failNext('putHeartbeat');
    await t.run();
    expect(t.heartbeats).toEqual([5000, 35_000]);
  });
});
