import type { GroupConfig } from '../config/schema';
import { type Decision, decide } from '../domain/decide';
import type { Signals } from '../domain/model';
import type { Mover } from '../ports/mover';
import type { GroupSnapshot } from '../ports/store';
import type { ArbiterDeps } from './deps';

/** What one look at a group saw and decided. */
export interface Look {
  snapshot: GroupSnapshot;
  signals: Signals;
  decision: Decision;
  /** The arbiter's clock when it decided. */
  now: number;
}

/** Reads (consistent), asks EC2 who holds what, decides. No writes. */
export async function look(deps: ArbiterDeps, group: GroupConfig, movers: readonly Mover[]): Promise<Look> {
  // The table first: a Describe that contradicts the recorded holder is looked at twice.
  const snapshot = await deps.store.readGroup(group.id);
  const [instances, holdings] = await Promise.all([
    deps.cloud.signals(group),
    Promise.all(movers.map((m) => m.observe(snapshot.state.holders[m.key] || undefined))),
  ]);
  const signals: Signals = { instances, holdings };
  const now = deps.now();
  const decision = decide(group, snapshot.state, snapshot.verdicts, signals, now);
  return { snapshot, signals, decision, now };
}
