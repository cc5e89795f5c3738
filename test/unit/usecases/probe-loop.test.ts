import { describe, expect, it } from 'vitest';
import type { GroupConfig, NodeConfig } from '../../../shared/config/schema';
import { decide } from '../../../shared/domain/decide';
import type { ProbeResult, Signals } from '../../../shared/domain/model';
import { silentLog } from '../../../shared/ports/log';
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
    raw.groups[0]!.policy = {
      intervalSeconds: 5,
      timeoutMs: 2000,
      recheckMs: 300,
      fall: 2,
      rise: 2,
      ...policy,
    };
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
    const written = await putHeartbeat(vantage, at);
    heartbeats.push(at - start);
    return written;
  };
  const verdictWrites: { node: string; status: string; seenAt: number }[] = [];
  const putVerdict = store.putVerdict.bind(store);
  store.putVerdict = async (v) => {
    const written = await putVerdict(v);
    verdictWrites.push({ node: v.node, status: v.status, seenAt: v.seenAt - start });
    return written;
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
    get onProbe() {
      return onProbe;
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
    // The first verdict takes rise steady probes (no verdict to recheck against yet); each
    // change after it is confirmed by a recheck 300 ms after the probe that started the streak.
    expect(t.verdictWrites.filter((w) => w.node === 'lb-1')).toEqual([
      { node: 'lb-1', status: 'UP', seenAt: 5000 },
      { node: 'lb-1', status: 'DOWN', seenAt: 20_300 },
      { node: 'lb-1', status: 'UP', seenAt: 40_300 },
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
      { node: 'lb-1', status: 'UP', seenAt: 300 },
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

  describe('a streak in progress at the end of the loop', () => {
    /**
     * Two nodes UP, stored by the previous invocation; lb-1 fails from `failFrom` ms on. The
     * rechecks come 1 s apart, so a fall started by the last steady probe (55 s) has room for
     * one recheck (56 s) before the loop keeps its end reserve (timeout 2 s + 1.5 s).
     */
    async function failing(failFrom: number, policy: Record<string, unknown> = { fall: 3, recheckMs: 1000 }) {
      const t = setup(policy);
      await t.store.putVerdict(verdict('az-a', 'lb-1', 'UP', t.start - 10_000));
      await t.store.putVerdict(verdict('az-a', 'lb-2', 'UP', t.start - 10_000));
      t.verdictWrites.length = 0;
      t.setOnProbe((at) => {
        t.healthy['lb-1'] = at < failFrom;
      });
      return t;
    }

    it('is left on the verdict row, verdict unchanged, and completes the fall in the next invocation', async () => {
      // Ticks at 0, 5, ..., 55 s: lb-1 fails at 55 s and at its recheck at 56 s, two of fall 3,
      // when the loop ends.
      const t = await failing(55_000);
      const before = (await t.store.loadVerdicts('az-a', ['web-lb'])).find((v) => v.node === 'lb-1')!;
      const first = await t.run();
      expect(first.streakWrites).toBe(1);
      expect(t.verdictWrites).toEqual([{ node: 'lb-1', status: 'UP', seenAt: -10_000 }]);
      const row = (await t.store.loadVerdicts('az-a', ['web-lb'])).find((v) => v.node === 'lb-1')!;
      // The verdict as stored; only the streak and the write's order (seq) are new.
      const { streak, seq, ...verdictPart } = row;
      expect(verdictPart).toEqual(before);
      expect(seq).toBe((t.start + 56_000) * 1000);
      expect(streak).toMatchObject({ ok: false, count: 2, at: t.start + 56_000 });
      expect(streak?.evidence.map((e) => e.ok)).toEqual([false, false]);
      // The arbiter reads the same verdict as before (raised to the last heartbeat), and no streak.
      const { verdicts } = await t.store.readGroup('web-lb');
      expect(verdicts.find((v) => v.vantage === 'az-a' && v.node === 'lb-1')).toEqual({
        ...before,
        seenAt: t.start + 30_000,
      });
      expect(verdicts.every((v) => v.streak === undefined)).toBe(true);

      // The next invocation, 60 s after the first: its first probe is the third failure.
      t.verdictWrites.length = 0;
      t.clock.advance(t.start + 60_000 - t.clock.now());
      const second = await runFrom(t, t.start + 60_000);
      expect(t.verdictWrites).toEqual([{ node: 'lb-1', status: 'DOWN', seenAt: 60_000 }]);
      expect(second.streakWrites).toBe(0);
      const down = (await t.store.loadVerdicts('az-a', ['web-lb'])).find((v) => v.node === 'lb-1')!;
      expect(down).toMatchObject({ status: 'DOWN', since: t.start + 60_000, count: 3 });
      expect(down.streak).toBeUndefined();
      expect(down.evidence.map((e) => e.at - t.start)).toEqual([55_000, 56_000, 60_000]);
    });

    it('is dropped when the next invocation probes too long after it: the fall starts from zero', async () => {
      const t = await failing(55_000);
      await t.run();
      // The next minute's invocation was lost: the one after starts 120 s in.
      t.verdictWrites.length = 0;
      t.clock.advance(t.start + 120_000 - t.clock.now());
      await runFrom(t, t.start + 120_000);
      // DOWN only after three failures of its own (120 s and its rechecks at 121 and 122 s),
      // not at the first.
      expect(t.verdictWrites.filter((w) => w.status === 'DOWN')).toEqual([
        { node: 'lb-1', status: 'DOWN', seenAt: 122_000 },
      ]);
    });

    it('is cleared from the row when it ended, so that no later invocation can continue it', async () => {
      const t = await failing(55_000);
      await t.run();
      // lb-1 answers again in the next invocation: the streak ends at its first probe.
      t.setOnProbe(() => {
        t.healthy['lb-1'] = true;
      });
      t.verdictWrites.length = 0;
      t.clock.advance(t.start + 60_000 - t.clock.now());
      const second = await runFrom(t, t.start + 60_000);
      expect(second.streakWrites).toBe(1);
      expect(t.verdictWrites).toEqual([{ node: 'lb-1', status: 'UP', seenAt: -10_000 }]);
      const row = (await t.store.loadVerdicts('az-a', ['web-lb'])).find((v) => v.node === 'lb-1')!;
      expect(row.streak).toBeUndefined();
    });

    it('writes nothing at the end of a loop with no streak in progress', async () => {
      const t = await failing(Number.POSITIVE_INFINITY);
      const summary = await t.run();
      expect(summary.streakWrites).toBe(0);
      expect(t.verdictWrites).toEqual([]);
    });

    it('is not written over a verdict change whose write is still pending', async () => {
      // lb-1 goes DOWN at 56 s (fall 2: 55 s and its recheck) and that write fails: the row still says
      // UP, which the failures no longer count against once the tracker holds DOWN.
      const t = await failing(55_000, { fall: 2, recheckMs: 1000 });
      const put = t.store.putVerdict.bind(t.store);
      t.store.putVerdict = async (v) => {
        if (v.status === 'DOWN') throw new Error('injected');
        return put(v);
      };
      const summary = await t.run();
      expect(summary.streakWrites).toBe(0);
      const row = (await t.store.loadVerdicts('az-a', ['web-lb'])).find((v) => v.node === 'lb-1')!;
      expect(row).toMatchObject({ status: 'UP' });
      expect(row.streak).toBeUndefined();
    });

    it('keeps the arbiter decision what it was without the streak', async () => {
      const t = await failing(55_000);
      await t.store.putVerdict(verdict('az-c', 'lb-1', 'UP', t.start - 10_000));
      await t.store.putVerdict(verdict('az-c', 'lb-2', 'UP', t.start - 10_000));
      await t.store.putHeartbeat('az-c', t.start + 55_000);
      const decideNow = async () => {
        const { state, verdicts } = await t.store.readGroup('web-lb');
        const group = t.config.groups[0]!;
        const signals: Signals = {
          instances: Object.fromEntries(
            group.nodes.map((n) => [n.id, { instanceId: n.instanceId, state: 'running', impaired: false }]),
          ),
          holdings: [{ resource: 'elastic-ip eipalloc-01', node: 'lb-1', detail: '' }],
        };
        return decide(group, state, verdicts, signals, t.clock.now());
      };
      await t.run();
      const withStreak = await decideNow();
      // The same rows without the streak.
      const rows = await t.store.loadVerdicts('az-a', ['web-lb']);
      for (const { streak: _streak, ...v } of rows) await t.store.putVerdict(v);
      expect(await decideNow()).toEqual(withStreak);
    });
  });
});

/** Another invocation of the loop of `t`, due at `at`, for the usual 60 s. */
function runFrom(t: ReturnType<typeof setup>, at: number) {
  return runProbeLoop({
    config: t.config,
    vantage: 'az-a',
    store: t.store,
    probe: async (_group, node) => {
      const now = t.clock.now();
      t.probes.push({ node: node.id, at: now - t.start });
      t.onProbe?.(now - t.start);
      return t.healthy[node.id]
        ? { ok: true, latencyMs: 0, at: now }
        : { ok: false, latencyMs: 2000, at: now, error: 'timeout after 2000 ms' };
    },
    now: t.clock.now,
    sleep: t.clock.sleep,
    remainingMs: () => at + INVOCATION_MS - t.clock.now(),
    log: silentLog,
  });
}

describe('runProbeLoop write order', () => {
  it('stamps each verdict write with a rising seq, above every row it loaded', async () => {
    const t = setup();
    // A row written by an earlier container whose clock was 10 min ahead.
    const ahead = (t.start + 600_000) * 1000;
    await t.store.putVerdict({ ...verdict('az-a', 'lb-1', 'UP', t.start - 60_000), seq: ahead });
    t.setOnProbe((at) => {
      t.healthy['lb-1'] = at < 20_000;
    });
    await t.run();
    const [row] = (await t.store.loadVerdicts('az-a', ['web-lb'])).filter((v) => v.node === 'lb-1');
    expect(row?.status).toBe('DOWN');
    const [other] = (await t.store.loadVerdicts('az-a', ['web-lb'])).filter((v) => v.node === 'lb-2');
    // lb-2 UP at 5 s, then lb-1 DOWN at 25 s: one order for all the vantage's rows.
    expect([other?.seq, row?.seq]).toEqual([ahead + 1, ahead + 2]);
  });

  it('drops a verdict write that a newer one superseded, without an error, and keeps its heartbeats', async () => {
    const t = setup();
    const put = t.store.putVerdict.bind(t.store);
    t.store.putVerdict = async (v) => {
      // A newer write of the same row lands first (as from a container with a clock ahead).
      if (v.node === 'lb-1') await put({ ...v, status: 'DOWN', seq: (v.seq ?? 0) + 1_000 });
      return put(v);
    };
    const summary = await t.run();
    expect(summary.verdictWrites).toBe(1);
    expect((await t.store.readGroup('web-lb')).verdicts.map((v) => `${v.node} ${v.status}`)).toEqual([
      'lb-1 DOWN',
      'lb-2 UP',
    ]);
    expect(t.heartbeats).toEqual([0, 30_000]);
  });
});
