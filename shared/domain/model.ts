import type { NodeHealth, VerdictStatus } from './constants';

/** The outcome of one probe of one node. */
export interface ProbeResult {
  ok: boolean;
  /** Milliseconds from start to answer or failure. */
  latencyMs: number;
  /** Epoch milliseconds when the probe started. */
  at: number;
  /** Why it failed, e.g. `timeout after 2000 ms`, `ECONNREFUSED`, `status 503`. */
  error?: string;
  /** HTTP status, when there was one. */
  status?: number;
}

/** One vantage point's view of one node, as stored in the table. */
export interface Verdict {
  group: string;
  vantage: string;
  node: string;
  status: VerdictStatus;
  /** When the status last changed (epoch ms). */
  since: number;
  /** When the vantage last confirmed this verdict: the row's write or the vantage's heartbeat. */
  seenAt: number;
  /** Consecutive failures (or successes) that led to this status. */
  count: number;
  /** The most recent probe results, newest last. */
  evidence: ProbeResult[];
  /**
   * The prober's side only: a streak against `status` that was in progress when the vantage's
   * previous invocation ended, for the next invocation to continue (shared/domain/verdict-tracker.ts).
   * Never part of the verdict: GroupStore.readGroup leaves it out, so the arbiter never sees it.
   */
  streak?: Streak;
  /**
   * The prober's side only: the order of the row's last write, per vantage (see
   * shared/usecases/write-order.ts). A write lands only over a row with a lower `seq`, so a late
   * write never replaces a newer one. loadVerdicts returns it; readGroup leaves it out.
   */
  seq?: number;
}

/**
 * Consecutive results against a verdict's status, not (yet) enough to change it: failures
 * toward `fall` while UP, or successes toward `rise` while DOWN.
 */
export interface Streak {
  /** Successes (against DOWN) or failures (against UP). */
  ok: boolean;
  /** How many in a row. */
  count: number;
  /** When the streak's latest probe started (epoch ms). */
  at: number;
  /** The streak's latest results (at most three), newest last. */
  evidence: ProbeResult[];
}

/** What EC2 says about one instance. */
export interface InstanceSignal {
  instanceId: string;
  /** EC2 state name: pending, running, stopping, stopped, shutting-down, terminated. */
  state: string;
  /** Instance or system status check is impaired. */
  impaired: boolean;
  /** Epoch ms of the last launch. */
  launchTime?: number;
}

/** Who holds one resource right now according to EC2 Describe calls. */
export interface Holding {
  /** Stable key of the resource within the group, e.g. `elastic-ip eipalloc-0abc`. */
  resource: string;
  /** The group node holding it, or undefined if none of the group's nodes does. */
  node: string | undefined;
  /** Human text, e.g. `eni-0aaa / 10.0.1.10 (eipassoc-0123)`. */
  detail: string;
}

/** EC2's picture of a group, gathered before deciding. */
export interface Signals {
  /** Per node id. A node missing here has no EC2 information (treated as no signal). */
  instances: Record<string, InstanceSignal>;
  /** One per resource, in the group's declared order. */
  holdings: Holding[];
}

/** The group's item in the table: lease plus recorded state. */
export interface GroupState {
  group: string;
  leaseOwner?: string;
  leaseEpoch: number;
  leaseExpiresAt: number;
  /** Node the group was last moved to, and the epoch of that move. */
  active?: string;
  moveEpoch: number;
  /** Recorded holder per resource key. */
  holders: Record<string, string>;
  lastFailoverAt?: number;
  /** Times of recent failovers, for the circuit breaker. */
  failoverTimes: number[];
  breakerOpenSince?: number;
  paused: boolean;
  /** Node id -> ban expiry (epoch ms), or 0 for a ban without expiry. */
  bans: Record<string, number>;
  /** Node id -> last recorded quorum health (for transition notifications). */
  health: Record<string, NodeHealth>;
  /** Node id -> since when it has been continuously HEALTHY. */
  healthySince: Record<string, number>;
  /** Open alerts by key (deduplication across ticks and arbiters). */
  alerts: Record<string, string>;
}

/** A fresh, empty state for a group that has never been recorded. */
export function emptyState(group: string): GroupState {
  return {
    group,
    leaseEpoch: 0,
    leaseExpiresAt: 0,
    moveEpoch: 0,
    holders: {},
    failoverTimes: [],
    paused: false,
    bans: {},
    health: {},
    healthySince: {},
    alerts: {},
  };
}

/** A lease we hold. */
export interface Lease {
  group: string;
  owner: string;
  epoch: number;
  expiresAt: number;
}

/**
 * A lease record as another arbiter saw it: who held it, under which epoch, and the record's
 * version (raised by every take and every extension; 0 on an item written before versions).
 * Compared only for equality, never with a clock.
 */
export interface LeaseRecord {
  owner: string;
  epoch: number;
  version: number;
}

/** A history row. */
export interface HistoryEvent {
  group: string;
  at: number;
  event: string;
  severity: string;
  summary: string;
  detail?: Record<string, unknown>;
}
