import type { GroupConfig } from '../config/schema';
import { ActionKind } from '../domain/constants';
import type { Decision } from '../domain/decide';
import type { Holding } from '../domain/model';
import * as format from '../messages/format';
import type { Mover } from '../ports/mover';
import type { GroupSnapshot } from '../ports/store';
import type { ArbiterDeps, ReconcileResult } from './deps';
import { LeaseGuard } from './lease-guard';
import { type Look, look } from './look';
import { publish } from './publish';

/** Every resource sits on the node the decision keeps, and the record does not say so. */
function unrecorded(
  snapshot: GroupSnapshot,
  decision: Decision,
  holdings: readonly Holding[],
): string | undefined {
  const { state } = snapshot;
  const active = decision.active;
  if (active === undefined || decision.action.kind !== ActionKind.STAY) return undefined;
  const together = holdings.length > 0 && holdings.every((h) => h.node === active);
  const recorded = holdings.every((h) => state.holders[h.resource] === h.node);
  return together && !(state.active === active && recorded) ? active : undefined;
}

/*
 * The race the second look closes:
 *   t0  A looks: EC2 shows everything on lb-2, the record says lb-1 (a hand move, or B's
 *       move whose record has not landed yet).
 *   t1  B (holding the lease) finishes its move back to lb-1 and releases the lease.
 *   t2  A takes the lease and records lb-2 from its t0 look: a holder that no longer holds,
 *       and a "record updated" message about a placement that is gone.
 * So what is recorded is read again under the lease, like the re-check before a move.
 */
/**
 * Records what EC2 shows when every resource sits on one healthy node that the record does
 * not name: the first reconcile of a new group, or a move whose arbiter died after EC2 applied
 * it and before it could record it (or notify). Written under the lease, from a look taken
 * under it, so it never races a move in flight; says so once, because the operator may never
 * have been told.
 */
export async function adoptPlacement(
  deps: ArbiterDeps,
  group: GroupConfig,
  movers: readonly Mover[],
  seen: Look,
): Promise<ReconcileResult> {
  const { decision } = seen;
  const base = { group: group.id, action: decision.action.kind };
  const reason = decision.action.reason;
  if (unrecorded(seen.snapshot, decision, seen.signals.holdings) === undefined) {
    return { ...base, outcome: 'none', detail: reason };
  }
  const guard = await LeaseGuard.take(deps, group.id);
  if (!(guard instanceof LeaseGuard)) return { ...base, outcome: 'lease-held', detail: guard.message };
  let fresh: Look;
  let active: string | undefined;
  try {
    fresh = await look(deps, group, movers);
    active = unrecorded(fresh.snapshot, fresh.decision, fresh.signals.holdings);
    if (active === undefined) {
      return {
        ...base,
        outcome: 'superseded',
        detail: `re-check under the lease: ${fresh.decision.action.kind}`,
      };
    }
    await deps.store.recordMove(guard.lease, {
      active,
      holders: Object.fromEntries(fresh.signals.holdings.map((h) => [h.resource, active as string])),
    });
  } finally {
    await guard.release();
  }
  const { holdings } = fresh.signals;
  const was = fresh.snapshot.state.active;
  await publish(deps, group, format.placementAdopted(group, fresh.decision, holdings, was), reason);
  return { ...base, outcome: 'none', detail: `recorded ${active} as holder (was ${was ?? 'unrecorded'})` };
}
