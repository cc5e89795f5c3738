import type { GroupConfig } from '../config/schema';
import type { Holding } from './model';

/** EC2 shows a placement other than the recorded one, or the group's resources apart. */
export interface Drift {
  /** The recorded holder (state.active), if the arbiter ever recorded one. */
  recorded: string | undefined;
  /** The resources are not all on one node of the group. */
  split: boolean;
  /** Resources not where they should be: off the recorded node, or all of them in a split without a record. */
  misplaced: Holding[];
  /** Every resource as EC2 shows it, in the declared order. */
  holdings: Holding[];
  /** One line, e.g. `elastic-ip eipalloc-1 on lb-2, secondary-ip 10.0.1.100 on lb-1; recorded holder lb-1`. */
  summary: string;
  /** Stable text of the placement, so one drift episode is reported once. */
  signature: string;
}

/**
 * Compares what EC2 shows with the recorded holder. Every resource of a group should be on
 * `state.active` (groups move together); a resource elsewhere, on no node, or resources split
 * between nodes is drift. Without a recorded holder only a split is drift: the first
 * reconcile adopts whatever single holder it finds.
 */
export function detectDrift(
  group: GroupConfig,
  recordedActive: string | undefined,
  holdings: readonly Holding[],
): Drift | undefined {
  if (holdings.length === 0) return undefined;
  const recorded = group.nodes.some((n) => n.id === recordedActive) ? recordedActive : undefined;
  const holders = new Set(holdings.map((h) => h.node ?? ''));
  const split = holders.size > 1;
  const misplaced =
    recorded === undefined ? (split ? [...holdings] : []) : holdings.filter((h) => h.node !== recorded);
  if (misplaced.length === 0) return undefined;
  const where = holdings.map((h) => `${h.resource} on ${h.node ?? 'no node of the group'}`).join(', ');
  return {
    recorded,
    split,
    misplaced,
    holdings: [...holdings],
    summary: `${where}; recorded holder ${recorded ?? 'none'}`,
    signature: holdings.map((h) => `${h.resource}=${h.node ?? '-'}`).join(' '),
  };
}

/** Shown in messages: which resource is where, one per line. */
export function describeDrift(group: GroupConfig, drift: Drift): string[] {
  return [
    `Group ${group.id}: ${drift.split ? 'the resources are split between nodes' : `the resources are not on the recorded holder ${drift.recorded}`}.`,
    ...drift.misplaced.map((h) => `  ${h.resource}: on ${h.node ?? 'no node of the group'} (${h.detail})`),
  ];
}
