import type { GroupConfig } from '../config/schema';
import { MAX_CLOCK_SKEW_MS } from '../domain/clock-skew';
import { ActionKind, EventType, NodeHealth, Severity } from '../domain/constants';
import {
  type Action,
  type Decision,
  endedBans,
  forgettableBanEnds,
  Hold,
  isMove,
  type MoveAction,
} from '../domain/decide';
import { banEnded, banOrigin } from '../messages/bans';
import { driftFound } from '../messages/drift';
import * as format from '../messages/format';
import type { GroupSnapshot } from '../ports/store';
import type { ArbiterDeps, ReconcileResult } from './deps';
import { publish } from './publish';

/*
 * The alert families of a reconcile. Each is said once across ticks and arbiters: an alert
 * key is opened with a conditional write (setAlert) and only the arbiter that opened it tells.
 */

const NO_TARGET_ALERT = 'no-healthy-target';
const DRIFT_ALERT = 'drift';
const WOULD_PREFIX = 'would:';
const wouldKey = (action: MoveAction) => `${WOULD_PREFIX}${action.from ?? 'none'}->${action.to}`;

/** History rows searched for the `control` action that set a ban which has now ended. */
const BAN_ORIGIN_ROWS = 100;

/**
 * "No healthy target": opened (and told) when the decision says so; closed by any other
 * decision but UNKNOWN.
 * @returns the result when the action was NO_HEALTHY_TARGET, else undefined (go on).
 */
export async function noHealthyTarget(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  decision: Decision,
): Promise<ReconcileResult | undefined> {
  const { action } = decision;
  const base = { group: group.id, action: action.kind };
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
  return undefined;
}

/** A move the policy holds (cooldown, breaker, observe mode, paused): said once per episode. */
export async function held(
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
  if (await deps.store.setAlert(group.id, wouldKey(action), String(deps.now()))) {
    await publish(
      deps,
      group,
      format.wouldFailOver(group, decision, action.from, action.to, action.reason, heldBy),
      action.reason,
    );
  }
  return result;
}

/**
 * Reports drift (EC2 shows the resources off the recorded holder, or split) once per episode;
 * the alert closes when EC2 matches the record again. While another arbiter holds the lease a
 * move is under way, and its half-moved, not yet recorded state is not drift. A placement the
 * decision keeps (all together on a healthy node) is adopted and announced by adoptPlacement.
 */
export async function noteDrift(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  decision: Decision,
) {
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

/**
 * Announces each ban that ran out, once across ticks and arbiters: the alert named after the
 * ban (node and expiry) is opened with a conditional write, and only the arbiter that opened it
 * tells. An unban before the expiry removes the ban, so only the unban is told. The decision
 * made with the same `now` already treats the node as eligible.
 */
export async function announceEndedBans(
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
    const origin = banOrigin(history, ban.node, ban.expiresAt);
    await publish(
      deps,
      group,
      banEnded({ group, decision, ban, origin, now }),
      `ban on ${ban.node} expired`,
      { node: ban.node, expiresAt: ban.expiresAt },
    );
  }
}

/**
 * "Would fail over X -> Y" is said once per episode: once the decision no longer wants that
 * held move (the holder is healthy again, the target changed, the group was resumed), its
 * alert is closed so the next episode is told again. UNKNOWN keeps it, so a node flapping
 * between DOWN and UNKNOWN does not repeat the message.
 */
export async function forgetWouldAlerts(
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

/** Records node health transitions (once across arbiters) and notifies DOWN and recovery. */
export async function recordHealth(
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

/**
 * Says once per container and outage that the group's table cannot be reached, and once
 * that it can again. The table cannot deduplicate while it is down, so the memory is the
 * container's (the arbiter errors alarm covers the deployed stack too).
 */
export async function storeAvailability(
  deps: ArbiterDeps,
  group: GroupConfig,
  available: boolean,
  detail: string,
): Promise<void> {
  const outages = deps.memory.storeOutages;
  if (available ? !outages.delete(group.id) : outages.has(group.id)) return;
  if (!available) outages.add(group.id);
  await deps.notifier.publish(format.storeAvailability(group, available, detail)).catch(() => undefined);
}

const CLOCK_SKEW_ALERT = 'clock-skew';
/** An open clock-skew alert no container claims is cleared after this, so it can be said again. */
export const CLOCK_SKEW_REMIND_MS = 60 * 60_000;

/*
 * Why automatic moves wait on a skewed clock: every container reads AWS's time (its clock less
 * the skew it proved, ClockSkew.awsNow), and the proof is only as good as one second plus a
 * round trip. A container whose clock is off by more than the bound is out of the ordinary
 * (Lambda keeps clocks synchronised), so it stands down and says so. The alert is one per
 * group across containers (a conditional write); only the container that opened it closes it,
 * so a container with a good clock never closes another's and makes it say it again. If that
 * container is gone (recycled while skewed), another clears the alert an hour after it opened,
 * and a container still skewed then says it again.
 */
/**
 * Checks this container's measured clock skew against MAX_CLOCK_SKEW_MS.
 * @returns true when automatic moves must wait.
 */
export async function clockSkewHolds(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
): Promise<boolean> {
  const skew = deps.clockSkewMs?.();
  const open = snapshot.state.alerts[CLOCK_SKEW_ALERT];
  const mine = deps.memory.clockSkewAlerts;
  if (skew === undefined || Math.abs(skew) <= MAX_CLOCK_SKEW_MS) {
    const openedAt = Number(open?.split('@')[1]);
    const abandoned = Number.isFinite(openedAt) && deps.now() - openedAt >= CLOCK_SKEW_REMIND_MS;
    if (open !== undefined && skew !== undefined && (mine.has(group.id) || abandoned)) {
      await deps.store.setAlert(group.id, CLOCK_SKEW_ALERT, undefined);
      mine.delete(group.id);
    }
    return false;
  }
  if (await deps.store.setAlert(group.id, CLOCK_SKEW_ALERT, `${skew}@${deps.now()}`)) {
    mine.add(group.id);
    const way = skew > 0 ? 'ahead of' : 'behind';
    const seconds = (Math.abs(skew) / 1000).toFixed(1);
    await publish(
      deps,
      group,
      {
        group: group.id,
        event: EventType.CLOCK_SKEW,
        severity: Severity.WARNING,
        subject: `[ha-arbiter] ${group.id}: arbiter clock ${seconds} s ${way} AWS; its automatic moves wait`,
        body: [
          `An arbiter container (${deps.owner}) measured its clock at least ${seconds} s ${way} AWS's`,
          `(from the Date header of AWS responses); the bound is ${MAX_CLOCK_SKEW_MS / 1000} s.`,
          'It makes no automatic move until its clock is back within the bound; other arbiter',
          'containers and manual failovers still act. Lambda keeps its clocks synchronised, so',
          'this points at the local runtime or a host clock: see docs/runbook.md (clock skew).',
        ].join('\n'),
      },
      `clock skew ${skew} ms`,
    );
  }
  return true;
}
