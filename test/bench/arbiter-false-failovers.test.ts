import { describe, expect, it } from 'vitest';
import { arbiterFalseFailovers, DEFAULT_POLICY, groupUnderTest } from '../../bench/arbiter-false-failovers';
import { POLICY_DEFAULTS } from '../../shared/config/defaults';

describe('arbiterFalseFailovers', () => {
  it('measures the policy the config ships with, not a copy of it', () => {
    expect(DEFAULT_POLICY).toMatchObject({
      intervalSeconds: POLICY_DEFAULTS.intervalSeconds,
      fall: POLICY_DEFAULTS.fall,
      rise: POLICY_DEFAULTS.rise,
      quorum: POLICY_DEFAULTS.quorum,
    });
  });

  it('builds the group through the real config validation', () => {
    const g = groupUnderTest({ ...DEFAULT_POLICY, intervalSeconds: 2, fall: 3 });
    expect(g.policy).toMatchObject({ intervalSeconds: 2, fall: 3, quorum: 2 });
    expect(g.vantages).toEqual(['v1', 'v2']);
  });

  it('never fails over without probe loss', () => {
    const r = arbiterFalseFailovers(DEFAULT_POLICY, 500, 0, 1);
    expect(r.failovers).toBe(0);
    expect(r.other.downVerdicts).toBe(0);
  });

  it('never moves when every probe fails: no node is a healthy target', () => {
    const r = arbiterFalseFailovers(DEFAULT_POLICY, 60, 1, 1);
    expect(r.failovers).toBe(0);
    expect(r.other.downVerdicts).toBe(4);
  });

  it('fails over when both vantages lose enough probes at once', () => {
    const r = arbiterFalseFailovers({ ...DEFAULT_POLICY, fall: 1, rise: 1 }, 200, 0.3, 1);
    expect(r.failovers).toBeGreaterThan(0);
  });

  it('repeats exactly from its seed', () => {
    expect(arbiterFalseFailovers(DEFAULT_POLICY, 300, 0.05, 5)).toEqual(
      arbiterFalseFailovers(DEFAULT_POLICY, 300, 0.05, 5),
    );
  });
});
