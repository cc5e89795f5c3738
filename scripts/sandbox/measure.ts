import { type Summary, summarize } from '../../bench/stats';
import type { ProbeSample } from '../../local/nodes/client-probe';
import { outageWindows } from '../../local/nodes/outage';
import { EventType } from '../../shared/domain/constants';
import type { HistoryEvent } from '../../shared/domain/model';
import {
  addressSwitchMs,
  firstMutationAt,
  quorumDownAt,
  type TimelineEntry,
  verifiedAt,
} from '../../shared/domain/move-timeline';

/** How the drill breaks the holder. */
export const BreakKind = {
  /** `systemctl stop nginx`: connections refused, probes fail at once. */
  STOP_NGINX: 'stop-nginx',
  /** SIGSTOP to nginx: connections accepted, never answered; probes fail on their timeout. */
  HANG: 'hang',
  /** EC2 StopInstances: the arbiter sees the instance state too. */
  STOP_INSTANCE: 'stop-instance',
} as const;
export type BreakKind = (typeof BreakKind)[keyof typeof BreakKind];

/** One alert as the drill machine received it (from the queue, or an in-process subscriber). */
export interface ReceivedAlert {
  event: string;
  subject: string;
  /** When SNS says it was published (epoch ms). */
  publishedAt: number;
  /** When this machine had it. */
  receivedAt: number;
}

/** What one drill run saw. */
export interface DrillObservation {
  group: string;
  breakKind: BreakKind;
  /** The holder that was broken. */
  from: string;
  brokeAt: number;
  /** Requests through the address, from before the break until after the move. */
  samples: readonly ProbeSample[];
  /** The group's history rows written since the break. */
  history: readonly HistoryEvent[];
  alerts: readonly ReceivedAlert[];
  /** Maps an `x-served-by` answer (node id, or instance id) to a node id. */
  nodeOf: (servedBy: string) => string | undefined;
  restored: boolean;
  restoreDetail?: string;
}

/** The JSON summary of one run; durations in ms from the break. */
export interface DrillRunSummary {
  group: string;
  break: BreakKind;
  from: string;
  to?: string;
  outcome: 'moved' | 'failed' | 'not-moved';
  brokeAt: string;
  /** Break -> the old holder DOWN by quorum (the arbiter's decision). */
  detectMs?: number;
  /** Break -> the first mutating EC2 call (the address starts to move). */
  moveMs?: number;
  /** Break -> the read-back that showed the new holder. */
  verifiedMs?: number;
  /** The first mutating call -> the read-back (the same reading as the `drill` function's). */
  addressSwitchMs?: number;
  /** The longest run of failed client requests through the address after the break. */
  clientOutageMs?: number;
  /** The first successful request served by the new holder, after the break. */
  firstServedByNewMs?: number;
  /** Break -> the failover alert on this machine. */
  alertLatencyMs?: number;
  /** The failover alert's publication -> its arrival here. */
  alertDeliveryMs?: number;
  requests: { total: number; failed: number };
  restored: boolean;
  notes: string[];
}

const FAILOVER_EVENTS: ReadonlySet<string> = new Set([
  EventType.FAILOVER_SUCCEEDED,
  EventType.FAILOVER_FAILED,
]);

/** The failover of `from` recorded since the break, if any (the first one). */
export function failoverRow(history: readonly HistoryEvent[], brokeAt: number): HistoryEvent | undefined {
  return [...history]
    .filter((e) => e.at >= brokeAt && FAILOVER_EVENTS.has(e.event))
    .sort((a, b) => a.at - b.at)[0];
}

/** A history row's move timeline (`detail.timeline`), empty when it has none. */
export function timelineOf(row: HistoryEvent | undefined): TimelineEntry[] {
  const raw = row?.detail?.timeline;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (s): s is TimelineEntry =>
      typeof s === 'object' &&
      s !== null &&
      (typeof s.at === 'number' || typeof s.at === 'string') &&
      typeof s.what === 'string',
  );
}

/** The target named in a failover row's subject (`... failed over lb-1 -> lb-2 ...`). */
function targetOf(row: HistoryEvent): string | undefined {
  const to = row.detail?.to;
  if (typeof to === 'string') return to;
  return /-> ?([\w.-]+)/.exec(row.summary)?.[1];
}

/**
 * The numbers of one drill run from what it observed: the arbiter's own record of the move
 * (its history row, read with the timeline helpers the `drill` function uses), the client's
 * requests through the address, and the alert as it arrived.
 */
export function summarizeRun(o: DrillObservation): DrillRunSummary {
  const notes: string[] = [];
  const row = failoverRow(o.history, o.brokeAt);
  const timeline = timelineOf(row);
  const since = (at: number | undefined) => (at === undefined ? undefined : at - o.brokeAt);
  const after = o.samples.filter((s) => s.at >= o.brokeAt);
  const to = row ? targetOf(row) : undefined;
  const firstNew = after.find((s) => {
    if (!s.ok || !s.servedBy) return false;
    const node = o.nodeOf(s.servedBy);
    return node !== undefined && node !== o.from;
  });
  // Outages that started after the break; a window open at the end counts to its last request.
  const windows = outageWindows(o.samples).filter((w) => w.endAt > o.brokeAt);
  const longest = windows.reduce((m, w) => Math.max(m, w.endAt - Math.max(w.startAt, o.brokeAt)), 0);
  const alert = o.alerts
    .filter((a) => FAILOVER_EVENTS.has(a.event) && a.receivedAt >= o.brokeAt)
    .sort((a, b) => a.receivedAt - b.receivedAt)[0];

  if (!row) notes.push('no failover recorded in the group history since the break');
  if (row && timeline.length === 0) notes.push('the failover row carries no timeline');
  else if (row && quorumDownAt(timeline) === undefined)
    notes.push(
      'no quorum step in the timeline: the instance state said DOWN (counts at once), so no detectMs',
    );
  if (!firstNew) notes.push('no client request was answered by another node after the break');
  if (!alert) notes.push('no failover alert arrived');
  if (o.samples.filter((s) => s.at < o.brokeAt && s.ok).length === 0)
    notes.push(
      'no request succeeded before the break: the outage includes time the address was already failing',
    );
  if (!o.restored) notes.push(`the broken node was not restored: ${o.restoreDetail ?? 'unknown'}`);

  const outcome = !row ? 'not-moved' : row.event === EventType.FAILOVER_SUCCEEDED ? 'moved' : 'failed';
  const defined = <K extends string>(key: K, value: number | undefined) =>
    value === undefined || !Number.isFinite(value) ? {} : ({ [key]: Math.round(value) } as Record<K, number>);
  return {
    group: o.group,
    break: o.breakKind,
    from: o.from,
    ...(to ? { to } : {}),
    outcome,
    brokeAt: new Date(o.brokeAt).toISOString(),
    ...defined('detectMs', since(quorumDownAt(timeline))),
    ...defined('moveMs', since(firstMutationAt(timeline))),
    ...defined('verifiedMs', since(verifiedAt(timeline))),
    ...defined('addressSwitchMs', addressSwitchMs(timeline)),
    ...defined('clientOutageMs', after.length > 0 ? longest : undefined),
    ...defined('firstServedByNewMs', since(firstNew?.at)),
    ...defined('alertLatencyMs', since(alert?.receivedAt)),
    ...defined('alertDeliveryMs', alert ? alert.receivedAt - alert.publishedAt : undefined),
    requests: { total: after.length, failed: after.filter((s) => !s.ok).length },
    restored: o.restored,
    notes,
  };
}

const METRICS = [
  'detectMs',
  'moveMs',
  'verifiedMs',
  'addressSwitchMs',
  'clientOutageMs',
  'firstServedByNewMs',
  'alertLatencyMs',
] as const;

/** The whole output of `npm run sandbox -- drill`: every run, and the distribution over runs. */
export interface DrillReport {
  mode: 'aws' | 'local';
  region: string;
  runs: DrillRunSummary[];
  /** Per metric over the runs that have it (n, p50, p95, min, max, mean; ms). */
  distribution: Partial<Record<(typeof METRICS)[number], Summary>>;
  passed: boolean;
}

/** Puts the runs together; the drill passed when every run moved and was restored. */
export function drillReport(mode: DrillReport['mode'], region: string, runs: DrillRunSummary[]): DrillReport {
  const distribution: DrillReport['distribution'] = {};
  for (const m of METRICS) {
    const values = runs.map((r) => r[m]).filter((v): v is number => v !== undefined);
    if (values.length === 0) continue;
    const s = summarize(values);
    distribution[m] = {
      n: s.n,
      p50: Math.round(s.p50),
      p95: Math.round(s.p95),
      p99: Math.round(s.p99),
      min: s.min,
      max: s.max,
      mean: Math.round(s.mean),
    };
  }
  return {
    mode,
    region,
    runs,
    distribution,
    passed: runs.length > 0 && runs.every((r) => r.outcome === 'moved' && r.restored),
  };
}

/** An SNS envelope (an SQS message body, or a Lambda SNS record's `Sns`) as a received alert. */
export function alertFromEnvelope(
  envelope: {
    Subject?: string | null;
    Timestamp?: string;
    MessageAttributes?: Record<string, { Type?: string; Value?: string }>;
  },
  receivedAt: number,
): ReceivedAlert | undefined {
  const event = envelope.MessageAttributes?.event?.Value;
  const publishedAt = envelope.Timestamp ? Date.parse(envelope.Timestamp) : Number.NaN;
  if (!event || !Number.isFinite(publishedAt)) return undefined;
  return { event, subject: envelope.Subject ?? '', publishedAt, receivedAt };
}
