import type { GroupConfig, NodeConfig } from '../config/schema';
import { NodeHealth } from './constants';
import type { Decision } from './decide';
import type { GroupState, Verdict } from './model';
import { duration } from './time';

/** What one DryRun said about one mutating call of a move. */
export const CallOutcome = {
  /** `DryRunOperation`: the call would have been made. */
  ALLOWED: 'allowed',
  /** `UnauthorizedOperation` (IAM, an SCP or a permission boundary said no). */
  DENIED: 'denied',
  /** Any other answer about the call itself (a resource gone, a bad parameter). */
  REFUSED: 'refused',
  /** Throttled, EC2 unreachable, a 5xx: says nothing about the move; asked again next time. */
  INCONCLUSIVE: 'inconclusive',
  /** The call has no DryRun mode (AssignPrivateIpAddresses), so nothing can be proven. */
  UNPROVABLE: 'unprovable',
} as const;
export type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome];

/** One mutating call a move to the standby would make, and what its DryRun answered. */
export interface CheckedCall {
  /** EC2 action, e.g. `AssociateAddress`. */
  action: string;
  /** The node the call moves something to (or fences). */
  node: string;
  /** The resources named, e.g. `eipalloc-1 -> eni-2`. */
  resource: string;
  outcome: CallOutcome;
  /** The EC2 error code answered, e.g. `UnauthorizedOperation`. */
  code?: string;
}

/** The DryRun of every call of a move, as remembered between reconciles. */
export interface PermissionCheck {
  at: number;
  /** The standby the calls move to. */
  target: string;
  /** The holder when checked (fencing and association ids depend on it). */
  from?: string;
  calls: CheckedCall[];
}

export const ReadinessStatus = {
  READY: 'ready',
  NOT_READY: 'not-ready',
  /** Not judged yet: a vantage has never written a verdict on the group (a stack starting up). */
  PENDING: 'pending',
} as const;
export type ReadinessStatus = (typeof ReadinessStatus)[keyof typeof ReadinessStatus];

/** Whether a failover of the group would work now, and why not. */
export interface Readiness {
  status: ReadinessStatus;
  /** The first reason it is not ready (or why pending); empty when ready. */
  reason: string;
  /** Every reason, most fundamental first. */
  reasons: string[];
  /** The standby a failover would pick now. */
  standby?: string;
  /** When the move to the standby was last proven by DryRun. */
  checkedAt?: number;
  /** Things worth knowing that do not make the group unready (e.g. calls without DryRun). */
  notes: string[];
}

/** Highest priority first, then id: the order decide() picks a target in. */
function byPriority(a: NodeConfig, b: NodeConfig): number {
  return b.priority - a.priority || a.id.localeCompare(b.id);
}

/** The node a failover would move to now: the best HEALTHY, unbanned node other than the holder. */
export function chooseStandby(group: GroupConfig, decision: Decision): NodeConfig | undefined {
  return group.nodes
    .filter((n) => n.id !== decision.active)
    .filter((n) => {
      const a = decision.assessments[n.id];
      return a?.health === NodeHealth.HEALTHY && !a.banned;
    })
    .sort(byPriority)[0];
}

/** What a DryRun answer means for the person reading the alert. */
function callReason(call: CheckedCall): string {
  const answer = call.code ?? call.outcome;
  const hint =
    call.outcome === CallOutcome.DENIED
      ? ' (a policy or SCP change?)'
      : /NotFound$/.test(answer)
        ? ' (the resource is gone or was replaced?)'
        : '';
  return `DryRun ${call.action} to ${call.node} answered ${answer}${hint}`;
}

/** Inputs of the judgement: what the reconcile already read, plus the last DryRun of the move. */
export interface ReadinessInput {
  group: GroupConfig;
  state: GroupState;
  decision: Decision;
  verdicts: readonly Verdict[];
  /** The last DryRun of the move to the standby; ignored when it was for another standby or holder. */
  permissions?: PermissionCheck;
  now: number;
}

/**
 * Would a failover of the group work now? Pure: the reconcile's reads go in, a verdict with
 * every reason comes out. Not ready when the group is paused or in observe mode, the breaker is
 * open, a vantage has gone quiet, EC2 shows the resources off the recorded holder, no standby is
 * HEALTHY by quorum, or a DryRun of a call of the move to the standby was refused.
 */
export function judgeReadiness(input: ReadinessInput): Readiness {
  const { group, state, decision, verdicts, now } = input;
  const { policy } = group;
  const reasons: string[] = [];
  const notes: string[] = [];

  if (state.paused) reasons.push('the group is paused: the arbiter moves nothing until it is resumed');
  if (policy.mode === 'observe') reasons.push('mode: observe: the arbiter moves nothing on its own');
  if (state.breakerOpenSince !== undefined) {
    reasons.push(
      `the circuit breaker is open since ${duration(now - state.breakerOpenSince)} ago: no automatic failover until reset`,
    );
  }

  // A stack starting up has no verdicts yet: every node would look UNKNOWN and the group
  // "not ready" for the first minute of its life. Until every vantage has judged every node
  // once, readiness is pending and tells nobody (a prober that never runs is the heartbeat
  // alarm's business).
  const staleBefore = now - policy.staleAfterSeconds * 1000;
  const lastSeen = new Map<string, number>();
  const judged = new Set<string>();
  for (const v of verdicts) {
    if (v.group !== group.id || !group.vantages.includes(v.vantage)) continue;
    if (!group.nodes.some((n) => n.id === v.node)) continue;
    judged.add(`${v.vantage} on ${v.node}`);
    lastSeen.set(v.vantage, Math.max(lastSeen.get(v.vantage) ?? 0, v.seenAt));
  }
  const unjudged = group.vantages.flatMap((vantage) =>
    group.nodes.map((n) => `${vantage} on ${n.id}`).filter((pair) => !judged.has(pair)),
  );
  for (const vantage of group.vantages) {
    const last = lastSeen.get(vantage);
    if (last !== undefined && last < staleBefore) {
      reasons.push(
        `vantage ${vantage} has confirmed nothing for ${duration(now - last)} (staleAfterSeconds ${policy.staleAfterSeconds}): is its prober running?`,
      );
    }
  }
  if (unjudged.length > 0 && reasons.length === 0) {
    const reason = `waiting for the first verdicts (${unjudged.join(', ')})`;
    return { status: ReadinessStatus.PENDING, reason, reasons: [reason], notes };
  }
  if (unjudged.length > 0) reasons.push(`no verdict yet from ${unjudged.join(', ')}`);

  if (decision.drift) reasons.push(`the resources are not where the record says: ${decision.drift.summary}`);

  const standby = chooseStandby(group, decision);
  if (!standby) {
    const others = group.nodes
      .filter((n) => n.id !== decision.active)
      .map((n) => {
        const a = decision.assessments[n.id];
        return a?.banned
          ? `${n.id} is banned`
          : `${n.id} is ${a?.health ?? 'UNKNOWN'} (${a?.reason ?? 'no assessment'})`;
      });
    reasons.push(`no standby is HEALTHY by quorum: ${others.join('; ')}`);
  }

  const p = input.permissions;
  const current =
    standby !== undefined && p !== undefined && p.target === standby.id && p.from === decision.active;
  if (current) {
    for (const call of p.calls) {
      if (call.outcome === CallOutcome.DENIED || call.outcome === CallOutcome.REFUSED)
        reasons.push(callReason(call));
    }
    const unprovable = [
      ...new Set(p.calls.filter((c) => c.outcome === CallOutcome.UNPROVABLE).map((c) => c.action)),
    ];
    for (const action of unprovable) notes.push(`${action} has no DryRun mode: its permission is not proven`);
  } else if (standby) {
    notes.push(`the move to ${standby.id} has not been proven by DryRun yet`);
  }

  const base = {
    ...(standby ? { standby: standby.id } : {}),
    ...(current ? { checkedAt: p.at } : {}),
    notes,
  };
  if (reasons.length === 0) return { status: ReadinessStatus.READY, reason: '', reasons, ...base };
  return { status: ReadinessStatus.NOT_READY, reason: reasons[0] as string, reasons, ...base };
}
