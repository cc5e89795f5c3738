import { describe, expect, it } from 'vitest';
import { PROBER_TIMEOUT_SECONDS } from '../../../infra/timing';
import {
  loopRemainingMs,
  NEXT_INVOCATION_MARGIN_MS,
  PROBE_SCHEDULE_PERIOD_MS,
  scheduledAt,
  streakCarryLimitMs,
} from '../../../shared/domain/loop-deadline';
import type { ProbeResult } from '../../../shared/domain/model';
import { silentLog } from '../../../shared/ports/log';
import { runProbeLoop } from '../../../shared/usecases/probe-loop';
import { type FakeClock, fakeClock } from '../../helpers/clock';
import { makeConfig } from '../../helpers/config';
import { MemoryStore } from '../../helpers/memory-store';

const TIMEOUT_MS = PROBER_TIMEOUT_SECONDS * 1000;
/** The probe loop's reserve for its last writes (shared/usecases/probe-loop.ts). */
const RESERVE_MS = 1_500;

describe('scheduledAt', () => {
  const invokedAt = Date.UTC(2025, 0, 1, 12, 0, 0, 400);

  it('reads the scheduled time of the schedule input', () => {
    expect(scheduledAt({ source: 'ha-arbiter.schedule', time: '2025-01-01T12:00:00Z' }, invokedAt)).toBe(
      Date.UTC(2025, 0, 1, 12, 0, 0),
    );
  });

  it('falls back to the invocation start without a readable time (an invocation by hand)', () => {
    expect(scheduledAt({}, invokedAt)).toBe(invokedAt);
    expect(scheduledAt(undefined, invokedAt)).toBe(invokedAt);
    expect(scheduledAt(null, invokedAt)).toBe(invokedAt);
    expect(scheduledAt({ time: 'soon' }, invokedAt)).toBe(invokedAt);
    expect(scheduledAt({ time: 1_735_732_800_000 }, invokedAt)).toBe(invokedAt);
  });

  it('is never later than the invocation start (clock differences)', () => {
    expect(scheduledAt({ time: '2025-01-01T12:00:01Z' }, invokedAt)).toBe(invokedAt);
  });
});

describe('loopRemainingMs', () => {
  it('counts down to the margin before the next scheduled invocation', () => {
    const clock = fakeClock();
    const tick = clock.now();
    clock.advance(300);
    const remaining = loopRemainingMs({
      scheduledAt: tick,
      now: clock.now,
      invocationRemainingMs: () => TIMEOUT_MS - 300,
    });
    expect(remaining()).toBe(PROBE_SCHEDULE_PERIOD_MS - NEXT_INVOCATION_MARGIN_MS - 300);
    clock.advance(10_000);
    expect(remaining()).toBe(PROBE_SCHEDULE_PERIOD_MS - NEXT_INVOCATION_MARGIN_MS - 10_300);
  });

  it('never gives more than the invocation has left before its timeout', () => {
    const clock = fakeClock();
    const remaining = loopRemainingMs({
      scheduledAt: clock.now(),
      now: clock.now,
      invocationRemainingMs: () => 20_000,
    });
    expect(remaining()).toBe(20_000);
  });

  it('has the timeout comfortably above the schedule period, so the schedule sets the end', () => {
    expect(TIMEOUT_MS).toBeGreaterThanOrEqual(PROBE_SCHEDULE_PERIOD_MS + 5_000);
  });
});

/** One invocation of the prober as deployed, on a fake clock; returns when its loop ended. */
async function invocation(options: {
  clock: FakeClock;
  tickAt: number;
  startedAt: number;
  timeoutMs?: number;
  probeMs: number;
  intervalSeconds: number;
  timeoutMsPerProbe: number;
}) {
  const { clock } = options;
  const config = makeConfig((raw) => {
    raw.groups[0]!.policy = {
      intervalSeconds: options.intervalSeconds,
      timeoutMs: options.timeoutMsPerProbe,
      fall: 3,
      rise: 2,
    };
  });
  if (clock.now() < options.startedAt) clock.advance(options.startedAt - clock.now());
  const started = clock.now();
  const probeStarts: number[] = [];
  const probeEnds: number[] = [];
  const summary = await runProbeLoop({
    config,
    vantage: 'az-a',
    store: new MemoryStore(),
    probe: async (): Promise<ProbeResult> => {
      const at = clock.now();
      probeStarts.push(at);
      // The worst case: every probe waits out its timeout (probes in flight together end together).
      await Promise.resolve();
      const end = at + options.probeMs;
      if (clock.now() < end) clock.advance(end - clock.now());
      probeEnds.push(end);
      return { ok: false, latencyMs: options.probeMs, at, error: 'timeout' };
    },
    now: clock.now,
    sleep: clock.sleep,
    remainingMs: loopRemainingMs({
      scheduledAt: scheduledAt({ time: new Date(options.tickAt).toISOString() }, started),
      now: clock.now,
      invocationRemainingMs: () => (options.timeoutMs ?? TIMEOUT_MS) - (clock.now() - started),
    }),
    log: silentLog,
  });
  return { summary, started, ended: clock.now(), probeStarts, probeEnds };
}

describe('the prober deadline with the probe loop', () => {
  const tick0 = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('probes until shortly before the next scheduled invocation, not the old 58 s cut-off', async () => {
    const clock = fakeClock(tick0);
    const run = await invocation({
      clock,
      tickAt: tick0,
      startedAt: tick0 + 200,
      probeMs: 1_500,
      intervalSeconds: 2,
      timeoutMsPerProbe: 1_500,
    });
    const next = tick0 + PROBE_SCHEDULE_PERIOD_MS;
    // Ticks at 0.2, 2.2, ... 56.2 s: the last one starts 3.8 s before the next invocation.
    expect(run.probeStarts.at(-1)).toBe(tick0 + 56_200);
    expect(run.ended).toBeLessThanOrEqual(next - NEXT_INVOCATION_MARGIN_MS - RESERVE_MS);
    expect(run.ended - run.started).toBeLessThan(TIMEOUT_MS - RESERVE_MS);
  });

  it('returns right after its last tick instead of sleeping until one there is no time for', async () => {
    const clock = fakeClock(tick0);
    const run = await invocation({
      clock,
      tickAt: tick0,
      startedAt: tick0,
      probeMs: 5,
      intervalSeconds: 2,
      timeoutMsPerProbe: 1_500,
    });
    // 56 s is the last slot with a tick's budget (1.5 s probes + 1.5 s reserve) left before
    // 59.75 s; the slot at 58 s has not, so the loop ends at once instead of idling (billed).
    expect(run.probeStarts.at(-1)).toBe(tick0 + 56_000);
    expect(run.ended).toBe(tick0 + 56_005);
  });

  it('ends a late-started invocation (a retry after a throttle) on its own schedule, not a minute later', async () => {
    const clock = fakeClock(tick0);
    const run = await invocation({
      clock,
      tickAt: tick0,
      startedAt: tick0 + 7_000,
      probeMs: 1_500,
      intervalSeconds: 2,
      timeoutMsPerProbe: 1_500,
    });
    expect(run.summary.ticks).toBeGreaterThan(20);
    expect(run.ended).toBeLessThanOrEqual(
      tick0 + PROBE_SCHEDULE_PERIOD_MS - NEXT_INVOCATION_MARGIN_MS - RESERVE_MS,
    );
    expect(run.ended - run.started).toBeLessThanOrEqual(TIMEOUT_MS - RESERVE_MS);
  });

  it('does not probe when the next scheduled invocation is already due (a duplicate of an old tick)', async () => {
    const clock = fakeClock(tick0);
    const run = await invocation({
      clock,
      tickAt: tick0,
      startedAt: tick0 + 59_000,
      probeMs: 1_500,
      intervalSeconds: 2,
      timeoutMsPerProbe: 1_500,
    });
    expect(run.summary.ticks).toBe(0);
    expect(run.ended).toBe(tick0 + 59_000);
  });

  it('keeps its reserve before its own timeout when that comes first', async () => {
    const clock = fakeClock(tick0);
    const run = await invocation({
      clock,
      tickAt: tick0,
      startedAt: tick0 + 300,
      timeoutMs: 30_000,
      probeMs: 1_500,
      intervalSeconds: 2,
      timeoutMsPerProbe: 1_500,
    });
    expect(run.summary.ticks).toBeGreaterThan(0);
    expect(run.ended - run.started).toBeLessThanOrEqual(30_000 - RESERVE_MS);
  });

  it('runs one schedule period from its start when invoked by hand (no scheduled time)', async () => {
    const clock = fakeClock(tick0);
    const config = makeConfig((raw) => {
      raw.groups[0]!.policy = { intervalSeconds: 1, timeoutMs: 500, fall: 3, rise: 2 };
    });
    const started = clock.now();
    await runProbeLoop({
      config,
      vantage: 'az-a',
      store: new MemoryStore(),
      probe: async () => {
        clock.advance(500);
        return { ok: true, latencyMs: 500, at: clock.now() };
      },
      now: clock.now,
      sleep: clock.sleep,
      remainingMs: loopRemainingMs({
        scheduledAt: scheduledAt({}, started),
        now: clock.now,
        invocationRemainingMs: () => TIMEOUT_MS - (clock.now() - started),
      }),
      log: silentLog,
    });
    expect(clock.now() - started).toBeGreaterThan(55_000);
    expect(clock.now() - started).toBeLessThanOrEqual(
      PROBE_SCHEDULE_PERIOD_MS - NEXT_INVOCATION_MARGIN_MS - RESERVE_MS,
    );
  });

  it('never overlaps the next invocation, minute after minute, whatever the probe interval', async () => {
    for (const [intervalSeconds, probeMs] of [
      [1, 500],
      [2, 1_500],
      [5, 2_000],
      [10, 5_000],
    ] as const) {
      const clock = fakeClock(tick0);
      let busyUntil = Number.NEGATIVE_INFINITY;
      for (let minute = 0; minute < 5; minute += 1) {
        const tickAt = tick0 + minute * PROBE_SCHEDULE_PERIOD_MS;
        // Delivery and start-up of 0 to 900 ms.
        const startedAt = tickAt + ((minute * 370) % 900);
        expect(busyUntil).toBeLessThanOrEqual(tickAt - NEXT_INVOCATION_MARGIN_MS);
        const run = await invocation({
          clock,
          tickAt,
          startedAt,
          probeMs,
          intervalSeconds,
          timeoutMsPerProbe: probeMs,
        });
        expect(run.summary.ticks).toBeGreaterThan(0);
        // Every probe of this loop ended before the next invocation was due.
        expect(Math.max(...run.probeEnds)).toBeLessThanOrEqual(tickAt + PROBE_SCHEDULE_PERIOD_MS);
        busyUntil = run.ended;
      }
    }
  });
});

describe('streakCarryLimitMs', () => {
  it('is two intervals, the end reserve, the margin and 5 s of start-up: 12.25 s at the defaults', () => {
    // Defaults: 2 s interval; end reserve = one 1.5 s probe timeout + the 1.5 s write reserve.
    expect(streakCarryLimitMs(2_000, 1_500 + RESERVE_MS)).toBe(12_250);
  });

  it('covers the longest normal changeover with one interval to spare, and never a missed minute', () => {
    for (const [intervalMs, reserveMs] of [
      [1_000, 2_000],
      [2_000, 3_000],
      [5_000, 3_500],
      [10_000, 6_000],
    ] as const) {
      // Last probe less than interval + reserve before the stop time; next first probe after
      // the margin and up to 5 s of start-up.
      const changeover = intervalMs + reserveMs + NEXT_INVOCATION_MARGIN_MS + 5_000;
      const limit = streakCarryLimitMs(intervalMs, reserveMs);
      expect(limit - changeover).toBe(intervalMs);
      expect(limit).toBeLessThan(PROBE_SCHEDULE_PERIOD_MS);
    }
  });
});
