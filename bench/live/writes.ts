import { keys } from '../../shared/adapters/dynamo/keys';

/** Table writes seen during a run, by kind of row (see shared/adapters/dynamo/keys.ts). */
export interface WriteCounts {
  verdict: number;
  heartbeat: number;
  state: number;
  history: number;
  other: number;
}

/** All zero. */
export function emptyWriteCounts(): WriteCounts {
  return { verdict: 0, heartbeat: 0, state: 0, history: 0, other: 0 };
}

/**
 * Counts one changed row by its keys. The local stream compares table snapshots, so two writes
 * to one row within one poll count once: the state row (several writes in a burst during a
 * failover) is a lower bound; verdict, heartbeat and history rows are exact at these rates.
 */
export function countWrite(counts: WriteCounts, pk: string | undefined, sk: string | undefined): void {
  if (pk?.startsWith(keys.historyPk(''))) counts.history += 1;
  else if (pk?.startsWith(keys.heartbeatPk('')) && sk === keys.heartbeat) counts.heartbeat += 1;
  else if (sk?.startsWith(keys.verdictPrefix)) counts.verdict += 1;
  else if (sk === keys.state) counts.state += 1;
  else counts.other += 1;
}

/** Writes per hour of each kind over `ms` milliseconds. */
export function perHour(counts: WriteCounts, ms: number): WriteCounts {
  const f = ms > 0 ? 3_600_000 / ms : 0;
  return {
    verdict: counts.verdict * f,
    heartbeat: counts.heartbeat * f,
    state: counts.state * f,
    history: counts.history * f,
    other: counts.other * f,
  };
}
