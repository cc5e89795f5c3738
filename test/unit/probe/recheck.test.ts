import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupConfig, NodeConfig } from '../../../shared/config/schema';
import type { ProbeResult } from '../../../shared/domain/model';
import { silentLog } from '../../../shared/ports/log';
import { runProbeLoop } from '../../../shared/usecases/probe-loop';
import { makeConfig } from '../../helpers/config';
import { MemoryStore } from '../../helpers/memory-store';
import { verdict } from '../../helpers/verdicts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);
const INVOCATION_MS = 60_000;

/** How a node answers a probe started `at` ms into the invocation. */
type Behaviour = (at: number) => 'ok' | 'refused' | 'hang';

/**
 * One prober invocation on vitest's fake timers: probes resolve on their own timers (a hung
 * node answers only when its probe times out), so probes of one tick overlap as they do for
 * real, and the loop sleeps on setTimeout. Both nodes start UP, stored by a previous invocation.
 */
async function invocation(policy: Record<string, unknown>, behaviour: Record<string, Behaviour>) {
  vi.setSystemTime(START);
  const config = makeConfig((raw) => {
    raw.groups[0]!.policy = {
      intervalSeconds: 5,
      timeoutMs: 1000,
      recheckMs: 300,
      fall: 3,
      rise: 2,
      ...policy,
    };
    raw.arbiter = { heartbeatSeconds: 30 };
  });
  const store = new MemoryStore();
  await store.putVerdict(verdict('az-a', 'lb-1', 'UP', START - 10_000));
  await store.putVerdict(verdict('az-a', 'lb-2', 'UP', START - 10_000));
  const probes: { node: string; at: number }[] = [];
  const writes: { node: string; status: string; at: number; count: number; evidence: number[] }[] = [];
  const put = store.putVerdict.bind(store);
  store.putVerdict = async (v) => {
    const written = await put(v);
    if (v.streak === undefined)
      writes.push({
        node: v.node,
        status: v.status,
        at: Date.now() - START,
        count: v.count,
        evidence: v.evidence.map((e) => e.at - START),
      });
    return written;
  };
  const probe = (group: GroupConfig, node: NodeConfig): Promise<ProbeResult> => {
    const at = Date.now();
    probes.push({ node: node.id, at: at - START });
    const how = behaviour[node.id]?.(at - START) ?? 'ok';
    if (how === 'ok') return Promise.resolve({ ok: true, latencyMs: 1, at });
    if (how === 'refused') return Promise.resolve({ ok: false, latencyMs: 1, at, error: 'ECONNREFUSED' });
    const timeout = group.policy.timeoutMs;
    return new Promise((resolve) =>
      setTimeout(
        () => resolve({ ok: false, latencyMs: timeout, at, error: `timeout after ${timeout} ms` }),
        timeout,
      ),
    );
  };
  const done = runProbeLoop({
    config,
    vantage: 'az-a',
    store,
    probe,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    remainingMs: () => START + INVOCATION_MS - Date.now(),
    log: silentLog,
  });
  await vi.advanceTimersByTimeAsync(INVOCATION_MS);
  const summary = await done;
  const of = (node: string) => probes.filter((p) => p.node === node).map((p) => p.at);
  return { summary, probes, writes, of };
}

const failsFrom =
  (from: number, how: 'refused' | 'hang' = 'refused', until = Number.POSITIVE_INFINITY): Behaviour =>
  (at) =>
    at >= from && at < until ? how : 'ok';

const steadySlots = (from: number, to: number) =>
  Array.from({ length: (to - from) / 5000 + 1 }, (_, i) => from + i * 5000);

describe('fast rechecks', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rechecks a refusing node recheckMs after each failure until fall, then returns to the steady slots', async () => {
    const r = await invocation({}, { 'lb-1': failsFrom(20_000) });
    expect(r.of('lb-1').filter((at) => at >= 15_000 && at <= 30_000)).toEqual([
      15_000, 20_000, 20_300, 20_600, 25_000, 30_000,
    ]);
    expect(r.writes).toEqual([
      { node: 'lb-1', status: 'DOWN', at: 20_600, count: 3, evidence: [20_000, 20_300, 20_600] },
    ]);
  });

  it('counts every recheck as one probe: fall distinct probes, never fewer', async () => {
    const r = await invocation({ fall: 5 }, { 'lb-1': failsFrom(20_000) });
    const failing = r.of('lb-1').filter((at) => at >= 20_000 && at <= 21_200);
    expect(failing).toEqual([20_000, 20_300, 20_600, 20_900, 21_200]);
    expect(new Set(failing).size).toBe(failing.length);
    expect(r.writes).toHaveLength(1);
    expect(r.writes[0]).toMatchObject({ status: 'DOWN', at: 21_200, count: 5 });
  });

  it('stops rechecking as soon as the streak breaks', async () => {
    // One refused probe at 20 s; the recheck at 20.3 s answers: back to 25 s, no verdict.
    const r = await invocation({}, { 'lb-1': failsFrom(20_000, 'refused', 20_100) });
    expect(r.of('lb-1').filter((at) => at >= 20_000 && at <= 30_000)).toEqual([
      20_000, 20_300, 25_000, 30_000,
    ]);
    expect(r.writes).toEqual([]);
  });

  it('rechecks a DOWN node that answers until rise, then stops', async () => {
    const r = await invocation({}, { 'lb-1': (at) => (at < 20_000 || at >= 40_000 ? 'ok' : 'refused') });
    expect(r.of('lb-1').filter((at) => at >= 40_000 && at <= 50_000)).toEqual([
      40_000, 40_300, 45_000, 50_000,
    ]);
    expect(r.writes.map((w) => `${w.status}@${w.at}`)).toEqual(['DOWN@20600', 'UP@40300']);
  });

  it('detects a hang after one timeout per probe, each recheck starting as the last one times out', async () => {
    // Rechecks are spaced 0.3 s start to start; a 1 s timeout already waited longer, so the
    // next starts at once: 20 s, 21 s, 22 s, DOWN at 23 s.
    const r = await invocation({}, { 'lb-1': failsFrom(20_000, 'hang') });
    expect(r.of('lb-1').filter((at) => at >= 20_000 && at <= 25_000)).toEqual([
      20_000, 21_000, 22_000, 25_000,
    ]);
    expect(r.writes).toEqual([
      { node: 'lb-1', status: 'DOWN', at: 23_000, count: 3, evidence: [20_000, 21_000, 22_000] },
    ]);
  });

  it('keeps the steady slots of the other nodes on their grid while rechecks run', async () => {
    const refused = await invocation({}, { 'lb-1': failsFrom(20_000) });
    expect(refused.of('lb-2')).toEqual(steadySlots(0, 55_000));
    // A hung node's rechecks in flight may hold a slot back by at most one timeout, but the
    // slots after it stay where they were: no drift.
    const hung = await invocation({ fall: 8 }, { 'lb-1': failsFrom(20_000, 'hang') });
    const lb2 = hung.of('lb-2');
    expect(lb2).toHaveLength(12);
    lb2.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(i * 5000);
      expect(at).toBeLessThanOrEqual(i * 5000 + 1000);
    });
    expect(lb2.filter((at, i) => at === i * 5000).length).toBeGreaterThanOrEqual(8);
  });

  it('probes a node whose recheck and steady slot fall due together once, and counts it once', async () => {
    // Hung from 22 s on, each recheck starting as the last 1 s timeout ends: 25 s, 26 s, 27 s,
    // 28 s, 29 s (ends 30 s): the next recheck is due at 30 s, with the steady slot. One probe
    // at 30 s serves both; fall 7 is the recheck at 31 s, DOWN at 32 s. Were it probed (or
    // counted) twice at 30 s, DOWN would come at 31 s.
    const r = await invocation({ fall: 7, recheckMs: 250 }, { 'lb-1': failsFrom(22_000, 'hang') });
    const lb1 = r.of('lb-1').filter((at) => at >= 25_000 && at <= 35_000);
    expect(lb1).toEqual([25_000, 26_000, 27_000, 28_000, 29_000, 30_000, 31_000, 35_000]);
    expect(r.writes).toEqual([
      { node: 'lb-1', status: 'DOWN', at: 32_000, count: 7, evidence: [29_000, 30_000, 31_000] },
    ]);
  });

  it('finishes a fall started by the last steady slot when the end reserve leaves room', async () => {
    const r = await invocation({}, { 'lb-1': failsFrom(55_000) });
    const lb1 = r.of('lb-1').filter((at) => at >= 55_000);
    // 55 s, 55.3 s: fall 3 reached at 55.6 s (the end reserve is 1 s + 1.5 s).
    expect(lb1).toEqual([55_000, 55_300, 55_600]);
    expect(r.summary.streakWrites).toBe(0);
  });
});
