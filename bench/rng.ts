import type { Rng } from '../local/cloud/util/rng';

/**
 * A seeded random source in [0, 1) (mulberry32): every simulated run repeats exactly from its
 * seed. The same generator the local cloud draws its faults and ids from.
 */
export { type Rng, seededRng } from '../local/cloud/util/rng';

/** A uniform draw in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** A child seed, so independent parts of a run draw from independent streams. */
export function childSeed(seed: number, label: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
