import { describe, expect, it } from 'vitest';
import { childSeed, seededRng } from '../../bench/rng';
import { percentile, ratio, summarize, summarizeWeighted, weightedPercentile } from '../../bench/stats';

describe('percentile', () => {
  it('takes the smallest value with at least p % of the sample at or below it', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 95)).toBe(10);
    expect(percentile(xs, 10)).toBe(1);
    expect(percentile(xs, 11)).toBe(2);
  });

  it('never interpolates: with few values p95 and p99 are the worst one', () => {
    expect(percentile([3, 1, 2], 95)).toBe(3);
    expect(percentile([3, 1, 2], 99)).toBe(3);
  });

  it('is NaN for an empty sample', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('ignores values that are not finite', () => {
    const s = summarize([1, Number.NaN, 3, Number.POSITIVE_INFINITY, 2]);
    expect(s).toMatchObject({ n: 3, p50: 2, p95: 3, min: 1, max: 3, mean: 2 });
  });

  it('reports NaN fields for an empty sample', () => {
    const s = summarize([]);
    expect(s.n).toBe(0);
    expect(s.p95).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});

describe('ratio', () => {
  it('divides finite numbers and refuses a zero or missing divisor', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('seededRng', () => {
  it('repeats exactly from its seed and stays in [0, 1)', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('gives different streams to different labels of one seed', () => {
    expect(childSeed(1, 'a')).not.toBe(childSeed(1, 'b'));
    expect(childSeed(1, 'a')).toBe(childSeed(1, 'a'));
  });
});

describe('weightedPercentile', () => {
  it('equals the plain percentile with equal weights', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    for (const p of [10, 50, 90, 95, 99]) {
      expect(
        weightedPercentile(
          xs,
          xs.map(() => 1),
          p,
        ),
      ).toBe(percentile(xs, p));
    }
  });

  it('lets a heavy value move the percentile', () => {
    // 1 and 2 weigh 10 % together, 3 weighs 90 %.
    expect(weightedPercentile([1, 2, 3], [0.05, 0.05, 0.9], 50)).toBe(3);
    expect(weightedPercentile([1, 2, 3], [0.05, 0.05, 0.9], 10)).toBe(2);
  });

  it('ignores values without weight', () => {
    expect(summarizeWeighted([1, 100], [1, 0])).toMatchObject({ n: 1, p99: 1, mean: 1 });
  });
});
