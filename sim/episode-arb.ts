import fc from 'fast-check';
import type { Fault } from './faults';
import { VARIANTS } from './topology';
import type { Episode } from './world';

const at = fc.integer({ min: 0, max: 600_000 });
const node = fc.nat({ max: 2 });
const vantage = fc.nat({ max: 2 });
const window = fc.integer({ min: 5_000, max: 240_000 });
const rate = fc.double({ min: 0.05, max: 1, noNaN: true }).map((r) => Math.round(r * 100) / 100);

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  // Node failures drive failovers, so they come often; the rest hits the failover path.
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('node-crash', 'node-hang', 'instance-stop', 'instance-impaired'),
      at,
      node,
      forMs: fc.option(window, { nil: null, freq: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('node-flap'),
      at,
      node,
      forMs: window,
      periodMs: fc.integer({ min: 2_000, max: 30_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('probe-loss'), at, vantage, rate, forMs: window }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('vantage-partition', 'vantage-store-down'),
      at,
      vantage,
      forMs: window,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('ec2-throttle', 'ec2-5xx', 'store-errors'),
      at,
      rate,
      forMs: window,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('ec2-latency', 'store-latency'),
      at,
      extraMs: fc.integer({ min: 100, max: 20_000 }),
      forMs: window,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('stall'),
      at,
      arbiter: fc.nat({ max: 2 }),
      ms: fc.integer({ min: 1_000, max: 120_000 }),
      duringMove: fc.boolean(),
      skip: fc.nat({ max: 12 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('arbiter-crash'),
      at,
      afterOps: fc.integer({ min: 1, max: 40 }),
      onLease: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('event-dup'), at, rate, forMs: window }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('event-late'),
      at,
      delayMs: fc.integer({ min: 1_000, max: 120_000 }),
      forMs: window,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('manual-failover'),
      at,
      node,
      force: fc.boolean(),
      onLease: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hand-move'), at, node }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clock-offset'),
      at,
      arbiter: fc.nat({ max: 2 }),
      offsetMs: fc.integer({ min: -60_000, max: 60_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('control'),
      at,
      action: fc.constantFrom('ban', 'unban', 'pause', 'resume', 'reset'),
      node,
      minutes: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
    }),
  },
) as fc.Arbitrary<Fault>;

/** A random episode: a variant, a seed, 2-3 skewed arbiters, a fault phase and its faults. */
export const episodeArb: fc.Arbitrary<Episode> = fc.record({
  variant: fc.nat({ max: VARIANTS.length - 1 }),
  seed: fc.nat(),
  arbiters: fc.integer({ min: 2, max: 3 }),
  skewsMs: fc.array(fc.integer({ min: -2_000, max: 2_000 }), { minLength: 3, maxLength: 3 }),
  faultMs: fc.integer({ min: 120_000, max: 600_000 }),
  faults: fc.array(faultArb, { maxLength: 40, size: 'max' }),
});

/** The episode fast-check generates first for this seed (the same as fc.assert's first run). */
export function episodeFor(seed: number): Episode {
  const [episode] = fc.sample(episodeArb, { seed, numRuns: 1 });
  if (!episode) throw new Error(`no episode for seed ${seed}`);
  return episode;
}
