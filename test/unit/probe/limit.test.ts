import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../shared/usecases/map-limit';

/** A task the test finishes by hand, so the number in flight can be read at any moment. */
function gatedTasks() {
  let inFlight = 0;
  let maxInFlight = 0;
  const waiting: (() => void)[] = [];
  const fn = (n: number) =>
    new Promise<number>((resolve) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      waiting.push(() => {
        inFlight -= 1;
        resolve(n * 10);
      });
    });
  return {
    fn,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    /** Finishes the oldest running task (or the newest with `last`). */
    finish: (last = false) => (last ? waiting.pop() : waiting.shift())?.(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapLimit', () => {
  it('never has more than `limit` calls in flight and keeps the input order', async () => {
    const gate = gatedTasks();
    const done = mapLimit([1, 2, 3, 4, 5, 6, 7], 3, gate.fn);
    await tick();
    expect(gate.inFlight()).toBe(3);
    // Finish out of order: results must still come back in input order.
    while (gate.inFlight() > 0) {
      gate.finish(true);
      await tick();
      expect(gate.inFlight()).toBeLessThanOrEqual(3);
    }
    expect(await done).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(gate.maxInFlight()).toBe(3);
  });

  it('runs everything at once when the limit exceeds the item count', async () => {
    const gate = gatedTasks();
    const done = mapLimit([1, 2], 64, gate.fn);
    await tick();
    expect(gate.inFlight()).toBe(2);
    gate.finish();
    gate.finish();
    expect(await done).toEqual([10, 20]);
  });

  it('returns an empty list for no items', async () => {
    expect(await mapLimit([], 4, async (x: number) => x)).toEqual([]);
  });
});
