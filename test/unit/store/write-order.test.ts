import { describe, expect, it } from 'vitest';
import { WriteOrder, withWriteOrder } from '../../../shared/usecases/write-order';
import { MemoryStore } from '../../helpers/memory-store';
import { verdict } from '../../helpers/verdicts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('WriteOrder', () => {
  it('follows the clock, in thousandths of a millisecond', () => {
    let now = T0;
    const order = new WriteOrder(() => now);
    expect(order.next()).toBe(T0 * 1000);
    now += 5;
    expect(order.next()).toBe((T0 + 5) * 1000);
  });

  it('never repeats or goes back, even when the clock stands still or steps back', () => {
    let now = T0;
    const order = new WriteOrder(() => now);
    const first = order.next();
    expect(order.next()).toBe(first + 1);
    now -= 60_000;
    expect(order.next()).toBe(first + 2);
  });

  it('starts above every order it loaded, so a container whose clock is behind still writes', () => {
    const order = new WriteOrder(() => T0, [{ seq: (T0 + 30_000) * 1000 }, {}, { seq: 7 }]);
    expect(order.next()).toBe((T0 + 30_000) * 1000 + 1);
  });
});

describe('withWriteOrder', () => {
  it('stamps every verdict write with the next order and reports a dropped write', async () => {
    const store = new MemoryStore();
    let now = T0;
    const ordered = withWriteOrder(store, new WriteOrder(() => now));
    expect(await ordered.putVerdict({ ...verdict('az-a', 'lb-1', 'UP', T0), seq: 1 })).toBe(true);
    expect((await store.loadVerdicts('az-a', ['web-lb']))[0]?.seq).toBe(T0 * 1000);
    // A row written with a higher order (a clock ahead, elsewhere) wins over this one.
    await store.putVerdict({ ...verdict('az-a', 'lb-1', 'DOWN', T0), seq: (T0 + 60_000) * 1000 });
    now += 1_000;
    expect(await ordered.putVerdict(verdict('az-a', 'lb-1', 'UP', now))).toBe(false);
    expect((await store.readGroup('web-lb')).verdicts.map((v) => v.status)).toEqual(['DOWN']);
  });
});
