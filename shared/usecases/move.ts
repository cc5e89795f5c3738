import type { GroupConfig, NodeConfig } from '../config/schema';
import { type Decision, isMove, type MoveAction } from '../domain/decide';
import { LeaseLostError, messageOf, StaleEpochError } from '../domain/errors';
import type { Holding } from '../domain/model';
import * as format from '../messages/format';
import type { Mover } from '../ports/mover';
import type { GroupSnapshot } from '../ports/store';
import type { ArbiterDeps, ReconcileResult } from './deps';
import { LeaseGuard } from './lease-guard';
import { look } from './look';
import { publish } from './publish';

const MOVE_ATTEMPTS = 2;

/** Options of a move made under the lease (automatic or manual). */
export interface MoveRequest {
  kind: 'failover' | 'failback' | 'repair' | 'manual';
  requestedBy?: string;
  /** The Lambda request id of a manual action, recorded next to requestedBy. */
  requestId?: string;
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
  const guard = await LeaseGuard.take(deps, group.id, timeline);
  if (!(guard instanceof LeaseGuard)) {
    deps.log.info('another arbiter holds the lease; standing down', {
      group: group.id,
      holder: guard.holder,
    });
    return { ...base, outcome: 'lease-held', detail: guard.message };
  }
  try {
    const checked = await recheck(deps, group, movers, { decision, action, request });
    if (typeof checked === 'string') return { ...base, outcome: 'superseded', detail: checked };
    const { decision: current, snapshot } = checked;
    const target = group.nodes.find((n) => n.id === action.to) as NodeConfig;
    countFailoverFromFirstCall(deps, group, guard, snapshot, action, request);
    const holdings = await moveAll(deps, group, movers, target, guard);
    const now = deps.now();
    await deps.store.recordMove(guard.lease, {
      active: target.id,
      holders: Object.fromEntries(holdings.map((h) => [h.resource, h.node ?? ''])),
    });
    guard.note(`recorded (epoch ${guard.lease.epoch})`);
    await runAfterMove(deps, group, movers, current, action, guard);
    const subject = await announceSuccess(deps, group, {
      action,
      request,
      decision: current,
      holdings,
      guard,
    });
    return { ...base, outcome: 'moved', moveMs: now - guard.takenAt, detail: subject, timeline };
  } catch (error) {
    return {
      ...base,
      ...(await reportFailure(deps, group, movers, { action, request, guard, error, decision })),
    };
  } finally {
    await guard.release();
  }
}

/**
 * Makes the move's first EC2 call start the cooldown and (for an automatic failover) count
 * toward the breaker, whatever happens to the move after it.
 */
function countFailoverFromFirstCall(
  deps: ArbiterDeps,
  group: GroupConfig,
  guard: LeaseGuard,
  snapshot: GroupSnapshot,
  action: MoveAction,
  request: MoveRequest,
): void {
  // A first placement (no node held the address) is not a failover: it must not start the
  // cooldown, or the first real failure right after would be held.
  const countsAsFailover = request.kind !== 'repair' && action.from !== undefined;
  // Manual moves start the cooldown (the arbiter must not undo them at once) but do not
  // count toward the breaker, which guards against the arbiter's own flapping.
  // The leading times read under the lease that fell out of the breaker window by `at`.
  const expired = (at: number) => {
    const windowStart = at - group.policy.breaker.windowSeconds * 1000;
    const times = snapshot.state.failoverTimes;
    const kept = times.findIndex((t) => t > windowStart);
    return times.slice(0, kept < 0 ? times.length : kept);
  };
  if (countsAsFailover) {
    // The cooldown and the breaker count a failover from its first EC2 call on, even if the
    // move then fails or this arbiter dies before recording it (see recordFailoverStart).
    // Only this start writes the counts, and it appends and prunes rather than writing back
    // the list it read: a `reset` made while the move ran stays a reset.
    guard.beforeFirstMutation(async () => {
      const at = deps.now();
      await deps.store.recordFailoverStart(guard.lease, {
        lastFailoverAt: at,
        ...(request.kind === 'manual' ? {} : { countedAt: at }),
        expired: expired(at),
      });
    });
  }
}

/**
 * Double-checks under the lease: another arbiter may have moved the address between our first
 * read and our lease, or the node may have recovered. A manual move skips the re-decision (the
 * operator chose the target) but reads the state again.
 * @returns the decision and snapshot to act on, or why the move is no longer wanted.
 */
async function recheck(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: Mover[],
  wanted: { decision: Decision; action: MoveAction; request: MoveRequest },
): Promise<{ decision: Decision; snapshot: GroupSnapshot } | string> {
  if (wanted.request.skipRecheck) {
    return { decision: wanted.decision, snapshot: await deps.store.readGroup(group.id) };
  }
  const fresh = await look(deps, group, movers);
  const again = fresh.decision.action;
  if (!isMove(again) || again.hold || again.to !== wanted.action.to) {
    return `re-check under the lease: ${again.kind}`;
  }
  return { decision: fresh.decision, snapshot: fresh.snapshot };
}

/** Says that a move succeeded, with what EC2 shows and its timeline; returns the subject. */
async function announceSuccess(
  deps: ArbiterDeps,
  group: GroupConfig,
  moved: {
    action: MoveAction;
    request: MoveRequest;
    decision: Decision;
    holdings: Holding[];
    guard: LeaseGuard;
  },
): Promise<string> {
  const { action, request, guard } = moved;
  const note = format.failoverSucceeded({
    group,
    kind: request.kind,
    from: action.from,
    to: action.to,
    reason: action.reason,
    decision: moved.decision,
    holdings: moved.holdings,
    timeline: guard.timeline,
    epoch: guard.lease.epoch,
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
  });
  await publish(deps, group, note, action.reason, {
    timeline: guard.timeline,
    epoch: guard.lease.epoch,
    ...auditOf(request),
  });
  return note.subject;
}

/** Who asked for a move and in which invocation, for its history row (manual moves only). */
function auditOf(request: MoveRequest): Record<string, string> {
  return {
    ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
    ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
  };
}

/*
 * A move cut short because the lease was lost is not a failed move:
 *   t0  A takes the lease and moves the EIP to lb-2; EC2 applies it.
 *   t1  A's extend before the next resource (or its record) finds B holding the lease
 *       (A stalled past its lease; B took it over).
 * What happened is in EC2, not in A's error. Read it: everything on the target means the move
 * succeeded (the lease holder records it; A says so); anything else means B is acting now and
 * reports what it does itself. Only an error with the lease still ours is "FAILOVER FAILED".
 */
/** Says how a move that threw ended, with what EC2 shows now and the steps it took. */
async function reportFailure(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: Mover[],
  failed: {
    action: MoveAction;
    request: MoveRequest;
    guard: LeaseGuard;
    error: unknown;
    decision: Decision;
  },
): Promise<Pick<ReconcileResult, 'outcome' | 'detail' | 'timeline'>> {
  const { action, guard, error } = failed;
  const holdings = await Promise.all(movers.map((m) => m.observe())).catch(() => undefined);
  if (error instanceof LeaseLostError || error instanceof StaleEpochError) {
    const done = holdings?.every((h) => h.node === action.to) === true;
    deps.log.warn('lease lost during the move', { group: group.id, onTarget: done, error: messageOf(error) });
    if (!done || holdings === undefined) {
      guard.note(`lease lost: ${messageOf(error)}; the lease holder finishes or redoes the move`);
      return {
        outcome: 'superseded',
        detail: `lease lost mid-move: ${messageOf(error)}`,
        timeline: guard.timeline,
      };
    }
    guard.note(`lease lost after the move: EC2 shows every resource on ${action.to}`);
    const subject = await announceSuccess(deps, group, { ...failed, holdings });
    return {
      outcome: 'moved',
      detail: `${subject} (lease lost before the record)`,
      timeline: guard.timeline,
    };
  }
  deps.log.error('move failed', { group: group.id, error: messageOf(error) });
  guard.note(`failed: ${messageOf(error)}`);
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
      timeline: guard.timeline,
    }),
    action.reason,
    auditOf(failed.request),
  ).catch(() => undefined);
  return { outcome: 'failed', detail: messageOf(error), timeline: guard.timeline };
}

/** The OS hook and fencing after a recorded move, under the same lease; never fails the move. */
async function runAfterMove(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: Mover[],
  decision: Decision,
  action: MoveAction,
  guard: LeaseGuard,
): Promise<void> {
  if (!deps.afterMove) return;
  const after = await deps.afterMove
    .run({
      group,
      from: action.from,
      to: action.to,
      decision,
      movers,
      cloud: deps.cloud,
      now: deps.now,
      beforeMutation: guard.beforeMutation,
    })
    .catch((error: unknown) => [{ at: deps.now(), what: `after-move steps failed: ${messageOf(error)}` }]);
  guard.timeline.push(...after);
}

/** Moves every resource in the declared order; a failed resource is retried within the lease. */
async function moveAll(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: Mover[],
  target: NodeConfig,
  guard: LeaseGuard,
): Promise<Holding[]> {
  const holdings: Holding[] = [];
  for (const mover of movers) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const outcome = await mover.moveTo(target, { beforeMutation: guard.beforeMutation });
        guard.note(`${outcome.changed ? 'verified' : 'already in place'}: ${mover.key} on ${target.id}`);
        holdings.push({ resource: mover.key, node: target.id, detail: outcome.detail });
        break;
      } catch (error) {
        if (error instanceof LeaseLostError || attempt >= MOVE_ATTEMPTS) throw error;
        deps.log.warn('move of one resource failed; retrying within the lease', {
          group: group.id,
          resource: mover.key,
          error: messageOf(error),
        });
        guard.note(`retrying ${mover.key}: ${messageOf(error)}`);
      }
    }
  }
  return holdings;
}
