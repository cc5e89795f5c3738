import { VerdictStatus } from '../../shared/domain/constants';
import type { Verdict } from '../../shared/domain/model';

/** Options of a test verdict. */
export interface VerdictOptions {
  group?: string;
  /** When the status began (default: `seenAt`). */
  since?: number;
  /** Error of the last probe of a DOWN verdict (default `timeout after 2000 ms`). */
  error?: string;
  latencyMs?: number;
}

/** One vantage's verdict on one node, last confirmed at `seenAt`, with one probe of evidence. */
export function verdict(
  vantage: string,
  node: string,
  status: 'UP' | 'DOWN',
  seenAt: number,
  options: VerdictOptions = {},
): Verdict {
  const down = status === VerdictStatus.DOWN;
  const latencyMs = options.latencyMs ?? (down ? 2000 : 3);
  return {
    group: options.group ?? 'web-lb',
    vantage,
    node,
    status,
    since: options.since ?? seenAt,
    seenAt,
    count: 2,
    evidence: [
      down
        ? { ok: false, latencyMs, at: seenAt - latencyMs, error: options.error ?? 'timeout after 2000 ms' }
        : { ok: true, latencyMs, at: seenAt - latencyMs, status: 200 },
    ],
  };
}

/** The same status for one node from every listed vantage. */
export function fromAll(
  vantages: readonly string[],
  node: string,
  status: 'UP' | 'DOWN',
  seenAt: number,
  options: VerdictOptions = {},
): Verdict[] {
  return vantages.map((v) => verdict(v, node, status, seenAt, options));
}
