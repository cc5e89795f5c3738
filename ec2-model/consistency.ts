import type { Rng } from '../local/cloud/util/rng';
import type { Ec2State } from './state';

/**
 * How far behind the latest state a Describe call may answer (EC2's eventual
 * consistency). A number is a fixed lag in milliseconds (`0`: every Describe
 * sees the latest state at once); `{ minMs, maxMs }` draws each call's lag
 * uniformly from that range with the model's seeded RNG.
 */
export type DescribeLag = number | { readonly minMs?: number; readonly maxMs: number };

/** Checks a lag setting, naming the bad value. */
export function checkLag(lag: DescribeLag): void {
  const { minMs, maxMs } = typeof lag === 'number' ? { minMs: lag, maxMs: lag } : lag;
  const min = minMs ?? 0;
  if (!Number.isFinite(min) || !Number.isFinite(maxMs) || min < 0 || maxMs < min) {
    throw new Error(`describeLag must be ms >= 0 or { minMs <= maxMs }, got ${JSON.stringify(lag)}`);
  }
}

/** The longest lag a setting can draw. */
export function maxLagOf(lag: DescribeLag): number {
  return typeof lag === 'number' ? lag : lag.maxMs;
}

/** Draws one call's lag. */
export function drawLag(lag: DescribeLag, rng: Rng): number {
  if (typeof lag === 'number') return lag;
  const min = lag.minMs ?? 0;
  return min + Math.floor(rng() * (lag.maxMs - min + 1));
}

interface Version {
  /** When this version became the latest. */
  readonly at: number;
  readonly state: Ec2State;
}

/**
 * Past versions of the state, each with the time it became the latest, kept for
 * as long as a Describe may lag. A read "lagMs behind at now" answers from the
 * version that was the latest at `now - lagMs`. Mutations never read from here:
 * they validate against the latest state, as on AWS.
 */
export class VersionLog {
  #versions: Version[] = [];
  #horizonMs: number;

  constructor(horizonMs: number, initial: Ec2State, at: number) {
    this.#horizonMs = horizonMs;
    if (horizonMs > 0) this.#versions.push({ at, state: initial.clone() });
  }

  /** Longest lag kept; raising it keeps more history from now on. */
  setHorizon(horizonMs: number, latest: Ec2State, now: number): void {
    if (this.#horizonMs <= 0 && horizonMs > 0) this.#versions = [{ at: now, state: latest.clone() }];
    this.#horizonMs = horizonMs;
    if (horizonMs <= 0) this.#versions = [];
  }

  /** Records the latest state after a change at `now`. */
  record(latest: Ec2State, now: number): void {
    if (this.#horizonMs <= 0) return;
    this.#versions.push({ at: now, state: latest.clone() });
    // Keep the newest version older than the horizon: it answers the most-lagged reads.
    const cutoff = now - this.#horizonMs;
    let drop = 0;
    while (drop + 1 < this.#versions.length && (this.#versions[drop + 1]?.at ?? 0) <= cutoff) drop += 1;
    if (drop > 0) this.#versions.splice(0, drop);
  }

  /** The state as it was `lagMs` before `now` (the latest when no lag applies). */
  seen(latest: Ec2State, now: number, lagMs: number): Ec2State {
    if (lagMs <= 0 || this.#versions.length === 0) return latest;
    const t = now - Math.min(lagMs, this.#horizonMs);
    const last = this.#versions[this.#versions.length - 1];
    if (!last || last.at <= t) return latest;
    for (let i = this.#versions.length - 1; i >= 0; i--) {
      const v = this.#versions[i];
      if (v && v.at <= t) return v.state;
    }
    return this.#versions[0]?.state ?? latest;
  }
}
