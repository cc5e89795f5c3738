import { describe, expect, it } from 'vitest';
import type { ProbeResult, Streak, Verdict } from '../../../shared/domain/model';
import { sameStreak, VerdictTracker } from '../../../shared/domain/verdict-tracker';

let t = 0;
/** The next probe time: each result is one second after the previous one. */
const next = () => {
  t += 1000;
  return t;
};
const ok = (): ProbeResult => ({ ok: true, latencyMs: 3, at: next() });
const fail = (): ProbeResult => ({ ok: false, latencyMs: 2000, at: next(), error: 'timeout after 2000 ms' });

function feed(tracker: VerdictTracker, results: ProbeResult[]): (string | undefined)[] {
  return results.map((r) => tracker.observe(r)?.status);
}

describe('VerdictTracker', () => {
  it('has no verdict until rise successes or fall failures in a row', () => {
    const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2);
    expect(feed(tracker, [ok()])).toEqual([undefined]);
    expect(tracker.current(t)).toBeUndefined();
    expect(feed(tracker, [ok()])).toEqual(['UP']);
  });

  it('says DOWN after exactly `fall` consecutive failures, once', () => {
    const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2);
    feed(tracker, [ok(), ok()]);
    expect(feed(tracker, [fail(), fail(), fail(), fail()])).toEqual([
      undefined,
      undefined,
      'DOWN',
      undefined,
    ]);
  });

  it('restarts the failure count after a success', () => {
    const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 2, 2);
    feed(tracker, [ok(), ok()]);
    expect(feed(tracker, [fail(), ok(), fail(), ok(), fail()])).toEqual(Array(5).fill(undefined));
    expect(tracker.consecutiveFailures).toBe(1);
  });

  it('says UP again after exactly `rise` consecutive successes', () => {
    const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 1, 3);
    feed(tracker, [fail()]);
    expect(feed(tracker, [ok(), ok(), fail(), ok(), ok(), ok()])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'UP',
    ]);
  });

  it('carries the change time, the count and the last three results as evidence', () => {
    const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 2, 2);
    const results = [ok(), ok(), fail(), fail()];
    const changes = results.map((r) => tracker.observe(r));
    expect(changes[3]).toEqual({
      group: 'web-lb',
      vantage: 'az-a',
      node: 'lb-1',
      status: 'DOWN',
      since: results[3]!.at,
      seenAt: results[3]!.at,
      count: 2,
      evidence: results.slice(1),
    });
  });

  it('continues from a stored verdict: no new verdict until the opposite threshold is reached', () => {
    const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 2, 2, {
      group: 'web-lb',
      vantage: 'az-a',
      node: 'lb-1',
      status: 'DOWN',
      since: 500,
      seenAt: 600,
      count: 2,
      evidence: [],
    });
    expect(tracker.current(700)).toMatchObject({ status: 'DOWN', since: 500, seenAt: 700 });
    expect(feed(tracker, [fail(), fail(), ok(), ok()])).toEqual([undefined, undefined, undefined, 'UP']);
  });

  describe('a streak carried from the previous invocation', () => {
    const LIMIT = 12_250;
    const stored = (status: 'UP' | 'DOWN', streak?: Streak): Verdict => ({
      group: 'web-lb',
      vantage: 'az-a',
      node: 'lb-1',
      status,
      since: 500,
      seenAt: 600,
      count: 2,
      evidence: [{ ok: status === 'UP', latencyMs: 3, at: 400 }],
      ...(streak ? { streak } : {}),
    });
    const failAt = (at: number): ProbeResult => ({
      ok: false,
      latencyMs: 1500,
      at,
      error: 'timeout after 1500 ms',
    });
    const okAt = (at: number): ProbeResult => ({ ok: true, latencyMs: 3, at });
    const failing: Streak = { ok: false, count: 2, at: 58_000, evidence: [failAt(56_000), failAt(58_000)] };

    it('completes the fall with the next failure when the first probe comes within the limit', () => {
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP', failing), LIMIT);
      const down = tracker.observe(failAt(62_000));
      expect(down).toMatchObject({ status: 'DOWN', since: 62_000, count: 3 });
      // The evidence is the whole fall, across the changeover.
      expect(down?.evidence).toEqual([failAt(56_000), failAt(58_000), failAt(62_000)]);
    });

    it('continues up to exactly the limit after the last probe of the streak, not a millisecond more', () => {
      const at = failing.at + LIMIT;
      const within = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP', failing), LIMIT);
      expect(within.observe(failAt(at))?.status).toBe('DOWN');
      const late = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP', failing), LIMIT);
      expect(late.observe(failAt(at + 1))).toBeUndefined();
      expect(late.streak()).toMatchObject({ ok: false, count: 1, at: at + 1 });
    });

    it('drops a streak whose last probe is older than the limit: the fall starts from zero', () => {
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP', failing), LIMIT);
      const t0 = failing.at + 60_000;
      expect([failAt(t0), failAt(t0 + 2000)].map((r) => tracker.observe(r))).toEqual([undefined, undefined]);
      expect(tracker.observe(failAt(t0 + 4000))?.status).toBe('DOWN');
    });

    it('ends a carried streak with an opposite result, as inside one invocation', () => {
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP', failing), LIMIT);
      expect(tracker.observe(okAt(62_000))).toBeUndefined();
      expect(tracker.streak()).toBeUndefined();
      expect(tracker.observe(failAt(64_000))).toBeUndefined();
      expect(tracker.observe(failAt(66_000))).toBeUndefined();
    });

    it('completes a rise toward UP the same way', () => {
      const rising: Streak = { ok: true, count: 1, at: 58_000, evidence: [okAt(58_000)] };
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('DOWN', rising), LIMIT);
      expect(tracker.observe(okAt(62_000))).toMatchObject({ status: 'UP', since: 62_000, count: 2 });
    });

    it('ignores a streak that does not count against the stored status, or carries no limit', () => {
      const againstDown = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('DOWN', failing), LIMIT);
      expect(againstDown.observe(okAt(62_000))).toBeUndefined();
      expect(againstDown.observe(okAt(64_000))?.status).toBe('UP');
      const noLimit = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP', failing));
      expect(noLimit.observe(failAt(62_000))).toBeUndefined();
    });

    it('loads a verdict without a streak as before', () => {
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, stored('UP'), LIMIT);
      expect(tracker.streak()).toBeUndefined();
      expect([failAt(1000), failAt(3000), failAt(5000)].map((r) => tracker.observe(r)?.status)).toEqual([
        undefined,
        undefined,
        'DOWN',
      ]);
    });
  });

  describe('streak()', () => {
    it('is the run against the current verdict, with its latest results', () => {
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2);
      feed(tracker, [ok(), ok()]);
      expect(tracker.streak()).toBeUndefined();
      const [f1, f2] = [fail(), fail()];
      feed(tracker, [f1!, f2!]);
      expect(tracker.streak()).toEqual({ ok: false, count: 2, at: f2!.at, evidence: [f1, f2] });
      feed(tracker, [fail()]);
      // DOWN now: failures no longer make a streak against it.
      expect(tracker.streak()).toBeUndefined();
      const up = ok();
      feed(tracker, [up]);
      expect(tracker.streak()).toEqual({ ok: true, count: 1, at: up.at, evidence: [up] });
    });

    it('is undefined without a verdict to count against', () => {
      const tracker = new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2);
      feed(tracker, [ok()]);
      expect(tracker.streak()).toBeUndefined();
    });

    it('is the carried streak, as it was, until the first result', () => {
      const streak: Streak = { ok: false, count: 1, at: 5, evidence: [] };
      const previous: Verdict = {
        group: 'web-lb',
        vantage: 'az-a',
        node: 'lb-1',
        status: 'UP',
        since: 1,
        seenAt: 2,
        count: 2,
        evidence: [],
        streak,
      };
      expect(new VerdictTracker('web-lb', 'az-a', 'lb-1', 3, 2, previous, 10_000).streak()).toBe(streak);
    });
  });

  it('sameStreak compares kind, length and last probe', () => {
    const a: Streak = { ok: false, count: 2, at: 10, evidence: [] };
    expect(sameStreak(a, { ...a, evidence: [{ ok: false, latencyMs: 1, at: 10 }] })).toBe(true);
    expect(sameStreak(a, { ...a, count: 3 })).toBe(false);
    expect(sameStreak(a, { ...a, at: 11 })).toBe(false);
    expect(sameStreak(a, { ...a, ok: true })).toBe(false);
    expect(sameStreak(a, undefined)).toBe(false);
    expect(sameStreak(undefined, undefined)).toBe(true);
  });
});
