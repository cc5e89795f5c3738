import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { ProbeResult, Verdict } from '../domain/model';
import { type Readiness, ReadinessStatus } from '../domain/readiness';
import type { ControlResult } from '../ops/control';
import type { ManualFailoverResult } from '../ops/manual-failover';
import type { ReconcileResult } from '../usecases/deps';

/**
 * Metrics of ha-arbiter. The core never emits metrics itself: handlers feed these functions
 * from the core's results and callbacks (runProbeLoop's `onResult`/`onVerdict`, the arbiter's
 * ReconcileResult list), and the Metrics port below writes them. On Lambda the port is the
 * Powertools EMF adapter: metrics go out as structured log lines, no PutMetricData call and
 * no CloudWatch permission or endpoint needed.
 *
 * CloudWatch bills a custom metric (one name + dimension set) prorated by the hours in which
 * it is published, so the dimensions are chosen by how often a series is published:
 * - continuous series (every invocation, all month) have no group dimension, so adding a group
 *   adds no series: ProbeLatency and ProberHeartbeat per vantage. Per-group latency stays in the
 *   verdicts' evidence and the logs;
 * - series an alarm watches have no group dimension either, so one alarm covers every group:
 *   FailedFailovers and ReconcileErrors are stack-wide (the alert names the group);
 * - event series (VerdictChanges, Failovers, FailoverDurationMs, LeaseContention) keep the group:
 *   they are published only in the hours something happens to that group, a few hours a month
 *   at most, so a group costs cents a year in them (bench/cost/model.ts counts those hours).
 */
export const METRICS_NAMESPACE = 'HaArbiter';

export const MetricName = {
  /** Milliseconds of a successful probe (failed probes say "timeout", not latency); per vantage. */
  PROBE_LATENCY: 'ProbeLatency',
  /** A vantage's verdict on a node changed (UP <-> DOWN). */
  VERDICT_CHANGES: 'VerdictChanges',
  /** A prober finished a loop; missing for 3 minutes = the dead-man's switch alarm. */
  PROBER_HEARTBEAT: 'ProberHeartbeat',
  /** Addresses moved and verified (failover, failback, drift repair). */
  FAILOVERS: 'Failovers',
  /**
   * A move was attempted under the lease and failed, automatic or asked for (a manual failover,
   * a control action's move): stack-wide, one series, one alarm.
   */
  FAILED_FAILOVERS: 'FailedFailovers',
  /** Milliseconds from taking the lease to the verified move. */
  FAILOVER_DURATION: 'FailoverDurationMs',
  /** Another arbiter held the group's lease, so this one stood down. */
  LEASE_CONTENTION: 'LeaseContention',
  /** A group's reconcile threw (AccessDenied, throttling, table unreachable...). */
  RECONCILE_ERRORS: 'ReconcileErrors',
  /**
   * Groups whose failover would not work now (shared/domain/readiness.ts), stack-wide: one
   * continuous series, one alarm, whatever the number of groups (the SNS alert names them).
   */
  GROUPS_NOT_READY: 'GroupsNotReady',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Dimension names; the alarms select series by exactly these (plus Powertools' `service`). */
export const MetricDimension = { SERVICE: 'service', VANTAGE: 'vantage', GROUP: 'group' } as const;

const UNIT: Record<MetricName, 'Milliseconds' | 'Count'> = {
  ProbeLatency: 'Milliseconds',
  VerdictChanges: 'Count',
  ProberHeartbeat: 'Count',
  Failovers: 'Count',
  FailedFailovers: 'Count',
  FailoverDurationMs: 'Milliseconds',
  LeaseContention: 'Count',
  ReconcileErrors: 'Count',
  GroupsNotReady: 'Count',
};

/** The metrics port. */
export interface Metrics {
  add(name: MetricName, value: number, dimensions?: Record<string, string>): void;
  /** Writes everything added so far (call before the invocation returns, even on error). */
  flush(): void;
}

/** Metrics that go nowhere (tests, simulation). */
export const noMetrics: Metrics = { add() {}, flush() {} };

/**
 * The Powertools EMF adapter, and the Powertools Metrics instance the handlers give to
 * Powertools' `logMetrics` middleware, which writes everything added at the end of every
 * invocation, also a failed one. An EMF line carries one set of dimensions for all its
 * metrics, so each dimension set gets a Powertools instance of its own (made on first use)
 * and publishing this one publishes each of them that holds metrics: one line per dimension
 * set, and no line (nor Powertools' "no metrics" warning) for a set without metrics. The
 * service name (a dimension of every series) comes from POWERTOOLS_SERVICE_NAME, which the
 * stack sets per stage.
 */
export class EmfMetrics extends PowertoolsMetrics implements Metrics {
  readonly #options: { namespace: string; serviceName?: string };
  readonly #series = new Map<string, PowertoolsMetrics>();

  constructor(options: { namespace?: string; serviceName?: string } = {}) {
    const namespace = options.namespace ?? process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE;
    const own = { namespace, ...(options.serviceName ? { serviceName: options.serviceName } : {}) };
    super(own);
    this.#options = own;
  }

  add(name: MetricName, value: number, dimensions: Record<string, string> = {}): void {
    const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
    let metrics = this.#series.get(key);
    if (!metrics) {
      metrics = new PowertoolsMetrics({ ...this.#options, defaultDimensions: dimensions });
      this.#series.set(key, metrics);
    }
    metrics.addMetric(name, UNIT[name], value);
  }

  /** Outside the middleware (tests, scripts): the same as publishStoredMetrics. */
  flush(): void {
    this.publishStoredMetrics();
  }

  override hasStoredMetrics(): boolean {
    return super.hasStoredMetrics() || [...this.#series.values()].some((m) => m.hasStoredMetrics());
  }

  override publishStoredMetrics(): this {
    // Anything added to this instance directly (Powertools' own API) goes out as well.
    if (super.hasStoredMetrics()) super.publishStoredMetrics();
    for (const metrics of this.#series.values())
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    return this;
  }
}

/** The EMF metrics of a container (see {@link EmfMetrics}). */
export function emfMetrics(options: { namespace?: string; serviceName?: string } = {}): EmfMetrics {
  return new EmfMetrics(options);
}

/**
 * A probe result of one node from one vantage. One series per vantage, whatever the number of
 * groups it probes (a series per group would cost a custom metric per group and vantage).
 */
export function recordProbe(metrics: Metrics, vantage: string, result: ProbeResult): void {
  if (result.ok) metrics.add(MetricName.PROBE_LATENCY, result.latencyMs, { vantage });
}

/** A verdict change the prober wrote. */
export function recordVerdictChange(metrics: Metrics, verdict: Verdict): void {
  metrics.add(MetricName.VERDICT_CHANGES, 1, { vantage: verdict.vantage, group: verdict.group });
}

/** One completed probe loop of a vantage. */
export function recordHeartbeat(metrics: Metrics, vantage: string): void {
  metrics.add(MetricName.PROBER_HEARTBEAT, 1, { vantage });
}

/** What one arbiter invocation did, group by group. */
export function recordReconcile(metrics: Metrics, results: readonly ReconcileResult[]): void {
  for (const r of results) {
    const group = { group: r.group };
    if (r.outcome === 'moved') {
      metrics.add(MetricName.FAILOVERS, 1, group);
      if (r.moveMs !== undefined) metrics.add(MetricName.FAILOVER_DURATION, r.moveMs, group);
    } else if (r.outcome === 'lease-held') {
      metrics.add(MetricName.LEASE_CONTENTION, 1, group);
    } else if (r.outcome === 'failed') {
      // reconcileAll reports a thrown reconcile as action `error`; anything else failed
      // mid-move. Both are stack-wide series, so one alarm each covers every group.
      if (r.action === 'error') metrics.add(MetricName.RECONCILE_ERRORS, 1);
      else metrics.add(MetricName.FAILED_FAILOVERS, 1);
    }
  }
}

/** A move an operator asked for: counted as the arbiter's are, failed ones in the alarmed series. */
function recordOperatorMove(metrics: Metrics, group: string, outcome: string): void {
  if (outcome === 'moved') metrics.add(MetricName.FAILOVERS, 1, { group });
  else if (outcome === 'failed') metrics.add(MetricName.FAILED_FAILOVERS, 1);
  else if (outcome === 'lease-held') metrics.add(MetricName.LEASE_CONTENTION, 1, { group });
}

/** What a manual failover (the `failover` function) did. */
export function recordManualFailover(metrics: Metrics, result: ManualFailoverResult): void {
  recordOperatorMove(metrics, result.group, result.outcome);
}

/**
 * What a control action moved: the reconcile it runs right after (an automatic decision, so
 * counted as the arbiter counts it) and the move off a banned holder it may make.
 */
export function recordControl(metrics: Metrics, result: ControlResult): void {
  if (result.reconcile) {
    if ('outcome' in result.reconcile) recordReconcile(metrics, [result.reconcile]);
    else metrics.add(MetricName.RECONCILE_ERRORS, 1);
  }
  if (result.move && 'outcome' in result.move) recordOperatorMove(metrics, result.group, result.move.outcome);
}

/**
 * How many groups are not ready to fail over, when this invocation judged every group (the
 * reconcile schedule) and at least one is not: a partial count (a stream batch about one
 * group) would read as "fewer groups not ready". Pending groups (still starting up) are not
 * counted.
 */
export function recordReadiness(
  metrics: Metrics,
  judged: ReadonlyMap<string, Readiness>,
  groupCount: number,
): void {
  if (judged.size < groupCount) return;
  const notReady = [...judged.values()].filter((r) => r.status === ReadinessStatus.NOT_READY).length;
  // Sent only while some group is not ready: a series with data one hour costs 1/730 of a
  // month's, and the alarm reads missing data as "all ready".
  if (notReady > 0) metrics.add(MetricName.GROUPS_NOT_READY, notReady);
}
