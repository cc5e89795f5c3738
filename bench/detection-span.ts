/**
 * The longest a vantage can take to see `fall` failures of a hung node: the wait for the next
 * steady probe, a timeout per probe and a recheck gap between them (docs/config.md). A failure
 * in the last span of a prober loop meets the end of the loop (live/loop-boundary.ts).
 */
export function detectionSpanMs(p: {
  intervalSeconds: number;
  timeoutMs: number;
  recheckMs: number;
  fall: number;
}): number {
  return p.intervalSeconds * 1000 + p.fall * p.timeoutMs + (p.fall - 1) * p.recheckMs;
}
