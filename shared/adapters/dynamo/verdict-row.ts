import type { ProbeResult, Streak, Verdict } from '../../domain/model';

/**
 * The verdict with the row's `streak`, for the prober that wrote it (loadVerdicts). A row
 * without one, or with one that does not read as a streak, loads as a verdict alone.
 */
export function withStreak(verdict: Verdict, item: Record<string, unknown>): Verdict {
  const streak = toStreak(item.streak);
  return streak ? { ...verdict, streak } : verdict;
}

function toStreak(value: unknown): Streak | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  const count = Number(s.count);
  const at = Number(s.at);
  if (typeof s.ok !== 'boolean' || !Number.isInteger(count) || count < 1 || !Number.isFinite(at))
    return undefined;
  return {
    ok: s.ok,
    count,
    at,
    evidence: Array.isArray(s.evidence) ? (s.evidence as ProbeResult[]) : [],
  };
}
