import type { Episode } from './world';

/**
 * A saved counterexample, as kept in test/sim/regressions/: the episodes (fault schedules)
 * that broke an invariant. `bug` ones failed before a fix in shared/; `checker` ones were false
 * alarms of an invariant's first definition and keep its final definition honest.
 */
export interface RegressionFile {
  name: string;
  kind: 'bug' | 'checker';
  invariant: string;
  /** How it was found (the command, or the directed search). */
  found: string;
  /** What went wrong, in words. */
  what: string;
  /** What fixed it. */
  fix: string;
  episodes: Episode[];
}

/** The episodes of a saved file: a RegressionFile, or a bare Episode. */
export function episodesOf(json: unknown): Episode[] {
  const value = json as Partial<RegressionFile> & Partial<Episode>;
  if (Array.isArray(value.episodes)) return value.episodes;
  if (Array.isArray(value.faults)) return [value as Episode];
  throw new Error('not a saved counterexample: expected { episodes: [...] } or an episode with faults');
}
