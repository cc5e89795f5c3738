import type { CloudPort } from '../cloud';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../config/schema';
import { ActionKind, NodeHealth } from '../constants';
import { type Decision, decide, Hold, isMove, type MoveAction } from '../decide';
import { LeaseHeldError, LeaseLostError, messageOf } from '../errors';
import type { Log } from '../log';
import type { Holding, Lease, Signals } from '../model';
import type { Mover } from '../movers/mover';
import * as format from '../notify/format';
import type { Notification, Notifier } from '../notify/notifier';
import type { GroupSnapshot, GroupStore } from '../store/ports';

/** What the arbiter use-cases need; built once per container by the handler. */
export interface ArbiterDeps {
  config: ArbiterConfig;
  store: GroupStore;
  cloud: CloudPort;
  notifier: Notifier;
  /** Unique per invocation: written into the lease. */
  owner: string;
  now: () => number;
  log: Log;
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
}

const NO_TARGET_ALERT = 'no-healthy-target';
const MOVE_ATTEMPTS = 2;

/** Reads, observes, decides. */
async function look(deps: ArbiterDeps, group: GroupConfig, movers: Mover[]) {
  const [snapshot, instances, holdings] = await Promise.all([
    deps.store.readGroup(group.id),
    deps.cloud.signals(group),
    Promise.all(movers.map((m) => m.observe())),
  ]);
  const signals: Signals = { instances, holdings };
  const decision = decide(group, snapshot.state, snapshot.verdicts, signals, deps.now());
  return { snapshot, signals, decision };
}

/**
 * One reconcile of one group: read the verdicts (consistent), ask EC2 who holds what,
 * decide, and act under the lease. Safe to run from several arbiters at once.
 */
export async function reconcileGroup(deps: ArbiterDeps, group: GroupConfig): Promise<ReconcileResult> {
  const movers = deps.cloud.movers(group);
  const { snapshot, decision } = await look(deps, group, movers);
  const { action } = decision;
  await recordHealth(deps, group, snapshot, decision);
  const base = { group: group.id, action: action.kind };

  if (action.kind === ActionKind.NO_HEALTHY_TARGET) {
    if (await deps.store.setAlert(group.id, NO_TARGET_ALERT, action.from ?? 'none')) {
      await publish(deps, group, format.noHealthyTarget(group, decision, action.reason), action.reason);
      return { ...base, outcome: 'alerted', detail: action.reason };
    }
    return { ...base, outcome: 'none', detail: action.reason };
  }
  if (snapshot.state.alerts[NO_TARGET_ALERT] !== undefined) {
    await deps.store.setAlert(group.id, NO_TARGET_ALERT, undefined);
  }
  if (!isMove(action)) return { ...base, outcome: 'none', detail: action.reason };
  if (action.hold) return held(deps, group, decision, action);
  return executeMove(deps, group, movers, decision, action, { kind: action.kind });
}

async function held(
  deps: ArbiterDeps,
  group: GroupConfig,
  decision: Decision,
  action: MoveAction,
): Promise<ReconcileResult> {
  const result: ReconcileResult = {
    group: group.id,
    action: action.kind,
    outcome: 'held',
    to: action.to,
    detail: `${action.hold}: ${action.reason}`,
    ...(action.from ? { from: action.from } : {}),
  };
  if (action.hold === Hold.COOLDOWN) return result;
  if (action.hold === Hold.BREAKER) {
    if (action.opensBreaker && (await deps.store.openBreaker(group.id, deps.now()))) {
      const recent = group.policy.breaker.maxFailovers;
      await publish(deps, group, format.breakerOpened(group, decision, recent), action.reason);
    }
    return result;
  }
  const heldBy = action.hold === Hold.OBSERVE ? 'mode: observe' : 'group paused';
  const key = `would:${action.from ?? 'none'}->${action.to}`;
  if (await deps.store.setAlert(group.id, key, String(deps.now()))) {
    await publish(
      deps,
      group,
      format.wouldFailOver(group, decision, action.from, action.to, action.reason, heldBy),
      action.reason,
    );
  }
  return result;
}

/** Options of a move made under the lease (automatic or manual). */
export interface MoveRequest {
  kind: 'failover' | 'failback' | 'repair' | 'manual';
  requestedBy?: string;
  /** Manual moves skip the re-decision under the lease (the operator chose the target). */
  skipRecheck?: boolean;
}

/**
 * Takes the lease, re-checks the decision with fresh reads, moves every resource in order
 * (extending the lease before each mutating call), records the move conditionally on the
 * epoch, notifies, and releases the lease.
 */
export async function executeMove(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: Mover[],
  decision: Decision,
  action: MoveAction,
  request: MoveRequest,
): Promise<ReconcileResult> {
  const leaseMs = deps.config.arbiter.leaseSeconds * 1000;
  const base = { group: group.id, action: action.kind, to: action.to, ...(action.from ? { from: action.from } : {}) };
  const timeline: format.TimelineStep[] = [];
  const detected = action.from ? decision.assessments[action.from]?.downSince : undefined;
  if (detected !== undefined) {
    timeline.push({ at: detected, what: `${action.from} DOWN by quorum (${action.reason})` });
  }
  let lease: Lease;
  try {
    lease = await deps.store.acquireLease(group.id, deps.owner, deps.now(), leaseMs);
  } catch (error) {
    if (error instanceof LeaseHeldError) {
      deps.log.info('another arbiter holds the lease; standing down', { group: group.id, holder: error.holder });
      return { ...base, outcome: 'lease-held', detail: error.message };
    }
    throw error;
  }
  const leaseAt = deps.now();
  timeline.push({ at: leaseAt, what: `lease taken by ${deps.owner} (epoch ${lease.epoch})` });
  try {
    let current = decision;
    let snapshot: GroupSnapshot | undefined;
    if (!request.skipRecheck) {
      // Double-check under the lease: another arbiter may have moved the address between our
      // first read and our lease, or the node may have recovered.
      const fresh = await look(deps, group, movers);
      const again = fresh.decision.action;
      if (!isMove(again) || again.hold || again.to !== action.to) {
        return { ...base, outcome: 'superseded', detail: `re-check under the lease: ${again.kind}` };
      }
      current = fresh.decision;
      snapshot = fresh.snapshot;
    } else {
      snapshot = await deps.store.readGroup(group.id);
    }
    const target = group.nodes.find((n) => n.id === action.to) as NodeConfig;
    const holdings = await moveAll(deps, group, movers, target, lease, timeline, (l) => {
      lease = l;
    });
    const now = deps.now();
    const countsAsFailover = request.kind !== 'repair';
    const windowStart = now - group.policy.breaker.windowSeconds * 1000;
    await deps.store.recordMove(lease, {
      active: target.id,
      holders: Object.fromEntries(holdings.map((h) => [h.resource, h.node ?? ''])),
      ...(countsAsFailover
        ? {
            lastFailoverAt: now,
            failoverTimes: [...snapshot.state.failoverTimes.filter((t) => t > windowStart), now],
          }
        : {}),
    });
    timeline.push({ at: deps.now(), what: `recorded (epoch ${lease.epoch})` });
    const note = format.failoverSucceeded({
      group,
      kind: request.kind,
      from: action.from,
      to: action.to,
      reason: action.reason,
      decision: current,
      holdings,
      timeline,
      epoch: lease.epoch,
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    });
    await publish(deps, group, note, action.reason, { timeline, epoch: lease.epoch });
    return { ...base, outcome: 'moved', moveMs: now - leaseAt, detail: note.subject };
  } catch (error) {
    deps.log.error('move failed', { group: group.id, error: messageOf(error) });
    timeline.push({ at: deps.now(), what: `failed: ${messageOf(error)}` });
    const holdings = await Promise.all(movers.map((m) => m.observe())).catch(() => undefined);
    await publish(
      deps,
      group,
      format.failoverFailed({
        group,
        from: action.from,
        to: action.to,
        reason: action.reason,
        error: messageOf(error),
        holdings,
        timeline,
      }),
      action.reason,
    ).catch(() => undefined);
    return { ...base, outcome: 'failed', detail: messageOf(error) };
  } finally {
    await deps.store.releaseLease(lease).catch((error: unknown) => {
      deps.log.warn('lease release failed (it expires on its own)', { group: group.id, error: messageOf(error) });
    });
  }
}

/** Moves every resource in the declared order; a failed resource is retried within the lease. */
async function moveAll(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: Mover[],
  target: NodeConfig,
  lease: Lease,
  timeline: format.TimelineStep[],
  onLease: (lease: Lease) => void,
): Promise<Holding[]> {
  const leaseMs = deps.config.arbiter.leaseSeconds * 1000;
  let current = lease;
  const beforeMutation = async (call: string) => {
    current = await deps.store.extendLease(current, deps.now(), leaseMs);
    onLease(current);
    timeline.push({ at: deps.now(), what: call });
  };
  const holdings: Holding[] = [];
  for (const mover of movers) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const outcome = await mover.moveTo(target, { beforeMutation });
        timeline.push({
          at: deps.now(),
          what: `${outcome.changed ? 'verified' : 'already in place'}: ${mover.key} on ${target.id}`,
        });
        holdings.push({ resource: mover.key, node: target.id, detail: outcome.detail });
        break;
      } catch (error) {
        if (error instanceof LeaseLostError || attempt >= MOVE_ATTEMPTS) throw error;
        deps.log.warn('move of one resource failed; retrying within the lease', {
          group: group.id,
          resource: mover.key,
          error: messageOf(error),
        });
        timeline.push({ at: deps.now(), what: `retrying ${mover.key}: ${messageOf(error)}` });
      }
    }
  }
  return holdings;
}

/** Records node health transitions (once across arbiters) and notifies DOWN and recovery. */
async function recordHealth(deps: ArbiterDeps, group: GroupConfig, snapshot: GroupSnapshot, decision: Decision) {
  const { state } = snapshot;
  const leaving = isMove(decision.action) && !decision.action.hold ? decision.action.from : undefined;
  for (const node of group.nodes) {
    const a = decision.assessments[node.id];
    if (!a || a.health === NodeHealth.UNKNOWN) continue;
    const before = state.health[node.id];
    if (before === a.health) continue;
    const won = await deps.store.transitionHealth(group.id, node.id, before, a.health);
    if (!won) continue;
    const down = a.health === NodeHealth.DOWN;
    const worthTelling = down ? node.id !== leaving : before === NodeHealth.DOWN;
    if (worthTelling) await publish(deps, group, format.nodeHealthChanged(group, a, decision, down), a.reason);
  }
  const changed = group.nodes.some((n) => state.healthySince[n.id] !== decision.healthySince[n.id]);
  if (changed) {
    await deps.store.saveHealthySince(
      group.id,
      decision.healthySince,
      group.nodes.map((n) => n.id),
    );
  }
}

/** Publishes and records a history row; a failed publish is logged, never blocks a failover. */
async function publish(
  deps: ArbiterDeps,
  group: GroupConfig,
  note: Notification,
  reason: string,
  detail: Record<string, unknown> = {},
) {
  try {
    await deps.notifier.publish(note);
  } catch (error) {
    deps.log.error('notification failed', { group: group.id, subject: note.subject, error: messageOf(error) });
  }
  await deps.store
    .appendHistory(
      {
        group: group.id,
        at: deps.now(),
        event: note.event,
        severity: note.severity,
        summary: note.subject,
        detail: { reason, ...detail },
      },
      deps.config.arbiter.historyTtlDays,
    )
    .catch((error: unknown) => deps.log.error('history write failed', { group: group.id, error: messageOf(error) }));
}

/** Reconciles several groups; one group's failure does not stop the others. */
export async function reconcileAll(deps: ArbiterDeps, groups: readonly GroupConfig[]): Promise<ReconcileResult[]> {
  return Promise.all(
    groups.map(async (g) => {
      try {
        return await reconcileGroup(deps, g);
      } catch (error) {
        deps.log.error('reconcile failed', { group: g.id, error: messageOf(error) });
        return { group: g.id, action: 'error', outcome: 'failed' as const, detail: messageOf(error) };
      }
    }),
  );
}

