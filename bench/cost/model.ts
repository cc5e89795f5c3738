import { alarmCount as stackAlarmCount } from '../../infra/alarms';
import type { MetricsLevel } from '../../infra/params';
import { HOURS_PER_MONTH, PRICES } from './prices';

/** What a deployment looks like. */
export interface CostScenario {
  groups: number;
  vantages: number;
  intervalSeconds: number;
  arch: 'arm64' | 'x86_64';
  /** The stack's `metrics` setting (infra/params.ts); `basic` when not given. */
  metrics?: MetricsLevel;
  /** Nodes per group (a pair unless given). */
  nodesPerGroup?: number;
}

/** A verdict row's stored size, bytes (keys, state, seenAt, streak, seq, detail): generous. */
const VERDICT_ROW_BYTES = 300;

/** Per-unit usage, measured by the bench where it can be (see docs/cost.md for each source). */
export interface Usage {
  proberMemoryMb: number;
  arbiterMemoryMb: number;
  /** Billed seconds of one prober invocation at a given probe interval. */
  proberSeconds: (intervalSeconds: number) => number;
  /** Billed seconds of one arbiter invocation that reconciles and moves nothing. */
  arbiterSeconds: number;
  heartbeatSeconds: number;
  /** Assumed automatic failovers per group and month (each one costs writes, wake-ups, alerts). */
  failoversPerGroupMonth: number;
  /** What one failover (and the failed node's later recovery) costs, measured in the live run. */
  perFailover: { tableWrites: number; arbiterWakeups: number; snsMessages: number };
  /** Log bytes: per invocation, and per group within an invocation. */
  logBytes: { proberFixed: number; proberPerGroup: number; arbiterFixed: number; arbiterPerGroup: number };
}

/** One line of a monthly bill. */
export interface CostLine {
  service: 'Lambda' | 'EventBridge Scheduler' | 'DynamoDB' | 'SNS' | 'CloudWatch';
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  /** Part of the always-free tier this line could use (usd the free tier would take off). */
  freeUsd: number;
  /** Core lines run the arbiter; the others are its metrics, alarms and logs. */
  core: boolean;
}

/** A monthly estimate. */
export interface CostEstimate {
  scenario: CostScenario;
  lines: CostLine[];
  coreUsd: number;
  observabilityUsd: number;
  totalUsd: number;
  /** If this deployment were the only user of the account's always-free tiers. */
  totalAfterFreeTierUsd: number;
}

const INVOCATIONS_PER_MONTH = HOURS_PER_MONTH * 60;

/**
 * Metric series published all month long, whatever the number of groups (shared/runtime/metrics.ts):
 * with `metrics: detailed`, ProbeLatency and ProberHeartbeat, one series each per vantage;
 * none with `basic`, where the arbiter watches the vantages' heartbeats itself.
 */
export function continuousMetricSeries(vantages: number, metrics: MetricsLevel = 'basic'): number {
  return metrics === 'detailed' ? 2 * vantages : 0;
}

/**
 * Hours of event-only metric series one failover publishes. CloudWatch bills a custom metric
 * prorated by the hours in which it is published, so a series with a group dimension that only
 * appears when something happens to the group costs $0.30 / 730 per hour it appears in, not
 * $0.30 a month. These keep their group dimension (shared/runtime/metrics.ts): per failover,
 * Failovers and FailoverDurationMs (one hour each), LeaseContention (the stream wake-ups of a
 * failover may meet each other or the reconcile: at most one hour), and VerdictChanges per
 * vantage twice (the node going DOWN, and UP again when it recovers, counted as separate hours).
 * FailedFailovers and ReconcileErrors are stack-wide and appear only on errors: not counted.
 */
export function eventMetricHoursPerFailover(vantages: number): number {
  return 3 + 2 * vantages;
}

/**
 * Alarms of the stack (infra/alarms.ts), whatever the groups: with `basic`, the arbiter's
 * missing Invocations, the Errors of arbiter, failover, control and notify-slack,
 * FailedFailovers and GroupsNotReady (7); with `detailed`, also a heartbeat alarm per vantage
 * and ReconcileErrors.
 */
export function alarmCount(vantages: number, metrics: MetricsLevel = 'basic'): number {
  return stackAlarmCount(vantages, metrics);
}

/**
 * The monthly list-price bill of one deployment: two scheduled probers looping for most of
 * every minute, the arbiter's 1-minute reconcile plus the wake-ups failovers cause, one
 * heartbeat row per vantage (for all its groups) every heartbeatSeconds, the alerts, and the
 * CloudWatch metrics, alarms and logs the stack creates (shared/runtime/metrics.ts, infra/alarms.ts).
 */
export function estimateMonthlyCost(s: CostScenario, u: Usage): CostEstimate {
  const gbSecond = s.arch === 'arm64' ? PRICES.lambda.arm64GbSecond : PRICES.lambda.x86GbSecond;
  const proberInvocations = s.vantages * INVOCATIONS_PER_MONTH;
  const failovers = s.groups * u.failoversPerGroupMonth;
  const arbiterInvocations = INVOCATIONS_PER_MONTH + failovers * u.perFailover.arbiterWakeups;
  const proberGbS = proberInvocations * (u.proberMemoryMb / 1024) * u.proberSeconds(s.intervalSeconds);
  const arbiterGbS = arbiterInvocations * (u.arbiterMemoryMb / 1024) * u.arbiterSeconds;
  const requests = proberInvocations + arbiterInvocations;
  // One row per vantage, whatever the number of groups (shared/adapters/dynamo/keys.ts).
  const heartbeats = s.vantages * (3600 / u.heartbeatSeconds) * HOURS_PER_MONTH;
  const eventWrites = failovers * u.perFailover.tableWrites;
  // Strongly consistent reads (shared/adapters/dynamo/dynamo-group-store.ts): every reconcile reads, per
  // group, the heartbeats of its vantages, then the state item and every verdict row (vantages x
  // nodes) in BatchGetItem, one read unit per item (each < 4 KB). Each prober queries its own
  // partition once per invocation (its verdicts in every group) to continue rise/fall: a Query
  // is billed by the size it returns, one unit per 4 KB.
  const nodes = s.nodesPerGroup ?? 2;
  const arbiterReadsPerGroup = s.vantages + 1 + s.vantages * nodes;
  const proberQueryUnits = Math.max(1, Math.ceil((s.groups * nodes * VERDICT_ROW_BYTES) / 4096));
  const reads = s.groups * arbiterInvocations * arbiterReadsPerGroup + proberInvocations * proberQueryUnits;
  const sns = failovers * u.perFailover.snsMessages;
  // Metric-months: the continuous series, plus the event series prorated by the hour.
  const metricSeries =
    continuousMetricSeries(s.vantages, s.metrics) +
    (failovers * eventMetricHoursPerFailover(s.vantages)) / HOURS_PER_MONTH;
  const alarms = alarmCount(s.vantages, s.metrics);
  const logGb =
    (proberInvocations * (u.logBytes.proberFixed + s.groups * u.logBytes.proberPerGroup) +
      arbiterInvocations * (u.logBytes.arbiterFixed + s.groups * u.logBytes.arbiterPerGroup)) /
    1e9;

  const freeGbS = Math.min(PRICES.lambda.freeGbSeconds, proberGbS + arbiterGbS);
  const lines: CostLine[] = [
    line(
      'Lambda',
      `probers (${s.vantages} x ${u.proberMemoryMb} MB ${s.arch}, ${fmt(u.proberSeconds(s.intervalSeconds))} s per minute)`,
      proberGbS,
      'GB-s',
      proberGbS * gbSecond,
      (freeGbS * proberGbS * gbSecond) / Math.max(1e-9, proberGbS + arbiterGbS),
      true,
    ),
    line(
      'Lambda',
      `arbiter (${u.arbiterMemoryMb} MB, ${fmt(u.arbiterSeconds)} s per reconcile)`,
      arbiterGbS,
      'GB-s',
      arbiterGbS * gbSecond,
      (freeGbS * arbiterGbS * gbSecond) / Math.max(1e-9, proberGbS + arbiterGbS),
      true,
    ),
    line(
      'Lambda',
      'requests',
      requests,
      'requests',
      requests * PRICES.lambda.request,
      Math.min(requests, PRICES.lambda.freeRequests) * PRICES.lambda.request,
      true,
    ),
    line(
      'EventBridge Scheduler',
      `${s.vantages + 1} schedules, 1 per minute`,
      (s.vantages + 1) * INVOCATIONS_PER_MONTH,
      'invocations',
      (s.vantages + 1) * INVOCATIONS_PER_MONTH * PRICES.scheduler.invocation,
      (s.vantages + 1) * INVOCATIONS_PER_MONTH * PRICES.scheduler.invocation,
      true,
    ),
    line(
      'DynamoDB',
      `heartbeats (1 row per vantage every ${u.heartbeatSeconds} s, for all groups)`,
      heartbeats,
      'writes',
      heartbeats * PRICES.dynamodb.writeRequestUnit,
      0,
      true,
    ),
    line(
      'DynamoDB',
      `verdict, lease, state, history writes (${u.failoversPerGroupMonth} failover/group/month)`,
      eventWrites,
      'writes',
      eventWrites * PRICES.dynamodb.writeRequestUnit,
      0,
      true,
    ),
    line(
      'DynamoDB',
      'consistent reads of the group rows and heartbeats',
      reads,
      'reads',
      reads * PRICES.dynamodb.readRequestUnit,
      0,
      true,
    ),
    line(
      'SNS',
      'alerts (publish + email)',
      sns,
      'messages',
      sns * (PRICES.sns.publish + PRICES.sns.emailDelivery),
      sns * (PRICES.sns.publish + PRICES.sns.emailDelivery),
      true,
    ),
    line(
      'CloudWatch',
      'custom metrics (EMF series; event series by the hour)',
      metricSeries,
      'metrics',
      metricSeries * PRICES.cloudwatch.metricMonth,
      Math.min(metricSeries, PRICES.cloudwatch.freeMetrics) * PRICES.cloudwatch.metricMonth,
      false,
    ),
    line(
      'CloudWatch',
      'alarms',
      alarms,
      'alarms',
      alarms * PRICES.cloudwatch.alarmMonth,
      Math.min(alarms, PRICES.cloudwatch.freeAlarms) * PRICES.cloudwatch.alarmMonth,
      false,
    ),
    line(
      'CloudWatch',
      'logs ingested',
      logGb,
      'GB',
      logGb * PRICES.cloudwatch.logIngestGb,
      Math.min(logGb, PRICES.cloudwatch.freeLogGb) * PRICES.cloudwatch.logIngestGb,
      false,
    ),
  ];
  const sum = (ls: CostLine[]) => ls.reduce((a, l) => a + l.usd, 0);
  const coreUsd = sum(lines.filter((l) => l.core));
  const observabilityUsd = sum(lines.filter((l) => !l.core));
  const totalUsd = coreUsd + observabilityUsd;
  return {
    scenario: s,
    lines,
    coreUsd,
    observabilityUsd,
    totalUsd,
    totalAfterFreeTierUsd: totalUsd - lines.reduce((a, l) => a + l.freeUsd, 0),
  };
}

function line(
  service: CostLine['service'],
  item: string,
  quantity: number,
  unit: string,
  usd: number,
  freeUsd: number,
  core: boolean,
): CostLine {
  return { service, item, quantity, unit, usd, freeUsd: Math.min(usd, freeUsd), core };
}

function fmt(v: number): string {
  return v >= 10 ? v.toFixed(0) : v.toFixed(2);
}
