/** How the node fails in a trial. */
export type FailureKind = 'crash' | 'hang';

/**
 * The injected EC2 timing of a run: the same numbers drive the local cloud's emulator and the
 * baseline models, so every system pays the same API latency.
 */
export interface Ec2Timing {
  /** Latency of one Describe* call. */
  describeMs: number;
  /** Latency of one mutating call (AssociateAddress, ReplaceRoute...). */
  mutatingMs: number;
  /** Time from a mutating call's return until traffic follows (the data path). */
  propagationMs: number;
}

/** One failure fed to a model: when (ms on the run's clock) and how. */
export interface FailureScenario {
  failAt: number;
  kind: FailureKind;
}

/** What a model says happens after one failure (all times from the failure, in ms). */
export interface BaselineOutcome {
  /** False when the monitor never notices this kind of failure. */
  detected: boolean;
  /** Failure -> the monitor decides to move. */
  detectMs: number;
  /** Failure -> the address move has completed (API calls and the tool's own waiting). */
  moveMs: number;
  /** Failure -> clients are served again (move + data-path propagation). */
  outageMs: number;
}

/** Result of a long run with random probe loss and no real failure. */
export interface FalseFailoverResult {
  /** Moves of the address although nothing failed. */
  failovers: number;
  simulatedMinutes: number;
  /** Other self-inflicted events worth reporting (needless restarts, stops...). */
  other: Record<string, number>;
}

/** A timing and decision model of an old way of keeping an address on a healthy node. */
export interface BaselineModel {
  readonly id: string;
  readonly name: string;
  /** One line per assumption, for the docs. */
  readonly assumptions: readonly string[];
  outcome(failure: FailureScenario, ec2: Ec2Timing, seed: number): BaselineOutcome;
  falseFailovers(minutes: number, lossRate: number, ec2: Ec2Timing, seed: number): FalseFailoverResult;
}

/** Outcome of a failure the model never detects: an outage until someone notices, capped for plots. */
export function undetected(horizonMs: number): BaselineOutcome {
  return { detected: false, detectMs: Number.NaN, moveMs: Number.NaN, outageMs: horizonMs };
}
