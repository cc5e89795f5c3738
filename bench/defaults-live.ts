import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { SHIPPED_DETECTION } from './arbiter-false-failovers';
import { keepalived } from './baselines/keepalived';
import type { Ec2Timing } from './baselines/model';
import { baselineStats, type SystemStats } from './compare';
import { detectionSpanMs } from './detection-span';
import { inBoundary, loopBoundary, stratumWeights } from './live/loop-boundary';
import { type LiveOptions, runLiveTrials, type TrialRecord } from './live/trials';
import { ratio, type Summary, summarizeWeighted } from './stats';

/** One failure kind of the live trials at the shipped defaults. */
export interface DefaultsKind {
  trials: number;
  outageP95Ms: number;
  detectP95Ms: number;
  verifiedP95Ms: number;
  outage: Summary;
  detect: Summary;
  verified: Summary;
}

/** The live trials at the shipped defaults, and keepalived fed the same failures. */
export interface DefaultsRun {
  policy: typeof SHIPPED_DETECTION;
  trials: { perKind: number; ok: number; failed: number; errors: string[] };
  crash: DefaultsKind;
  hang: DefaultsKind;
  /** Crash and hang pooled. */
  all: DefaultsKind;
  keepalived: SystemStats;
  /** Our pooled p95 client outage over keepalived's, on the same failures. */
  vsKeepalivedOutage: number;
}

/**
 * The bench config with the shipped detection policy (interval, timeout, recheck, fall,
 * rise, quorum) in place of the bench policy; the cooldown and breaker stay opened up, since
 * the trials fail over dozens of times on purpose.
 */
export function configAtDefaults(benchConfigPath: string): string {
  const doc = parseDocument(readFileSync(benchConfigPath, 'utf8'));
  for (const [field, value] of Object.entries(SHIPPED_DETECTION))
    doc.setIn(['groups', 0, 'policy', field], value);
  const dir = mkdtempSync(join(tmpdir(), 'ha-arbiter-bench-defaults-'));
  const path = join(dir, 'defaults.arbiter.yml');
  writeFileSync(path, doc.toString());
  return path;
}

function kindOf(trials: readonly TrialRecord[], weights: readonly number[]): DefaultsKind {
  const w = trials.map((t) => weights[t.index] ?? 0);
  const of = (pick: (t: TrialRecord) => number) => summarizeWeighted(trials.map(pick), w);
  const outage = of((t) => t.outageMs);
  const detect = of((t) => t.detectMs);
  const verified = of((t) => t.verifiedMs);
  return {
    trials: trials.length,
    outageP95Ms: outage.p95,
    detectP95Ms: detect.p95,
    verifiedP95Ms: verified.p95,
    outage,
    detect,
    verified,
  };
}

/**
 * Live automatic failovers at the shipped defaults (crash and hang alternating) on their own
 * local stack, with the same EC2 latencies as the bench policy's trials, weighted for the
 * trials placed on purpose near the end of a prober loop like those; then the keepalived model
 * on the same failures.
 */
export async function runDefaultsTrials(options: LiveOptions): Promise<DefaultsRun> {
  const path = configAtDefaults(options.configPath);
  options.log(
    `live at the shipped defaults: ${SHIPPED_DETECTION.intervalSeconds} s, timeout ${SHIPPED_DETECTION.timeoutMs} ms, recheck ${SHIPPED_DETECTION.recheckMs} ms, fall ${SHIPPED_DETECTION.fall}`,
  );
  try {
    const live = await runLiveTrials({ ...options, configPath: path, log: options.log });
    return defaultsRunFrom(live.trials, live.loopMs, options.ec2, options.seed, options.trialsPerKind);
  } finally {
    rmSync(join(path, '..'), { recursive: true, force: true });
  }
}

/** The summaries of a set of trials at the defaults (pure, for tests). */
export function defaultsRunFrom(
  trials: readonly TrialRecord[],
  loopMs: number,
  ec2: Ec2Timing,
  seed: number,
  perKind: number,
): DefaultsRun {
  const boundary = loopBoundary(loopMs, detectionSpanMs(SHIPPED_DETECTION), 500);
  const share = boundary.lengthMs / boundary.periodMs;
  const weights = stratumWeights(
    trials.map((t) => inBoundary(t.minutePhaseMs, boundary)),
    share,
  );
  const ok = trials.filter((t) => t.ok);
  const crash = kindOf(
    ok.filter((t) => t.kind === 'crash'),
    weights,
  );
  const hang = kindOf(
    ok.filter((t) => t.kind === 'hang'),
    weights,
  );
  const all = kindOf(ok, weights);
  const [theirs] = baselineStats(trials, weights, ec2, seed, 20, [keepalived]);
  const keep = theirs as SystemStats;
  return {
    policy: SHIPPED_DETECTION,
    trials: {
      perKind: perKind,
      ok: ok.length,
      failed: trials.length - ok.length,
      errors: trials.filter((t) => !t.ok).map((t) => `trial ${t.index + 1} (${t.kind}): ${t.error}`),
    },
    crash,
    hang,
    all,
    keepalived: keep,
    vsKeepalivedOutage: ratio(all.outage.p95, keep.all.outage.p95),
  };
}
