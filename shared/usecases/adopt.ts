import type { GroupConfig } from '../config/schema';
import type { Decision } from '../decide';
import type { Holding } from '../model';
import * as format from '../notify/format';
import type { GroupSnapshot } from '../store/ports';
import type { ArbiterDeps, ReconcileResult } from './deps';
import { LeaseGuard } from './lease-guard';
import { publish } from './publish';

/**
 * Records what EC2 shows when every resource sits on one healthy node that the record does
 * not name: the first reconcile of a new group, or a move whose arbiter died after EC2 applied
 * it and before it could record it (or notify). Written under the lease, like any move, so it
 * never races a move in flight; says so once, because the operator may never have been told.
 */
export async function adoptPlacement(
  deps: ArbiterDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  decision: Decision,
  holdings: readonly Holding[],
  reason: string,
): Promise<ReconcileResult> {
  const base = { group: group.id, action: decision.action.kind };
  const { state } = snapshot;
  const active = decision.active;
  const together = holdings.length > 0 && holdings.every((h) => h.node === active);
  const recorded = holdings.every((h) => state.holders[h.resource] === h.node);
  if (active === undefined || !together || (state.active === active && recorded)) {
    return { ...base, outcome: 'none', detail: reason };
  }
  const guard = await LeaseGuard.take(deps, group.id);
  if (!(guard instanceof LeaseGuard)) return { ...base, outcome: 'lease-held', detail: guard.message };
  try {
    await deps.store.recordMove(guard.lease, {
      active,
      holders: Object.fromEntries(holdings.map((h) => [h.resource, active])),
    });
  } finally {
    await guard.release();
  }
  await publish(deps, group, format.placementAdopted(group, decision, holdings, state.active), reason);
  return {
    ...base,
    outcome: 'none',
    detail: `recorded ${active} as holder (was ${state.active ?? 'unrecorded'})`,
  };
}
