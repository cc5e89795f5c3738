import type { GroupConfig } from '../config/schema';
import { type Decision, isMove } from '../domain/decide';
import { messageOf } from '../domain/errors';
import {
  CallOutcome,
  chooseStandby,
  judgeReadiness,
  type PermissionCheck,
  type Readiness,
  ReadinessStatus,
} from '../domain/readiness';
import { notReady, readyAgain } from '../messages/readiness';
import type { MovePermissions } from '../ports/move-permissions';
import type { Notification } from '../ports/notifier';
import type { ReadinessMemo } from '../ports/readiness-memo';
import type { GroupSnapshot } from '../ports/store';
import type { ArbiterDeps } from './deps';

/** What readiness needs beyond the arbiter's own dependencies. */
export interface ReadinessPorts {
  permissions: MovePermissions;
  memo: ReadinessMemo;
  /** Told every judgement (the arbiter handler counts the groups not ready for its metric). */
  onJudged?: (group: string, readiness: Readiness) => void;
}

/** The open alert that marks a group not ready: its value is the reason it was first found. */
export const NOT_READY_ALERT = 'not-ready';

/** What the reconcile already read and decided, handed over as is. */
export interface Observed {
  snapshot: GroupSnapshot;
  decision: Decision;
}

/** True when the remembered DryRun no longer covers the move a failover would make now. */
function isDue(
  memo: PermissionCheck | undefined,
  target: string,
  from: string | undefined,
  now: number,
  everyMs: number,
) {
  return memo === undefined || memo.target !== target || memo.from !== from || now - memo.at >= everyMs;
}

/**
 * Judges whether a failover of the group would work now, on the arbiter's reconcile, and tells
 * each change once. The DryRun of the move to the standby (the only part that calls AWS) runs
 * at most every `arbiter.readinessCheckSeconds` per group, or as soon as the standby or the
 * holder changed; its answers are remembered in the group's `readiness` row.
 *
 * The change is told once across ticks and arbiters: the `not-ready` alert is opened (and
 * closed) with a conditional write, and only the arbiter whose write changed it publishes.
 *
 *   t0  A and B reconcile the group at once; both find the move to lb-2 denied.
 *   t1  A opens `not-ready` (attribute_not_exists): its write wins, A publishes.
 *   t2  B's identical write fails its condition: B says nothing.
 *
 * Skipped while a move is under way (the reconcile is about to move: it must not wait on
 * DryRuns, and the next reconcile judges the new placement). Never throws: readiness is advice,
 * and a failure to judge it must not stop the reconcile that follows.
 */
export async function noteReadiness(
  deps: ArbiterDeps,
  group: GroupConfig,
  observed: Observed,
): Promise<Readiness | undefined> {
  const ports = deps.readiness;
  if (!ports) return undefined;
  const { snapshot, decision } = observed;
  if (isMove(decision.action) && !decision.action.hold) return undefined;
  try {
    const now = deps.now();
    const standby = chooseStandby(group, decision);
    let permissions = await ports.memo.read(group.id);
    const everyMs = deps.config.arbiter.readinessCheckSeconds * 1000;
    if (standby && isDue(permissions, standby.id, decision.active, now, everyMs)) {
      const from = group.nodes.find((n) => n.id === decision.active);
      const calls = await ports.permissions.check(group, standby, from);
      const fresh: PermissionCheck = {
        at: deps.now(),
        target: standby.id,
        ...(decision.active ? { from: decision.active } : {}),
        calls,
      };
      // An inconclusive answer (throttled, EC2 unreachable) proves nothing either way: keep
      // the last conclusive check and ask again at the next reconcile.
      if (!calls.some((c) => c.outcome === CallOutcome.INCONCLUSIVE)) {
        await ports.memo.save(group.id, fresh);
        permissions = fresh;
      }
    }
    const readiness = judgeReadiness({
      group,
      state: snapshot.state,
      decision,
      verdicts: snapshot.verdicts,
      ...(permissions ? { permissions } : {}),
      now: deps.now(),
    });
    ports.onJudged?.(group.id, readiness);
    await tell(deps, group, observed, readiness);
    return readiness;
  } catch (error) {
    deps.log.warn('readiness not judged', { group: group.id, error: messageOf(error) });
    return undefined;
  }
}

/** Opens or closes the `not-ready` alert; the one arbiter that changed it tells. */
async function tell(deps: ArbiterDeps, group: GroupConfig, observed: Observed, readiness: Readiness) {
  const was = observed.snapshot.state.alerts[NOT_READY_ALERT];
  const note = { group, readiness, decision: observed.decision };
  if (readiness.status === ReadinessStatus.NOT_READY) {
    if (was !== undefined) return;
    if (await deps.store.setAlert(group.id, NOT_READY_ALERT, readiness.reason)) {
      await publish(deps, notReady(note), readiness.reasons);
    }
  } else if (readiness.status === ReadinessStatus.READY && was !== undefined) {
    if (await deps.store.setAlert(group.id, NOT_READY_ALERT, undefined)) {
      await publish(deps, readyAgain({ ...note, was }), []);
    }
  }
}

/** Publishes and records a history row; failures are logged (readiness is advice). */
async function publish(deps: ArbiterDeps, note: Notification, reasons: string[]) {
  await deps.notifier.publish(note).catch((error: unknown) => {
    deps.log.error('notification failed', {
      group: note.group,
      subject: note.subject,
      error: messageOf(error),
    });
  });
  await deps.store
    .appendHistory(
      {
        group: note.group,
        at: deps.now(),
        event: note.event,
        severity: note.severity,
        summary: note.subject,
        detail: { reasons },
      },
      deps.config.arbiter.historyTtlDays,
    )
    .catch((error: unknown) =>
      deps.log.error('history write failed', { group: note.group, error: messageOf(error) }),
    );
}
