import { BASELINES, type BaselineModel, type FailureKind } from './baselines/index';
import type { Ec2Timing } from './baselines/model';
import type { TrialRecord } from './live/trials';
import { childSeed } from './rng';
import { type Summary, summarizeWeighted } from './stats';

/** Distributions of one system's failovers for one failure kind (ms). */
export interface KindStats {
  trials: number;
  /** Share of failures the system noticed at all. */
  detectedShare: number;
  detect: Summary;
  move: Summary;
  outage: Summary;
}

/** One system's side of the comparison. */
export interface SystemStats {
  id: string;
  name: string;
  crash: KindStats;
  hang: KindStats;
  all: KindStats;
  /** Outage of every trial, for the chart (undetected failures at the model's horizon). */
  outages: Array<{ kind: FailureKind; ms: number; detected: boolean }>;
}

interface Row {
  kind: FailureKind;
  detected: boolean;
  detect: number;
  move: number;
  outage: number;
  /** How much this trial stands for (see live/loop-boundary.ts). */
  weight: number;
}

function kindStats(rows: Row[]): KindStats {
  const seen = rows.filter((r) => r.detected);
  const w = seen.map((r) => r.weight);
  const of = (pick: (r: Row) => number) =>
    summarizeWeighted(
      seen.map((r) => pick(r)),
      w,
    );
  return {
    trials: rows.length,
    detectedShare: rows.length ? seen.length / rows.length : Number.NaN,
    detect: of((r) => r.detect),
    move: of((r) => r.move),
    outage: of((r) => r.outage),
  };
}

function systemStats(id: string, name: string, rows: Row[]): SystemStats {
  return {
    id,
    name,
    crash: kindStats(rows.filter((r) => r.kind === 'crash')),
    hang: kindStats(rows.filter((r) => r.kind === 'hang')),
    all: kindStats(rows),
    outages: rows.map((r) => ({ kind: r.kind, ms: r.outage, detected: r.detected })),
  };
}

/** ha-arbiter's measured trials as SystemStats ("move" = verified move); `weights` by trial index. */
export function arbiterStats(trials: readonly TrialRecord[], weights: readonly number[]): SystemStats {
  return systemStats(
    'ha-arbiter',
    'ha-arbiter (measured)',
    trials
      .filter((t) => t.ok)
      .map((t) => ({
        kind: t.kind,
        detected: true,
        detect: t.detectMs,
        move: t.verifiedMs,
        outage: t.outageMs,
        weight: weights[t.index] ?? 1,
      })),
  );
}

/**
 * Feeds every live trial's failure (same time on the run's clock, same kind) and the same EC2
 * timing to each baseline model, `draws` times with independent seeds (the model's loop phase
 * and its own random draws), and weights the outcomes like ha-arbiter's trial. The chart shows
 * the first draw of each trial, one dot per failure like ha-arbiter's.
 */
export function baselineStats(
  trials: readonly TrialRecord[],
  weights: readonly number[],
  ec2: Ec2Timing,
  seed: number,
  draws = 20,
  models: readonly BaselineModel[] = BASELINES,
): SystemStats[] {
  return models.map((m) => {
    const rows: Row[] = [];
    const firstDraws: Row[] = [];
    for (const t of trials) {
      for (let d = 0; d < draws; d += 1) {
        const o = m.outcome(
          { failAt: t.failAt, kind: t.kind },
          ec2,
          childSeed(seed, `${m.id}/${t.index}/${d}`),
        );
        const row = {
          kind: t.kind,
          detected: o.detected,
          detect: o.detectMs,
          move: o.moveMs,
          outage: o.outageMs,
          weight: (weights[t.index] ?? 1) / draws,
        };
        rows.push(row);
        if (d === 0) firstDraws.push(row);
      }
    }
    return {
      ...systemStats(m.id, m.name, rows),
      outages: firstDraws.map((r) => ({ kind: r.kind, ms: r.outage, detected: r.detected })),
    };
  });
}
