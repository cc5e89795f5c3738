import type { GroupConfig } from '../config/schema';
import { ActionKind } from '../domain/constants';
import { isMove } from '../domain/decide';
import { messageOf, StoreError } from '../domain/errors';
import { adoptPlacement } from './adopt';
import {
  announceEndedBans,
  clockSkewHolds,
  forgetWouldAlerts,
  held,
  noHealthyTarget,
  noteDrift,
  recordHealth,
  storeAvailability,
} from './alerts';
import type { ArbiterDeps, ReconcileResult } from './deps';
import { look } from './look';
import { executeMove } from './move';
import { noteReadiness } from './readiness';
import { watchVantageSilence } from './vantage-silence';

/**
 * One reconcile of one group: read the verdicts (consistent), ask EC2 who holds what,
 * decide, and act under the lease. Safe to run from several arbiters at once.
 */
export async function reconcileGroup(deps: ArbiterDeps, group: GroupConfig): Promise<ReconcileResult> {
  const movers = deps.cloud.movers(group);
  const seen = await look(deps, group, movers);
  const { snapshot, decision, now } = seen;
  const { action } = decision;
  await recordHealth(deps, group, snapshot, decision);
  await announceEndedBans(deps, group, snapshot, decision, now);
  await watchVantageSilence(deps, group, snapshot, now);
  await forgetWouldAlerts(deps, group, snapshot, action);
  await noteDrift(deps, group, snapshot, decision);
  await noteReadiness(deps, group, { snapshot, decision });
  const alerted = await noHealthyTarget(deps, group, snapshot, decision);
  if (alerted) return alerted;

  if (action.kind === ActionKind.STAY) return adoptPlacement(deps, group, movers, seen);
  if (!isMove(action))
    return { group: group.id, action: action.kind, outcome: 'none', detail: action.reason };
  if (action.hold) return held(deps, group, decision, action);
  if (await clockSkewHolds(deps, group, snapshot)) {
    return { group: group.id, action: action.kind, outcome: 'held', to: action.to, detail: 'clock skew' };
  }
  return executeMove(deps, group, movers, decision, action, { kind: action.kind });
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
        await storeAvailability(deps, g, true, 'reads and writes succeed again');
        return result;
      } catch (error) {
        deps.log.error('reconcile failed', { group: g.id, error: messageOf(error) });
        // Without the table there is no lease and no verdicts: nothing moves. Say so.
        if (error instanceof StoreError) await storeAvailability(deps, g, false, messageOf(error));
        return { group: g.id, action: 'error', outcome: 'failed' as const, detail: messageOf(error) };
      }
    }),
  );
}
