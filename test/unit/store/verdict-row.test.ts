import { describe, expect, it } from 'vitest';
import { withStreak } from '../../../shared/adapters/dynamo/verdict-row';
import { verdict } from '../../helpers/verdicts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('withStreak', () => {
  const up = verdict('az-a', 'lb-1', 'UP', T0);

  it('adds the streak of the row to its verdict', () => {
    const streak = { ok: false, count: 2, at: T0, evidence: [{ ok: false, latencyMs: 1500, at: T0 }] };
    expect(withStreak(up, { streak })).toEqual({ ...up, streak });
  });

  it('loads a row without one, or with one that does not read as a streak, as the verdict alone', () => {
    for (const streak of [
      undefined,
      null,
      'x',
      { ok: 'no', count: 1, at: T0 },
      { ok: false, count: 0, at: T0 },
      { ok: false, count: 1.5, at: T0 },
      { ok: false, count: 1 },
    ]) {
      expect(withStreak(up, { streak })).toEqual(up);
    }
  });

  it('reads a streak without evidence as one with none', () => {
    expect(withStreak(up, { streak: { ok: true, count: 1, at: T0 } }).streak).toEqual({
      ok: true,
      count: 1,
      at: T0,
      evidence: [],
    });
  });
});
