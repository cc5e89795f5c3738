import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyOne, type ScheduledTrigger } from '../../../local/runtime/concurrency-one';

/** A function whose invocations end when the test says so. */
function fakeFunction() {
  const calls: Array<{ scheduledAt: number; trigger: ScheduledTrigger; startedAt: number }> = [];
  let running = 0;
  let maxRunning = 0;
  const finishers: Array<() => void> = [];
  const run = (scheduledAt: number, trigger: ScheduledTrigger) => {
    calls.push({ scheduledAt, trigger, startedAt: Date.now() });
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<void>((resolve) =>
      finishers.push(() => {
        running -= 1;
        resolve();
      }),
    );
  };
  return { calls, run, finishers, maxRunning: () => maxRunning };
}

describe('ConcurrencyOne (a prober schedule with reserved concurrency 1)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('throttles a tick that arrives while a loop runs, and retries it with its scheduled time', async () => {
    const fn = fakeFunction();
    const gate = new ConcurrencyOne(fn.run, { maxEventAgeMs: 60_000 });
    gate.deliver(0);
    await vi.advanceTimersByTimeAsync(60_000);
    gate.deliver(60_000); // the next minute's tick: the first loop overran
    expect(fn.calls).toHaveLength(1);
    expect(gate.throttled).toBe(1);
    await vi.advanceTimersByTimeAsync(1_500);
    fn.finishers.shift()?.(); // the overrunning loop ends at 61.5 s
    await vi.advanceTimersByTimeAsync(2_000); // retries at 61 s (still busy) and 63 s
    expect(fn.calls).toHaveLength(2);
    expect(fn.calls[1]).toMatchObject({ scheduledAt: 60_000, trigger: 'retry', startedAt: 63_000 });
    expect(fn.maxRunning()).toBe(1);
  });

  it('drops an event once it is older than the maximum event age', async () => {
    const fn = fakeFunction();
    const gate = new ConcurrencyOne(fn.run, { maxEventAgeMs: 60_000 });
    gate.deliver(0);
    gate.deliver(0);
    await vi.advanceTimersByTimeAsync(120_000); // the first loop never ends
    expect(fn.calls).toHaveLength(1);
    expect(gate.dropped).toBe(1);
    // 1 s, 2 s, 4 s, 8 s, 16 s: the retry after 32 s more would be over a minute old.
    expect(gate.throttled).toBe(6);
  });

  it('never runs two invocations at once, whatever the ticks do', async () => {
    const fn = fakeFunction();
    const gate = new ConcurrencyOne(fn.run, { maxEventAgeMs: 60_000 });
    for (let i = 0; i < 20; i += 1) {
      gate.deliver();
      gate.deliver();
      await vi.advanceTimersByTimeAsync(700);
      if (i % 3 === 0) fn.finishers.shift()?.();
    }
    expect(fn.maxRunning()).toBe(1);
  });

  it('delivers nothing once stopped', async () => {
    const fn = fakeFunction();
    let stopped = false;
    const gate = new ConcurrencyOne(fn.run, { maxEventAgeMs: 60_000, stopped: () => stopped });
    gate.deliver();
    gate.deliver();
    stopped = true;
    fn.finishers.shift()?.();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fn.calls).toHaveLength(1);
  });
});
