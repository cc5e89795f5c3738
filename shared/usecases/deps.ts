import type { ArbiterConfig } from '../config/schema';
import type { Lease, LeaseRecord } from '../domain/model';
import type { TimelineStep } from '../messages/format';
import type { CloudPort } from '../ports/cloud';
import type { Log } from '../ports/log';
import type { Notifier } from '../ports/notifier';
import type { GroupStore } from '../ports/store';
import type { AfterMove } from './after-move';
import type { ReadinessPorts } from './readiness';

/**
 * What an arbiter container remembers across its invocations. Built once per container (one
 * per Lambda container, one per simulated container) and passed in, never a module global, so
 * that two containers in one process (the simulator, tests) never share it.
 */
export interface ContainerMemory {
  /** Groups whose table reads fail, as seen by this container (said once per outage). */
  storeOutages: Set<string>;
  /**
   * Per group, the held lease record this container last saw and when it first saw it, on its
   * monotonic clock: a held lease is taken only once it stayed that very record for a lease
   * duration (LeaseGuard.take).
   */
  leaseSightings: Map<string, LeaseSighting>;
  /**
   * Per group, a lease one of this container's invocations was done with but could not release
   * (the table was unreachable). That invocation has ended and will call nothing more under it,
   * so the next take of the group here releases it first: the group is not left waiting out a
   * full lease of watching for a holder that is in fact gone.
   */
  unreleasedLeases: Map<string, Lease>;
  /** Groups whose clock-skew alert this container opened: it alone closes them (clockSkewHolds). */
  clockSkewAlerts: Set<string>;
}

/** A held lease record and when this container first saw it (its monotonic clock, ms). */
export interface LeaseSighting {
  record: LeaseRecord;
  firstSeenAt: number;
}

/** A fresh memory, for a new container. */
export function newContainerMemory(): ContainerMemory {
  return {
    storeOutages: new Set(),
    leaseSightings: new Map(),
    unreleasedLeases: new Map(),
    clockSkewAlerts: new Set(),
  };
}

/** What the arbiter use-cases need; built once per container by the handler. */
export interface ArbiterDeps {
  config: ArbiterConfig;
  store: GroupStore;
  cloud: CloudPort;
  notifier: Notifier;
  /** Unique per invocation: written into the lease. */
  owner: string;
  now: () => number;
  /**
   * This container's monotonic clock in ms (any origin): only differences of its own readings
   * are used, never compared with a time another arbiter wrote. Absent = `performance.now()`.
   */
  monotonic?: () => number;
  log: Log;
  /** The container's memory across invocations. */
  memory: ContainerMemory;
  /**
   * This container's clock skew against AWS in ms, proven from response `Date` headers
   * (shared/domain/clock-skew.ts); undefined = not measured (no response yet, or not measured here).
   */
  clockSkewMs?: () => number | undefined;
  /**
   * True while `now` reads AWS's time as proven by a recent answer (ClockSkew.proven); absent
   * or false = `now` is the bare local clock, never compared with a time another arbiter wrote
   * to take a lease.
   */
  awsTimeProven?: () => boolean;
  /** OS hook and fencing after a verified move; absent = neither. */
  afterMove?: AfterMove;
  /** Readiness checks (shared/usecases/readiness.ts); absent = readiness is not judged. */
  readiness?: ReadinessPorts;
}

/** What one reconcile of one group did. */
export interface ReconcileResult {
  group: string;
  action: string;
  outcome: 'none' | 'moved' | 'held' | 'lease-held' | 'superseded' | 'failed' | 'alerted';
  from?: string;
  to?: string;
  detail?: string;
  /** Milliseconds from lease to verified move, when moved. */
  moveMs?: number;
  /** The steps of a move (lease, calls, verification, record, hooks), when one was attempted. */
  timeline?: TimelineStep[];
}
