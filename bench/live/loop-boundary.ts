/**
 * The part of every scheduled minute in which a failure meets the end of a prober loop: it
 * starts `detectSpanMs` (fall x interval + timeout) before the loop stops, so the loop ends
 * before it has seen enough failures, and lasts through the pause until the next invocation
 * and its start-up. A failure there is finished by the next loop (which continues the streak
 * the last one left on the verdict row) and loses the probe slots of the pause. Phases are
 * milliseconds from the schedule's tick, modulo the period.
 */
export interface LoopBoundary {
  startPhaseMs: number;
  lengthMs: number;
  periodMs: number;
}

/** The boundary window for loops that run `loopMs` of every `periodMs`. */
export function loopBoundary(
  loopMs: number,
  detectSpanMs: number,
  restartMs: number,
  periodMs = 60_000,
): LoopBoundary {
  const startPhaseMs = Math.min(periodMs, Math.max(0, loopMs - detectSpanMs));
  return { startPhaseMs, lengthMs: Math.min(periodMs, periodMs - startPhaseMs + restartMs), periodMs };
}

/** The phase of a moment in the schedule's period. */
export function phaseOf(at: number, origin: number, periodMs = 60_000): number {
  return (((at - origin) % periodMs) + periodMs) % periodMs;
}

/** Is a failure at this phase inside the boundary window? */
export function inBoundary(phaseMs: number, b: LoopBoundary): boolean {
  return phaseOf(phaseMs, b.startPhaseMs, b.periodMs) < b.lengthMs;
}

/**
 * Weights that make a sample with extra trials placed in the boundary window stand for
 * failures at uniformly random moments: the window's trials share `share` (its part of the
 * period), the others the rest. Equal weights when either group is empty.
 */
export function stratumWeights(inside: readonly boolean[], share: number): number[] {
  const nIn = inside.filter(Boolean).length;
  const nOut = inside.length - nIn;
  if (nIn === 0 || nOut === 0) return inside.map(() => 1 / Math.max(1, inside.length));
  return inside.map((i) => (i ? share / nIn : (1 - share) / nOut));
}
