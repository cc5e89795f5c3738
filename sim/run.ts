import fc from 'fast-check';
import { type EpisodeResult, runEpisode } from './episode';
import { episodeArb, episodeFor } from './episode-arb';
import type { Violation } from './invariants';
import { mixSeed } from './rng';
import type { TraceLine } from './scheduler';
import type { Episode } from './world';

/** Totals of a run of many episodes. */
export interface RunSummary {
  seed: number;
  steps: number;
  episodes: number;
  violations: number;
  failovers: number;
  manualMoves: number;
  handMoves: number;
  notifications: number;
  notificationsByEvent: Record<string, number>;
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  invocations: number;
  crashes: number;
  crashesHoldingLease: number;
  stallsHoldingLease: number;
  /** Reconcile outcomes (moved, held, lease-held, superseded, failed, ...). */
  outcomes: Record<string, number>;
  simulatedHours: number;
  wallMs: number;
  stepsPerSecond: number;
  /** The first failing episode, if any. */
  failure?: {
    episodeIndex: number;
    episodeSeed: number;
    violation: Violation;
    episode: Episode;
    trace: TraceLine[];
  };
}

export interface RunOptions {
  steps: number;
  seed: number;
  /** Called after each episode (progress output). */
  onEpisode?: (index: number, result: EpisodeResult, totalSteps: number) => void;
  /** Keep going after a failing episode (default: stop at the first). */
  keepGoing?: boolean;
  /** Wall-clock milliseconds, a monotonic clock for the throughput figure only. */
  clock?: () => number;
}

/**
 * Runs episodes derived from `seed` (episode i is the first value fast-check generates
 * with seed mix(seed, i)) until `steps` steps have run; the last episode is cut at the
 * budget, so the total is exactly `steps` unless an episode ends the run early.
 */
export async function simulate(options: RunOptions): Promise<RunSummary> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const s: RunSummary = {
    seed: options.seed,
    steps: 0,
    episodes: 0,
    violations: 0,
    failovers: 0,
    manualMoves: 0,
    handMoves: 0,
    notifications: 0,
    notificationsByEvent: {},
    faultsInjected: 0,
    faultsByKind: {},
    invocations: 0,
    crashes: 0,
    crashesHoldingLease: 0,
    stallsHoldingLease: 0,
    outcomes: {},
    simulatedHours: 0,
    wallMs: 0,
    stepsPerSecond: 0,
  };
  for (let i = 0; s.steps < options.steps; i += 1) {
    const episodeSeed = mixSeed(options.seed, i);
    const result = await runEpisode(episodeFor(episodeSeed), options.steps - s.steps);
    s.episodes += 1;
    s.steps += result.steps;
    s.violations += result.violations.length;
    s.failovers += result.stats.failovers;
    s.manualMoves += result.stats.manualMoves;
    s.handMoves += result.stats.handMoves;
    s.notifications += result.stats.notifications;
    s.invocations += result.stats.invocations;
    s.crashes += result.stats.crashes;
    s.crashesHoldingLease += result.stats.crashesHoldingLease;
    s.stallsHoldingLease += result.stats.stallsHoldingLease;
    for (const [k, v] of Object.entries(result.stats.outcomes)) s.outcomes[k] = (s.outcomes[k] ?? 0) + v;
    s.simulatedHours += result.simulatedMs / 3_600_000;
    for (const [k, v] of Object.entries(result.stats.notificationsByEvent)) {
      s.notificationsByEvent[k] = (s.notificationsByEvent[k] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(result.stats.faults)) {
      s.faultsByKind[k] = (s.faultsByKind[k] ?? 0) + (v ?? 0);
      s.faultsInjected += v ?? 0;
    }
    options.onEpisode?.(i, result, s.steps);
    const first = result.violations[0];
    if (first && !s.failure) {
      s.failure = {
        episodeIndex: i,
        episodeSeed,
        violation: first,
        episode: result.episode,
        trace: result.trace,
      };
      if (!options.keepGoing) break;
    }
  }
  s.wallMs = Math.round(clock() - started);
  s.stepsPerSecond = Math.round(s.steps / Math.max(0.001, s.wallMs / 1000));
  s.simulatedHours = Math.round(s.simulatedHours * 100) / 100;
  return s;
}

/** A shrunk counterexample. */
export interface Shrunk {
  episode: Episode;
  violation: Violation;
  trace: TraceLine[];
  shrinks: number;
}

/**
 * Shrinks a failing episode with fast-check: the run is a property over the generated
 * episode (fault schedule included), failing when the same invariant is violated. With the
 * episode's seed, fast-check's first run is that very episode; it then shrinks it.
 */
export async function shrinkFailure(
  episodeSeed: number,
  invariant: string,
  timeLimitMs: number,
): Promise<Shrunk> {
  const property = fc.asyncProperty(episodeArb, async (episode) => {
    const result = await runEpisode(episode);
    return !result.violations.some((v) => v.invariant === invariant);
  });
  const details = await fc.check(property, {
    seed: episodeSeed,
    numRuns: 1,
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: false,
  });
  const [episode] = (details.counterexample ?? [episodeFor(episodeSeed)]) as [Episode];
  const final = await runEpisode(episode);
  const violation =
    final.violations.find((v) => v.invariant === invariant) ?? (final.violations[0] as Violation);
  return { episode, violation, trace: final.trace, shrinks: details.numShrinks };
}
