import type { DirectCheck, GroupConfig, NodeConfig } from '../config/schema';
import { DEAD_INSTANCE_STATES, NodeHealth, VerdictStatus } from './constants';
import type { NodeAssessment } from './decide';
import type { GroupState, ProbeResult, Signals, Verdict } from './model';

/**
 * Node id under which vantages store their egress verdicts. An egress probe goes out through
 * whichever NAT holds the route now, so the prober cannot say which node it measured; the
 * decision attributes these verdicts to the current holder. The id cannot clash with a real
 * node: node ids must start with a letter or digit.
 */
export const EGRESS_NODE = '@egress';

/** The check that probes each node itself (for an egress group: its `direct` check). */
export function directCheck(group: GroupConfig): DirectCheck {
  return group.check.type === 'egress' ? group.check.direct : group.check;
}

/** Vantages that run the egress probe (behind the NAT); empty for other groups. */
export function egressVantages(group: GroupConfig): string[] {
  if (group.check.type !== 'egress') return [];
  return group.check.from ?? group.vantages;
}

/**
 * What a vantage probes: every node, plus the egress pseudo node if the group has an egress
 * check and this vantage is behind the NAT.
 */
export function probedNodes(group: GroupConfig, vantage: string): NodeConfig[] {
  if (!egressVantages(group).includes(vantage)) return group.nodes;
  return [...group.nodes, { id: EGRESS_NODE, instanceId: 'i-egress', address: 'egress', priority: 0 }];
}

/** The egress part of the holder's health. */
export interface EgressJudgement {
  /** DOWN / HEALTHY when the egress vantages reach their quorum, else UNKNOWN (no say). */
  health: NodeHealth;
  reason: string;
  down: string[];
  up: string[];
  /** Earliest moment the DOWN quorum was reached. */
  downSince?: number;
  /** Last egress probe per egress vantage. */
  evidence: Record<string, ProbeResult | undefined>;
  /** Egress fails, but since before the holder took over: worth saying, not counted. */
  predates?: boolean;
}

/**
 * Judges the current holder's egress from the egress verdicts. Quorum: `policy.quorum`, capped
 * at the number of egress vantages (often one private subnet per AZ). Verdicts count only for
 * the holder the record agrees with, and a DOWN verdict only if it changed after the last move:
 * a failure streak that began under the previous holder says nothing about the new one (and
 * failing targets on both NATs point at the targets, not at the NAT, so they must not flip the
 * address back and forth).
 */
export function judgeEgress(
  group: GroupConfig,
  holder: string,
  state: GroupState,
  verdicts: readonly Verdict[],
  now: number,
): EgressJudgement | undefined {
  const from = egressVantages(group);
  if (from.length === 0) return undefined;
  const none = (reason: string): EgressJudgement => ({
    health: NodeHealth.UNKNOWN,
    reason,
    down: [],
    up: [],
    evidence: {},
  });
  if (state.active !== undefined && state.active !== holder) {
    return none(`egress not attributed: ${holder} holds the route but ${state.active} is recorded`);
  }
  const movedAt = state.lastFailoverAt ?? 0;
  const staleBefore = now - group.policy.staleAfterSeconds * 1000;
  const quorum = Math.min(group.policy.quorum, from.length);
  const down: string[] = [];
  const up: string[] = [];
  const predating: string[] = [];
  const evidence: Record<string, ProbeResult | undefined> = {};
  const downSinces: number[] = [];
  for (const v of verdicts) {
    if (v.group !== group.id || v.node !== EGRESS_NODE || !from.includes(v.vantage)) continue;
    if (v.seenAt < staleBefore || v.seenAt > now + 60_000) continue;
    evidence[v.vantage] = v.evidence.at(-1);
    if (v.status === VerdictStatus.UP) {
      up.push(v.vantage);
    } else if (v.since >= movedAt) {
      down.push(v.vantage);
      downSinces.push(v.since);
    } else {
      predating.push(v.vantage);
    }
  }
  down.sort();
  up.sort();
  const base = { down, up, evidence };
  if (down.length >= quorum) {
    downSinces.sort((a, b) => a - b);
    const downSince = downSinces[quorum - 1];
    const errors = [...new Set(down.map((v) => evidence[v]?.error).filter((e): e is string => !!e))];
    return {
      ...base,
      health: NodeHealth.DOWN,
      reason: `egress through ${holder} failing (${errors.slice(0, 1).join('') || 'targets unreachable'}) from ${down.length}/${from.length} egress vantages`,
      ...(downSince !== undefined ? { downSince } : {}),
    };
  }
  if (up.length >= quorum) {
    return {
      ...base,
      health: NodeHealth.HEALTHY,
      reason: `egress through ${holder} ok from ${up.length}/${from.length} egress vantages`,
    };
  }
  const why =
    predating.length > 0
      ? `egress failing from ${predating.join(', ')} since before ${holder} took over (not attributed to ${holder})`
      : `only ${down.length + up.length} egress verdict(s), quorum is ${quorum}`;
  return { ...none(why), down, up, evidence, ...(predating.length > 0 ? { predates: true } : {}) };
}

/**
 * Folds the egress judgement into the holder's assessment. EC2 saying the instance is dead or
 * impaired still wins. Otherwise, once the egress vantages reach a quorum, egress decides: a
 * NAT that forwards traffic is healthy even if its direct check fails, and one that does not
 * forward is DOWN even if its direct check passes. Without an egress quorum the direct check
 * decides. The boot grace period applies to egress failures too.
 */
export function withEgress(
  group: GroupConfig,
  assessment: NodeAssessment,
  state: GroupState,
  verdicts: readonly Verdict[],
  signals: Signals,
  now: number,
): NodeAssessment {
  const judgement = judgeEgress(group, assessment.node, state, verdicts, now);
  if (!judgement) return assessment;
  const instance = signals.instances[assessment.node];
  const ec2Down =
    instance !== undefined &&
    (DEAD_INSTANCE_STATES.has(instance.state) || (instance.impaired && !assessment.inGrace));
  if (ec2Down) return assessment;
  if (judgement.health === NodeHealth.DOWN && !assessment.inGrace) {
    const { downSince: _, ...rest } = assessment;
    return {
      ...rest,
      health: NodeHealth.DOWN,
      reason: judgement.reason,
      ...(judgement.downSince !== undefined ? { downSince: judgement.downSince } : {}),
    };
  }
  if (judgement.health === NodeHealth.HEALTHY && assessment.health !== NodeHealth.HEALTHY) {
    const { downSince: _, ...rest } = assessment;
    return {
      ...rest,
      health: NodeHealth.HEALTHY,
      reason: `${judgement.reason} (direct check: ${assessment.reason})`,
    };
  }
  if (judgement.predates) {
    return { ...assessment, reason: `${assessment.reason}; ${judgement.reason}` };
  }
  return assessment;
}
