/**
 * Percentiles by the nearest-rank method: the p-th percentile is the smallest observed value
 * with at least p % of the values at or below it. It never invents a value between two
 * observations, so with few trials p95 and p99 are simply the worst runs, which is the honest
 * reading of a small sample.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p <= 0) return Math.min(...values);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Distribution of one measured quantity (milliseconds unless said otherwise). */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** p50/p95/p99, min, max and mean of a sample; NaN fields for an empty sample. */
export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  return {
    n,
    p50: percentile(finite, 50),
    p95: percentile(finite, 95),
    p99: percentile(finite, 99),
    min: n ? Math.min(...finite) : Number.NaN,
    max: n ? Math.max(...finite) : Number.NaN,
    mean: n ? finite.reduce((a, b) => a + b, 0) / n : Number.NaN,
  };
}

/** a / b, or NaN when either is not a finite number or b is 0. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

/** Rounds for reports: `digits` decimals, NaN stays NaN (JSON writes it as null). */
export function round(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return Number.NaN;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Weighted nearest-rank percentile: the smallest value whose cumulative weight (values sorted)
 * reaches p % of the total. With equal weights it equals {@link percentile}.
 */
export function weightedPercentile(values: readonly number[], weights: readonly number[], p: number): number {
  const pairs = values
    .map((v, i) => [v, weights[i] ?? 0] as const)
    .filter(([v, w]) => Number.isFinite(v) && w > 0)
    .sort((a, b) => a[0] - b[0]);
  if (pairs.length === 0) return Number.NaN;
  const total = pairs.reduce((a, [, w]) => a + w, 0);
  const wanted = (Math.max(0, p) / 100) * total;
  let cumulative = 0;
  for (const [v, w] of pairs) {
    cumulative += w;
    // A small tolerance so that float sums of equal weights hit exact ranks.
    if (cumulative >= wanted - total * 1e-9) return v;
  }
  return (pairs.at(-1) as readonly [number, number])[0];
}

/** {@link summarize} with a weight per value (weights need not sum to 1). */
export function summarizeWeighted(values: readonly number[], weights: readonly number[]): Summary {
  const kept = values
    .map((v, i) => [v, weights[i] ?? 0] as const)
    .filter(([v, w]) => Number.isFinite(v) && w > 0);
  if (kept.length === 0) return summarize([]);
  const vs = kept.map(([v]) => v);
  const ws = kept.map(([, w]) => w);
  const total = ws.reduce((a, b) => a + b, 0);
  return {
    n: kept.length,
    p50: weightedPercentile(vs, ws, 50),
    p95: weightedPercentile(vs, ws, 95),
    p99: weightedPercentile(vs, ws, 99),
    min: Math.min(...vs),
    max: Math.max(...vs),
    mean: kept.reduce((a, [v, w]) => a + v * w, 0) / total,
  };
}
