import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../shared/model';
import { VerdictTracker } from '../../../shared/probe/tracker';

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
});
