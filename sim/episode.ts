import type { Violation } from './invariants';
import type { TraceLine } from './scheduler';
import { type Episode, type EpisodeStats, SimWorld } from './world';

/** What one episode did. */
export interface EpisodeResult {
  episode: Episode;
  steps: number;
  simulatedMs: number;
  violations: Violation[];
  stats: EpisodeStats;
  /** The last lines of the trace, when a violation happened. */
  trace: TraceLine[];
  /** The step budget ran out before the episode's convergence checks finished. */
  truncated: boolean;
}

/**
 * Runs one episode to its end (convergence checked for a minute after faults stop) or to
 * the first violation, or until `maxSteps` steps have run. Deterministic: the same episode
 * gives the same result.
 */
export async function runEpisode(
  episode: Episode,
  maxSteps = Number.POSITIVE_INFINITY,
): Promise<EpisodeResult> {
  const world = new SimWorld(episode);
  world.start();
  const { sched } = world;
  while (!world.finished && sched.steps < maxSteps) {
    if (!(await sched.step())) break;
    world.afterStep();
  }
  const violations = world.checker.violations;
  return {
    episode,
    steps: sched.steps,
    simulatedMs: sched.now - world.startedAt,
    violations,
    stats: world.stats,
    trace: violations.length > 0 ? sched.recentTrace() : [],
    truncated: !world.finished,
  };
}
