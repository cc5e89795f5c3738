import { describe, expect, it } from 'vitest';
import { runEpisode } from '../../sim/episode';
import type { Episode } from '../../sim/world';

/*
 * One arbiter's clock 15 s ahead with the 10 s lease: by its clock every lease it reads has
 * expired. The other arbiter fails over, slowed (stalls at every step of the move, slow EC2),
 * extending the lease before each mutating call; the fast one, woken by the same duplicated
 * events, is refused the lease until it has watched the record unchanged for a lease.
 * (A clock offset beyond the event age limit, 30 s, would make that arbiter drop every event
 * and never try: so the short-lease variant.) This is a scenario check: these episodes did not
 * break an invariant under the clock rule either; the unit tests (lease-guard.test.ts) show
 * the race itself.
 */
const crash = (node: number, at: number) => ({ kind: 'node-crash' as const, at, node, forMs: null });
const STALLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const episodes: Episode[] = STALLS.map((skip) => ({
  seed: 7,
  variant: 4,
  arbiters: 2,
  skewsMs: [0, 0, 0],
  faultMs: 150_000,
  faults: [
    { kind: 'clock-offset', at: 0, arbiter: 1, offsetMs: 15_000 },
    { kind: 'event-dup', at: 0, rate: 1, forMs: 120_000 },
    { kind: 'stall', at: 0, arbiter: 0, ms: 4_000, duringMove: true, skip },
    { kind: 'stall', at: 0, arbiter: 1, ms: 4_000, duringMove: true, skip },
    { kind: 'ec2-latency', at: 0, extraMs: 3_000, forMs: 120_000 },
    crash(0, 10_000),
  ],
}));

describe('An arbiter whose clock runs beyond the lease ahead', () => {
  it('never takes a lease its holder is still extending, and every invariant holds', async () => {
    for (const episode of episodes) {
      const result = await runEpisode(episode);
      expect(result.violations).toEqual([]);
      expect(result.stats.outcomes['lease-held']).toBeGreaterThan(0);
    }
  });
});
