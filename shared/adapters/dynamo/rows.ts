import type { NodeHealth, VerdictStatus } from '../../domain/constants';
import {
  emptyState,
  type GroupState,
  type HistoryEvent,
  type ProbeResult,
  type Verdict,
} from '../../domain/model';

/** A table row as plain values (after `unmarshall`). */
export type Item = Record<string, unknown>;

/**
 * Row mapping, with no I/O: how the table's items read as the model. The DynamoDB adapters
 * and the simulator's in-memory table share it, so both read a row the same way.
 */

/** Rebuilds a GroupState from the group's `state` item (an empty item reads as a new group). */
export function toState(group: string, item: Item): GroupState {
  const state = emptyState(group);
  if (typeof item.leaseOwner === 'string') state.leaseOwner = item.leaseOwner;
  state.leaseEpoch = Number(item.leaseEpoch ?? 0);
  state.leaseExpiresAt = Number(item.leaseExpiresAt ?? 0);
  if (typeof item.active === 'string') state.active = item.active;
  state.moveEpoch = Number(item.moveEpoch ?? 0);
  state.holders = (item.holders as Record<string, string> | undefined) ?? {};
  if (item.lastFailoverAt !== undefined) state.lastFailoverAt = Number(item.lastFailoverAt);
  state.failoverTimes = ((item.failoverTimes as unknown[] | undefined) ?? []).map(Number);
  if (item.breakerOpenSince !== undefined) state.breakerOpenSince = Number(item.breakerOpenSince);
  state.paused = item.paused === true;
  state.bans = prefixed(item, 'ban:', Number);
  state.health = prefixed(item, 'health:', (v) => v as NodeHealth);
  state.healthySince = prefixed(item, 'healthySince:', Number);
  state.alerts = prefixed(item, 'alert:', String);
  return state;
}

/**
 * The verdict of a verdict row, without its `streak`: what the arbiter reads. Rows written
 * before streaks were carried read the same.
 */
export function toVerdict(item: Item): Verdict {
  return {
    group: String(item.group),
    vantage: String(item.vantage),
    node: String(item.node),
    status: item.status as VerdictStatus,
    since: Number(item.since),
    seenAt: Number(item.seenAt),
    count: Number(item.count ?? 0),
    evidence: (item.evidence as ProbeResult[] | undefined) ?? [],
  };
}

/** A history row of `group` as the event it records. */
export function toHistoryEvent(group: string, item: Item): HistoryEvent {
  return {
    group,
    at: Number(item.at),
    event: String(item.event),
    severity: String(item.severity),
    summary: String(item.summary),
    ...(item.detail ? { detail: item.detail as Record<string, unknown> } : {}),
  };
}

/** The attributes of `item` named `<prefix><key>`, by key (bans, health, alerts...). */
function prefixed<T>(item: Item, prefix: string, map: (v: unknown) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(item)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = map(v);
  return out;
}
