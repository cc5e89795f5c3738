/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Deterministic PRNG (mulberry32). Seeding makes fault draws and generated ids
 * reproducible between runs, which a benchmark or a flaky-test hunt needs.
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed when the caller did not ask for reproducibility. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
