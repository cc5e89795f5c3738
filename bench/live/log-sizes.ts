import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Lambda writes START, END and REPORT lines for every invocation besides the function's own
 * logs (about 120 + 60 + 180 bytes with a request id); the local runtime does not, so they
 * are added here.
 */
export const PLATFORM_LOG_BYTES = 360;

/** Average sizes of the log lines that recur every invocation, measured from a run's logs. */
export interface LogLineSizes {
  /** The prober's end-of-loop summary line. */
  proberSummary: number;
  /**
   * One EMF line of ProbeLatency. The series is per vantage, but its values grow with the
   * probes, so with the bench's one group the line stands for one group's share of the log
   * (the bench probes every second, so it is long).
   */
  proberGroupMetrics: number;
  /** One EMF line of the ProberHeartbeat metric. */
  proberHeartbeatMetric: number;
  /** The arbiter's per-group "reconciled" line when nothing moved. */
  arbiterGroupLine: number;
}

const average = (xs: number[], fallback: number) =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : fallback;

/** Reads `<dir>/probe-*.log` and `<dir>/arbiter.log` and averages the recurring lines. */
export function measureLogLines(dir: string, proberFiles: readonly string[]): LogLineSizes {
  const summary: number[] = [];
  const groupMetrics: number[] = [];
  const heartbeat: number[] = [];
  const arbiter: number[] = [];
  const lines = (file: string) =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean) : [];
  for (const file of proberFiles) {
    for (const text of lines(file)) {
      const bytes = Buffer.byteLength(text) + 1;
      const entry = parse(text);
      if (entry?.message === 'probe loop done') summary.push(bytes);
      if ('ProbeLatency' in (entry ?? {})) groupMetrics.push(bytes);
      if ('ProberHeartbeat' in (entry ?? {})) heartbeat.push(bytes);
    }
  }
  for (const text of lines('arbiter.log')) {
    const entry = parse(text);
    if (entry?.message === 'reconciled' && entry.outcome === 'none')
      arbiter.push(Buffer.byteLength(text) + 1);
  }
  return {
    proberSummary: average(summary, 600),
    proberGroupMetrics: average(groupMetrics, 900),
    proberHeartbeatMetric: average(heartbeat, 350),
    arbiterGroupLine: average(arbiter, 500),
  };
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
