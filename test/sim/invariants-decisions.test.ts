import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '../../shared/domain/decide';
import { runEpisode } from '../../sim/episode';
import type { Episode } from '../../sim/world';

/*
 * The decision-side invariants, proven to fire: the real decide() is wrapped and its output
 * corrupted the way a bug would, and the simulator must report it.
 */
const corrupt = vi.hoisted(() => ({ with: undefined as ((d: Decision) => Decision) | undefined }));

vi.mock('../../shared/domain/decide', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/domain/decide')>();
  return {
    ...real,
    decide: (...args: Parameters<typeof real.decide>) => {
      const decision = real.decide(...args);
      return corrupt.with ? corrupt.with(decision) : decision;
    },
  };
});

const crash = (node: number, at: number) => ({ kind: 'node-crash' as const, at, node, forMs: null });
const base = { seed: 1, arbiters: 2, skewsMs: [0, 0, 0], faultMs: 150_000 };

async function firstViolation(episode: Episode) {
  return (await runEpisode(episode)).violations[0]?.invariant;
}

describe('The invariants catch a wrong decision', () => {
  afterEach(() => {
    corrupt.with = undefined;
  });

  it('reports a failover to a node the quorum saw DOWN', async () => {
    // n3 is dead; when n1 fails, the corrupted decision sends the address to n3 instead of n2.
    corrupt.with = (d) =>
      d.action.kind === 'failover' && d.action.to === 'n2' ? { ...d, action: { ...d.action, to: 'n3' } } : d;
    const episode: Episode = { ...base, variant: 0, faults: [crash(2, 0), crash(0, 40_000)] };
    expect(await firstViolation(episode)).toBe('move-only-to-quorum-healthy-node');
  });

  it('reports a second failover inside the cooldown when the cooldown is ignored', async () => {
    corrupt.with = (d) => {
      if (d.action.kind !== 'failover' || d.action.hold !== 'cooldown') return d;
      const { hold: _ignored, ...action } = d.action;
      return { ...d, action };
    };
    const episode: Episode = { ...base, variant: 0, faults: [crash(0, 10_000), crash(1, 30_000)] };
    expect(await firstViolation(episode)).toBe('one-failover-per-cooldown');
  });

  it('reports a move made in observe mode', async () => {
    corrupt.with = (d) => {
      if (d.action.kind !== 'failover' || d.action.hold !== 'observe') return d;
      const { hold: _ignored, ...action } = d.action;
      return { ...d, action };
    };
    const episode: Episode = { ...base, variant: 6, faults: [crash(0, 10_000)] };
    expect(await firstViolation(episode)).toBe('observe-mode-never-mutates');
  });

  it('reports no convergence when a failover is never made', async () => {
    corrupt.with = (d) =>
      d.action.kind === 'failover' ? { ...d, action: { kind: 'stay', reason: 'broken' } } : d;
    const episode: Episode = { ...base, variant: 0, faults: [crash(0, 10_000)] };
    expect(await firstViolation(episode)).toBe('converges-to-healthy-holder');
  });
});
