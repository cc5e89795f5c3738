import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/run';

describe('The randomized simulation', () => {
  it('runs 20,000 steps of faults, races and crashes without breaking an invariant', async () => {
    const summary = await simulate({ steps: 20_000, seed: 20261123 });
    expect(summary.failure?.violation).toBeUndefined();
    expect(summary.violations).toBe(0);
    expect(summary.steps).toBe(20_000);
    // The run must have exercised something: faults were injected and addresses moved.
    expect(summary.faultsInjected).toBeGreaterThan(20);
    expect(summary.failovers).toBeGreaterThan(0);
    expect(summary.invocations).toBeGreaterThan(100);
    expect(summary.notifications).toBeGreaterThan(10);
  });

  it('is deterministic: the same seed gives the same run', async () => {
    const strip = ({ wallMs: _w, stepsPerSecond: _s, ...rest }: Awaited<ReturnType<typeof simulate>>) => rest;
    const a = await simulate({ steps: 6_000, seed: 7 });
    const b = await simulate({ steps: 6_000, seed: 7 });
    expect(strip(b)).toEqual(strip(a));
  });

  it('gives a different run for a different seed', async () => {
    const a = await simulate({ steps: 6_000, seed: 7 });
    const b = await simulate({ steps: 6_000, seed: 8 });
    expect(b.faultsByKind).not.toEqual(a.faultsByKind);
  });
});
