import type { ProbeSample } from './client-probe';

/** A run of consecutive failed probe requests. */
export interface OutageWindow {
  /** Send time of the first failed request. */
  readonly startAt: number;
  /** Send time of the next successful request (or end of the last failure if none came). */
  readonly endAt: number;
  readonly durationMs: number;
  readonly failedRequests: number;
}

/** Every outage window in a probe timeline, in time order. */
export function outageWindows(samples: readonly ProbeSample[]): OutageWindow[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const windows: OutageWindow[] = [];
  let start: ProbeSample | undefined;
  let last: ProbeSample | undefined;
  let failed = 0;
  const close = (endAt: number) => {
    if (!start) return;
    windows.push({ startAt: start.at, endAt, durationMs: endAt - start.at, failedRequests: failed });
    start = undefined;
    failed = 0;
  };
  for (const sample of sorted) {
    if (sample.ok) {
      close(sample.at);
    } else {
      start ??= sample;
      last = sample;
      failed++;
    }
  }
  if (start && last) close(last.at + last.latencyMs);
  return windows;
}

/** The longest outage window, or null when every request succeeded. */
export function longestOutage(samples: readonly ProbeSample[]): OutageWindow | null {
  let longest: OutageWindow | null = null;
  for (const w of outageWindows(samples)) if (!longest || w.durationMs > longest.durationMs) longest = w;
  return longest;
}

/** Each time the serving instance changed, as seen by successful requests. */
export function servedByChanges(
  samples: readonly ProbeSample[],
): Array<{ readonly at: number; readonly from: string | undefined; readonly to: string }> {
  const changes: Array<{ at: number; from: string | undefined; to: string }> = [];
  let current: string | undefined;
  for (const s of [...samples].sort((a, b) => a.at - b.at)) {
    if (!s.ok || !s.servedBy || s.servedBy === current) continue;
    changes.push({ at: s.at, from: current, to: s.servedBy });
    current = s.servedBy;
  }
  return changes;
}

/** Totals for a report line. */
export interface ProbeSummary {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  readonly longestOutageMs: number;
  /** Successful requests per instance. */
  readonly servedBy: Readonly<Record<string, number>>;
}

/** Sums up a probe timeline. */
export function summarizeProbe(samples: readonly ProbeSample[]): ProbeSummary {
  const servedBy: Record<string, number> = {};
  let ok = 0;
  for (const s of samples) {
    if (!s.ok) continue;
    ok++;
    if (s.servedBy) servedBy[s.servedBy] = (servedBy[s.servedBy] ?? 0) + 1;
  }
  return {
    total: samples.length,
    ok,
    failed: samples.length - ok,
    longestOutageMs: longestOutage(samples)?.durationMs ?? 0,
    servedBy,
  };
}
