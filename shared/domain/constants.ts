/** Health of one node as seen by one vantage point after rise/fall counting. */
export const VerdictStatus = {
  UP: 'UP',
  DOWN: 'DOWN',
} as const;
export type VerdictStatus = (typeof VerdictStatus)[keyof typeof VerdictStatus];

/** Health of one node after combining the vantage points' verdicts and EC2 signals. */
export const NodeHealth = {
  HEALTHY: 'HEALTHY',
  DOWN: 'DOWN',
  UNKNOWN: 'UNKNOWN',
} as const;
export type NodeHealth = (typeof NodeHealth)[keyof typeof NodeHealth];

/** What a decision asks the arbiter to do. */
export const ActionKind = {
  STAY: 'stay',
  FAILOVER: 'failover',
  FAILBACK: 'failback',
  NO_HEALTHY_TARGET: 'no-healthy-target',
  REPAIR: 'repair',
  UNKNOWN: 'unknown',
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

/** Events published to SNS and written to history. */
export const EventType = {
  FAILOVER_SUCCEEDED: 'failover-succeeded',
  FAILOVER_FAILED: 'failover-failed',
  WOULD_FAIL_OVER: 'would-fail-over',
  NO_HEALTHY_TARGET: 'no-healthy-target',
  NODE_DOWN: 'node-down',
  NODE_UP: 'node-up',
  DRIFT_FOUND: 'drift-found',
  DRIFT_REPAIRED: 'drift-repaired',
  BREAKER_OPEN: 'breaker-open',
  MANUAL: 'manual',
  CONTROL: 'control',
  /** A ban with an expiry ran out: the node can be chosen as a target again. */
  BAN_ENDED: 'ban-ended',
  STORE_UNAVAILABLE: 'store-unavailable',
  /** The record now names the node EC2 shows holding everything (first reconcile, interrupted move). */
  PLACEMENT_RECORDED: 'placement-recorded',
  /** A failover would not work now (readiness lost), and why. */
  NOT_READY: 'not-ready',
  /** A failover would work again. */
  READY_AGAIN: 'ready-again',
  /** A drill rehearsed a failover (or was refused). */
  DRILL: 'drill',
  /** A vantage stopped confirming its verdicts (or started again): shared/usecases/vantage-silence.ts. */
  VANTAGE_SILENT: 'vantage-silent',
  /** An arbiter's clock is off AWS's by more than the bound: it holds automatic moves. */
  CLOCK_SKEW: 'clock-skew',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const Severity = {
  INFO: 'info',
  WARNING: 'warning',
  CRITICAL: 'critical',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export const ResourceKind = {
  ELASTIC_IP: 'elastic-ip',
  SECONDARY_IP: 'secondary-ip',
  ROUTE: 'route',
  ROUTE_TABLE_ASSOCIATION: 'route-table-association',
} as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];

/** EC2 instance states that mean the node cannot serve, whatever the probes say. */
export const DEAD_INSTANCE_STATES: ReadonlySet<string> = new Set([
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
]);
