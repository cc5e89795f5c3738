import type { CloudPort } from '../cloud';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../config/schema';
import { ActionKind, NodeHealth } from '../constants';
import {
  type Action,
  type Decision,
  decide,
  endedBans,
  forgettableBanEnds,
  Hold,
  isMove,
  type MoveAction,
} from '../decide';
import { LeaseHeldError, LeaseLostError, messageOf, StoreError } from '../errors';
import type { Log } from '../log';
import type { Holding, Lease, Signals } from '../model';
import type { Mover } from '../movers/mover';
import { driftFound } from '../notify/drift-format';
import * as format from '../notify/format';
import type { Notification, Notifier } from '../notify/notifier';
import type { AfterMove } from '../ops/after-move';
import type { GroupSnapshot, GroupStore } from '../store/ports';
import { watchVantageSilence } from '../vantage-silence';

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
  /** OS hook and fencing after a verified move; absent = neither. */
  afterMove?: AfterMove;
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
  timeline?: format.TimelineStep[];
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
  const now = deps.now();
  const decision = decide(group, snapshot.state, snapshot.verdicts, signals, now);
  return { snapshot, signals, decision, now };
}

/**
 * One reconcile of one group: read the verdicts (consistent), ask EC2 who holds what,
 * decide, and act under the lease. Safe to run from several arbiters at once.
 */
export async function reconcileGroup(deps: ArbiterDeps, group: GroupConfig): Promise<ReconcileResult> {
  const movers = deps.cloud.movers(group);
  const { snapshot, signals, decision, now } = await look(deps, group, movers);
  const { action } = decision;
  await recordHealth(deps, group, snapshot, decision);
  await announceEndedBans(deps, group, snapshot, decision, now);
  await watchVantageSilence(deps, group, snapshot, now);
  const base = { group: group.id, action: action.kind };
  await forgetWouldAlerts(deps, group, snapshot, action);
  await noteDrift(deps, group, snapshot, decision);

  if (action.kind === ActionKind.NO_HEALTHY_TARGET) {
    if (await deps.store.setAlert(group.id, NO_TARGET_ALERT, action.from ?? 'none')) {
      await publish(deps, group, format.noHealthyTarget(group, decision, action.reason), action.reason);
      return { ...base, outcome: 'alerted', detail: action.reason };
    }
    return { ...base, outcome: 'none', detail: action.reason };
  }
  // UNKNOWN (say, one vantage went quiet) resolves nothing: keep the alert, or the same outage
  // would be announced again once the vantage is back.
  if (action.kind !== ActionKind.UNKNOWN && snapshot.state.alerts[NO_TARGET_ALERT] !== undefined) {
    await deps.store.setAlert(group.id, NO_TARGET_ALERT, undefined);
  }
  if (action.kind === ActionKind.STAY)
    return adoptPlacement(deps, group, snapshot, decision, signals.holdings, base, action.reason);
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
  const key = wouldKey(action);
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

const DRIFT_ALERT = 'drift';

/**
 * Reports drift (EC2 shows the resources off the recorded holder, or split) once per episode;
 * the alert closes when EC2 matches the record again. While another arbiter holds the lease a
 * move is under way, and its half-moved, not yet recorded state is not drift. A placement the
 * decision keeps (all together on a healthy node) is adopted and announced by adoptPlacement.
 */
async function noteDrift(deps: ArbiterDeps, group: GroupConfig, snapshot: GroupSnapshot, decision: Decision) {
  const { state } = snapshot;
  const { drift } = decision;
  if (!drift) {
    if (state.alerts[DRIFT_ALERT] !== undefined) await deps.store.setAlert(group.id, DRIFT_ALERT, undefined);
    return;
  }
  const moving =
    state.leaseOwner !== undefined && state.leaseOwner !== deps.owner && state.leaseExpiresAt > deps.now();
  if (moving) return;
  // Everything together on a healthy node the decision keeps: adoptPlacement records it and
  // says so; a second message about the same hand move would be noise.
  if (!drift.split && decision.action.kind === ActionKind.STAY) return;
  if (await deps.store.setAlert(group.id, DRIFT_ALERT, drift.signature)) {
    await publish(deps, group, driftFound(group, decision, drift), drift.summary);
  }
}

/** History rows searched for the `control` action that set a ban which has now ended. */
const BAN_ORIGIN_ROWS = 100;

/**
 * Announces each ban that ran out, once across ticks and arbiters: the alert named after the
 * ban (node and expiry) is opened with a conditional write, and only the arbiter that opened it
 * tells. An unban before the expiry removes the ban, so only the unban is told. The decision
 * made with the same `now` already treats the node as eligible.
 */
async function announceEndedBans(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  decision: Decision,
  now: number,
) {
  const { state } = snapshot;
  for (const key of forgettableBanEnds(state, now)) await deps.store.setAlert(group.id, key, undefined);
  for (const ban of endedBans(group, state, now)) {
    if (!(await deps.store.setAlert(group.id, ban.key, String(now)))) continue;
    // Who set it and why is in the history; without it the message says less, nothing more.
    const history = await deps.store.readHistory(group.id, BAN_ORIGIN_ROWS).catch(() => []);
    const origin = format.banOrigin(history, ban.node, ban.expiresAt);
    await publish(
      deps,
      group,
      format.banEnded({ group, decision, ban, origin, now }),
      `ban on ${ban.node} expired`,
      { node: ban.node, expiresAt: ban.expiresAt },
    );
  }
}

const WOULD_PREFIX = 'would:';
const wouldKey = (action: MoveAction) => `${WOULD_PREFIX}${action.from ?? 'none'}->${action.to}`;

/**
 * "Would fail over X -> Y" is said once per episode: once the decision no longer wants that
 * held move (the holder is healthy again, the target changed, the group was resumed), its
 * alert is closed so the next episode is told again. UNKNOWN keeps it, so a node flapping
 * between DOWN and UNKNOWN does not repeat the message.
 */
async function forgetWouldAlerts(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  action: Action,
) {
  if (action.kind === ActionKind.UNKNOWN) return;
  const wanted =
    isMove(action) && (action.hold === Hold.OBSERVE || action.hold === Hold.PAUSED)
      ? wouldKey(action)
      : undefined;
  for (const key of Object.keys(snapshot.state.alerts)) {
    if (key.startsWith(WOULD_PREFIX) && key !== wanted) await deps.store.setAlert(group.id, key, undefined);
  }
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
  const base = {
    group: group.id,
    action: action.kind,
    to: action.to,
    ...(action.from ? { from: action.from } : {}),
  };
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
      deps.log.info('another arbiter holds the lease; standing down', {
        group: group.id,
        holder: error.holder,
      });
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
    // A first placement (no node held the address) is not a failover: it must not start the
    // cooldown, or the first real failure right after would be held.
    const countsAsFailover = request.kind !== 'repair' && action.from !== undefined;
    const { state } = snapshot;
    // The cooldown and the breaker count a failover from its first EC2 call on, even if the
    // move then fails or this arbiter dies before recording it (see recordFailoverStart).
    const start = async () => {
      const at = deps.now();
      const recent = state.failoverTimes.filter((t) => t > at - group.policy.breaker.windowSeconds * 1000);
      const failoverTimes = request.kind === 'manual' ? recent : [...recent, at];
      await deps.store.recordFailoverStart(lease, { lastFailoverAt: at, failoverTimes });
    };
    const holdings = await moveAll(
      deps,
      group,
      movers,
      target,
      lease,
      timeline,
      (l) => {
        lease = l;
      },
      countsAsFailover ? start : undefined,
    );
    const now = deps.now();
    const windowStart = now - group.policy.breaker.windowSeconds * 1000;
    // Manual moves start the cooldown (the arbiter must not undo them at once) but do not
    // count toward the breaker, which guards against the arbiter's own flapping.
    const recent = snapshot.state.failoverTimes.filter((t) => t > windowStart);
    await deps.store.recordMove(lease, {
      active: target.id,
      holders: Object.fromEntries(holdings.map((h) => [h.resource, h.node ?? ''])),
      ...(countsAsFailover
        ? {
            lastFailoverAt: now,
            failoverTimes: request.kind === 'manual' ? recent : [...recent, now],
          }
        : {}),
    });
    timeline.push({ at: deps.now(), what: `recorded (epoch ${lease.epoch})` });
    if (deps.afterMove) {
      const after = await deps.afterMove
        .run({
          group,
          from: action.from,
          to: action.to,
          decision: current,
          movers,
          cloud: deps.cloud,
          now: deps.now,
          beforeMutation: async (call) => {
            lease = await extendBeforeMutation(deps, lease, leaseMs);
            timeline.push({ at: deps.now(), what: call });
          },
        })
        .catch((error: unknown) => [
          { at: deps.now(), what: `after-move steps failed: ${messageOf(error)}` },
        ]);
      timeline.push(...after);
    }
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
    return { ...base, outcome: 'moved', moveMs: now - leaseAt, detail: note.subject, timeline };
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
    return { ...base, outcome: 'failed', detail: messageOf(error), timeline };
  } finally {
    await deps.store.releaseLease(lease).catch((error: unknown) => {
      deps.log.warn('lease release failed (it expires on its own)', {
        group: group.id,
        error: messageOf(error),
      });
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
  beforeFirstMutation?: () => Promise<void>,
): Promise<Holding[]> {
  const leaseMs = deps.config.arbiter.leaseSeconds * 1000;
  let current = lease;
  let first = beforeFirstMutation;
  const beforeMutation = async (call: string) => {
    // Before the extend, so that its answer is the last thing waited for before the call.
    if (first) {
      const run = first;
      first = undefined;
      await run();
    }
    current = await extendBeforeMutation(deps, current, leaseMs);
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

/*
 * The race this check closes (found by the simulator, test/sim/regressions/):
 *   t0      A extends its lease (epoch e) to t0 + lease; the answer is delayed (a frozen
 *           container, a slow network).
 *   t0+L    the lease expires; B takes it (epoch e+1) and moves the resources.
 *   t0+L+x  A's answer arrives: "extended". A calls EC2 and undoes B's move.
 * The extend proved the lease ours until `sent + lease` by our clock only, and another
 * arbiter's clock may run ahead of ours. So an answer that took more than half the lease is
 * not acted on; the other half covers clock skew and the time the mutating call takes to land.
 */
/**
 * Extends the lease right before a mutating EC2 call.
 * @throws LeaseLostError if another arbiter holds it, or the answer came too late to act on.
 */
export async function extendBeforeMutation(deps: ArbiterDeps, lease: Lease, leaseMs: number): Promise<Lease> {
  const sent = deps.now();
  const next = await deps.store.extendLease(lease, sent, leaseMs);
  if (deps.now() - sent > leaseMs / 2) throw new LeaseLostError(lease.group, lease.owner, lease.epoch);
  return next;
}

/** Records node health transitions (once across arbiters) and notifies DOWN and recovery. */
async function recordHealth(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  decision: Decision,
) {
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
    if (worthTelling)
      await publish(deps, group, format.nodeHealthChanged(group, a, decision, down), a.reason);
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
    deps.log.error('notification failed', {
      group: group.id,
      subject: note.subject,
      error: messageOf(error),
    });
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
    .catch((error: unknown) =>
      deps.log.error('history write failed', { group: group.id, error: messageOf(error) }),
    );
}

/** Reconciles several groups; one group's failure does not stop the others. */
export async function reconcileAll(
  deps: ArbiterDeps,
  groups: readonly GroupConfig[],
): Promise<ReconcileResult[]> {
  return Promise.all(
    groups.map(async (g) => {
      try {
        const result = await reconcileGroup(deps, g);
        if (storeOutages.delete(g.id)) {
          await deps.notifier
            .publish(format.storeAvailability(g, true, 'reads and writes succeed again'))
            .catch(() => undefined);
        }
        return result;
      } catch (error) {
        deps.log.error('reconcile failed', { group: g.id, error: messageOf(error) });
        if (error instanceof StoreError && !storeOutages.has(g.id)) {
          // Without the table there is no lease and no verdicts: nothing moves. Say so once per
          // container and outage (the table cannot deduplicate while it is down; the arbiter
          // errors alarm covers the deployed stack too).
          storeOutages.add(g.id);
          await deps.notifier
            .publish(format.storeAvailability(g, false, messageOf(error)))
            .catch(() => undefined);
        }
        return { group: g.id, action: 'error', outcome: 'failed' as const, detail: messageOf(error) };
      }
    }),
  );
}

/** Groups whose table reads fail, as seen by this container. */
const storeOutages = new Set<string>();

/**
 * Records what EC2 shows when every resource sits on one healthy node that the record does
 * not name: the first reconcile of a new group, or a move whose arbiter died after EC2 applied
 * it and before it could record it (or notify). Written under the lease, like any move, so it
 * never races a move in flight; says so once, because the operator may never have been told.
 */
async function adoptPlacement(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  decision: Decision,
  holdings: readonly Holding[],
  base: { group: string; action: string },
  reason: string,
): Promise<ReconcileResult> {
  const { state } = snapshot;
  const active = decision.active;
  const together = holdings.length > 0 && holdings.every((h) => h.node === active);
  const recorded = holdings.every((h) => state.holders[h.resource] === h.node);
  if (active === undefined || !together || (state.active === active && recorded)) {
    return { ...base, outcome: 'none', detail: reason };
  }
  let lease: Lease;
  try {
    lease = await deps.store.acquireLease(
      group.id,
      deps.owner,
      deps.now(),
      deps.config.arbiter.leaseSeconds * 1000,
    );
  } catch (error) {
    if (error instanceof LeaseHeldError) return { ...base, outcome: 'lease-held', detail: error.message };
    throw error;
  }
  try {
    await deps.store.recordMove(lease, {
      active,
      holders: Object.fromEntries(holdings.map((h) => [h.resource, active])),
    });
  } finally {
    await deps.store.releaseLease(lease).catch(() => undefined);
  }
  await publish(deps, group, format.placementAdopted(group, decision, holdings, state.active), reason);
  return {
    ...base,
    outcome: 'none',
    detail: `recorded ${active} as holder (was ${state.active ?? 'unrecorded'})`,
  };
}
