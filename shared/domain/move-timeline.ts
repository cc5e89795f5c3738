/**
 * Reading a move's timeline (the steps a failover records: in its SNS message, its history
 * row's `detail.timeline`, and the manual failover's `timings.steps`). One reading for the
 * `drill` function and for the sandbox drill that breaks a real node, so both report the same
 * numbers for the same move.
 */

/** One step as any of the three records keep it: `at` in epoch ms or as an ISO string. */
export interface TimelineEntry {
  at: number | string;
  what: string;
}

const MUTATING = /^(AssociateAddress|AssignPrivateIpAddresses|ReplaceRoute)/;

const ms = (at: number | string): number => (typeof at === 'number' ? at : Date.parse(at));

/** When quorum decided the old holder was DOWN (the reconcile records it first), if it did. */
export function quorumDownAt(timeline: readonly TimelineEntry[]): number | undefined {
  const step = timeline.find((s) => / DOWN by quorum /.test(s.what));
  return step ? ms(step.at) : undefined;
}

/** When the first mutating EC2 call of the move was made: the address starts to move. */
export function firstMutationAt(timeline: readonly TimelineEntry[]): number | undefined {
  const step = timeline.find((s) => MUTATING.test(s.what));
  return step ? ms(step.at) : undefined;
}

/** When the last read-back showed the target holding what moved. */
export function verifiedAt(timeline: readonly TimelineEntry[]): number | undefined {
  const step = timeline.filter((s) => s.what.startsWith('verified')).at(-1);
  return step ? ms(step.at) : undefined;
}

/**
 * First mutating call to the last read-back: while the address is in flux, so the most
 * clients can have been cut off by the move itself, as far as EC2 shows.
 */
export function addressSwitchMs(timeline: readonly TimelineEntry[]): number | undefined {
  const first = firstMutationAt(timeline);
  const verified = verifiedAt(timeline);
  if (first === undefined || verified === undefined) return undefined;
  return verified - first;
}
