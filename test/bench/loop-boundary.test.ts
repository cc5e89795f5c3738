import { describe, expect, it } from 'vitest';
import { inBoundary, loopBoundary, phaseOf, stratumWeights } from '../../bench/live/loop-boundary';

describe('loopBoundary', () => {
  it('starts one detection span before the loop stops and lasts until the next loop runs', () => {
    const b = loopBoundary(56_000, 2_500, 500);
    expect(b).toEqual({ startPhaseMs: 53_500, lengthMs: 7_000, periodMs: 60_000 });
  });

  it('wraps around the minute', () => {
    const b = loopBoundary(56_000, 2_500, 500);
    expect(inBoundary(53_400, b)).toBe(false);
    expect(inBoundary(55_000, b)).toBe(true);
    expect(inBoundary(100, b)).toBe(true);
    expect(inBoundary(600, b)).toBe(false);
  });
});

describe('phaseOf', () => {
  it('is the time since the last tick, also before the origin', () => {
    expect(phaseOf(61_000, 0)).toBe(1_000);
    expect(phaseOf(-1_000, 0)).toBe(59_000);
  });
});

describe('stratumWeights', () => {
  it('gives the window trials the window’s share of the minute', () => {
    const w = stratumWeights([false, false, false, true], 0.1);
    expect(w[3]).toBeCloseTo(0.1, 9);
    expect((w[0] ?? 0) * 3).toBeCloseTo(0.9, 9);
  });

  it('weights equally when no trial is in the window', () => {
    expect(stratumWeights([false, false], 0.1)).toEqual([0.5, 0.5]);
  });
});
