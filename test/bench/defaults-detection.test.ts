import { describe, expect, it } from 'vitest';
import { defaultsDetection, throttledStart } from '../../bench/defaults-detection';

describe('defaultsDetection', () => {
  it('continues a fall in progress at the end of a loop in the next one: close to interval + fall x timeout', async () => {
    // At 5 s the loop's last tick (55 s) and the next loop's first (60 s) are one interval apart:
    // with the streak carried over the changeover, no failure waits for a restarted fall.
    const d = await defaultsDetection(
      { intervalSeconds: 5, timeoutMs: 2_000, recheckMs: 300, fall: 2 },
      60,
      1,
    );
    expect(d.boundMs).toBe(9_000);
    // A refused probe fails at once: the wait for the next probe and one recheck.
    expect(d.crash.max).toBeLessThanOrEqual(5_000 + 300 + 400);
    expect(d.crash.p50).toBeLessThanOrEqual(d.boundMs);
    // A hang met by the end of a loop loses one steady slot at most to the changeover.
    expect(d.hang.max).toBeLessThanOrEqual(d.boundMs + 5_000);
    expect(d.laterThanBoundShare).toBeLessThan(0.1);
  });

  it('pauses probing only for the changeover between invocations at the 2 s / fall 3 defaults', async () => {
    const d = await defaultsDetection(
      { intervalSeconds: 2, timeoutMs: 800, recheckMs: 300, fall: 3 },
      200,
      5,
    );
    expect(d.boundMs).toBe(4_400);
    // One probe slot lost at the changeover, at most: the fall in progress continues in the
    // next loop instead of restarting, and no failure waits for a loop a whole minute later.
    expect(d.crash.max).toBeLessThan(d.boundMs + 2_500);
    expect(d.hang.max).toBeLessThan(d.boundMs + 2_500);
    expect(d.laterThanBoundShare).toBeGreaterThan(0);
    expect(d.laterThanBoundShare).toBeLessThan(0.11);
  });

  it('repeats exactly from its seed', async () => {
    const policy = { intervalSeconds: 1, timeoutMs: 500, recheckMs: 300, fall: 2 };
    expect(await defaultsDetection(policy, 10, 3)).toEqual(await defaultsDetection(policy, 10, 3));
  });
});

describe('throttledStart', () => {
  const tick = 1_000_000;

  it('starts on arrival when the previous loop has ended', () => {
    expect(throttledStart(tick, tick + 200, tick - 1_000)).toBe(tick + 200);
  });

  it('retries a throttled invocation 1 s after the first attempt, then with doubling intervals', () => {
    expect(throttledStart(tick, tick + 200, tick + 500)).toBe(tick + 1_200);
    expect(throttledStart(tick, tick + 200, tick + 1_500)).toBe(tick + 3_200);
    expect(throttledStart(tick, tick + 200, tick + 3_300)).toBe(tick + 7_200);
  });

  it('drops an event older than the maximum event age', () => {
    expect(throttledStart(tick, tick + 200, tick + 40_000)).toBeUndefined();
  });
});
