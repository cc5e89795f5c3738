/**
 * The longest a vantage can take to see `fall` failures of a hung node: the wait for the next
 * steady probe, then rechecks spaced `recheckMs` start to start, each waiting out its timeout
 * (docs/config.md). A failure in the last span of a prober loop meets the end of the loop
 * (live/loop-boundary.ts).
 */
export function detectionSpanMs(p: {
  intervalSeconds: number;
  timeoutMs: number;
  recheckMs: number;
  fall: number;
}): number {
  return p.intervalSeconds * 1000 + (p.fall - 1) * Math.max(p.timeoutMs, p.recheckMs) + p.timeoutMs;
}
