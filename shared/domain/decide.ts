import type { GroupConfig, NodeConfig } from '../config/schema';
import { ActionKind, DEAD_INSTANCE_STATES, NodeHealth, VerdictStatus } from './constants';
import { type Drift, detectDrift } from './drift';
import { directCheck, withEgress } from './egress-health';
import type { GroupState, ProbeResult, Signals, Verdict } from './model';

/** Why one node has the health it has. */
export interface NodeAssessment {
  node: string;
  health: NodeHealth;
  /** Fresh verdicts saying DOWN / UP, and how many fresh verdicts there were. */
  down: string[];
  up: string[];
  fresh: number;
  /** One line a person can read, e.g. `http /healthz timeout from 2/2 vantages`. */
  reason: string;
  /** Earliest moment the DOWN quorum was reached (for the detection timeline). */
  downSince?: number;
  /** Last probe evidence per vantage. */
  evidence: Record<string, ProbeResult | undefined>;
  banned: boolean;
  inGrace: boolean;
}

/** Why an action is not carried out even though the decision wants it. */
export const Hold = {
  OBSERVE: 'observe',
  PAUSED: 'paused',
  BREAKER: 'breaker',
  COOLDOWN: 'cooldown',
} as const;
export type Hold = (typeof Hold)[keyof typeof Hold];

export type Action =
  | { kind: typeof ActionKind.STAY; reason: string }
  | { kind: typeof ActionKind.UNKNOWN; reason: string }
  | { kind: typeof ActionKind.NO_HEALTHY_TARGET; from: string | undefined; reason: string }
  | {
      kind: typeof ActionKind.FAILOVER | typeof ActionKind.FAILBACK | typeof ActionKind.REPAIR;
      from: string | undefined;
      to: string;
      reason: string;
      /** Set when the move is wanted but must not happen now. */
      hold?: Hold;
      /** With hold=breaker: this decision is the one that opens the breaker. */
      opensBreaker?: boolean;
    };

export interface Decision {
  /** The node holding the group's first resource according to EC2 (or undefined). */
  active: string | undefined;
  assessments: Record<string, NodeAssessment>;
  action: Action;
  /** Next value of state.healthySince (to be recorded). */
  healthySince: Record<string, number>;
  /** EC2 shows the resources off the recorded holder or split between nodes. */
  drift?: Drift;
}

export type MoveAction = Extract<Action, { to: string }>;

/** True if the action asks for addresses to move. */
export function isMove(action: Action): action is MoveAction {
  return (
    action.kind === ActionKind.FAILOVER ||
    action.kind === ActionKind.FAILBACK ||
    action.kind === ActionKind.REPAIR
  );
}

/**
 * Decides what to do with one group. Pure: no I/O, no clock; `now` is an input.
 *
 * Rules, in order: health is judged by a quorum of fresh verdicts (stale verdicts do not
 * count; too few fresh verdicts means UNKNOWN and never an action); EC2 saying the instance is
 * stopping/stopped/terminated or impaired counts as DOWN at once. A DOWN (or banned) holder is
 * replaced by the highest-priority HEALTHY, unbanned node; if there is none, the decision is
 * "no healthy target" and nothing moves. Moves are held by observe mode, a paused group, an
 * open circuit breaker or the cooldown. The address is sticky: a recovered node does not get
 * it back unless `failback: auto` and it has been healthy for `holdDownSeconds`.
 */
export function decide(
  group: GroupConfig,
  state: GroupState,
  verdicts: readonly Verdict[],
  signals: Signals,
  now: number,
): Decision {
  const assessments: Record<string, NodeAssessment> = {};
  for (const node of group.nodes) {
    assessments[node.id] = assess(group, node, state, verdicts, signals, now);
  }
  const active = signals.holdings[0]?.node;
  const holder = active === undefined ? undefined : assessments[active];
  // Egress verdicts measure whichever NAT holds the route now: they count for the holder only.
  if (holder) assessments[holder.node] = withEgress(group, holder, state, verdicts, signals, now);
  const healthySince: Record<string, number> = {};
  for (const node of group.nodes) {
    const a = assessments[node.id]!;
    if (a.health === NodeHealth.HEALTHY) {
      // healthySince is removed whenever a node is not HEALTHY, so its presence means continuity.
      healthySince[node.id] = state.healthySince[node.id] ?? now;
    }
  }
  const drift = detectDrift(group, state.active, signals.holdings);
  const action =
    repairDrift(group, state, assessments, drift, active, now) ??
    chooseAction(group, state, assessments, healthySince, active, now);
  return { active, assessments, action, healthySince, ...(drift ? { drift } : {}) };
}

function assess(
  group: GroupConfig,
  node: NodeConfig,
  state: GroupState,
  verdicts: readonly Verdict[],
  signals: Signals,
  now: number,
): NodeAssessment {
  const { policy } = group;
  const staleBefore = now - policy.staleAfterSeconds * 1000;
  const instance = signals.instances[node.id];
  const inGrace =
    instance?.launchTime !== undefined && now - instance.launchTime < policy.graceSeconds * 1000;
  const banExpiry = state.bans[node.id];
  const banned = banExpiry !== undefined && (banExpiry === 0 || banExpiry > now);

  const down: string[] = [];
  const up: string[] = [];
  const evidence: Record<string, ProbeResult | undefined> = {};
  const downSinces: number[] = [];
  let fresh = 0;
  for (const v of verdicts) {
    if (v.node !== node.id || v.group !== group.id || !group.vantages.includes(v.vantage)) continue;
    if (v.seenAt < staleBefore || v.seenAt > now + 60_000) continue;
    fresh += 1;
    evidence[v.vantage] = v.evidence.at(-1);
    if (v.status === VerdictStatus.DOWN) {
      down.push(v.vantage);
      downSinces.push(v.since);
    } else {
      up.push(v.vantage);
    }
  }
  down.sort();
  up.sort();
  const base = { node: node.id, down, up, fresh, evidence, banned, inGrace };

  if (instance && DEAD_INSTANCE_STATES.has(instance.state)) {
    return {
      ...base,
      health: NodeHealth.DOWN,
      reason: `instance ${instance.instanceId} is ${instance.state}`,
    };
  }
  if (instance?.impaired && !inGrace) {
    return {
      ...base,
      health: NodeHealth.DOWN,
      reason: `instance ${instance.instanceId} status check impaired`,
    };
  }
  if (down.length >= policy.quorum && !inGrace) {
    downSinces.sort((a, b) => a - b);
    const downSince = downSinces[policy.quorum - 1];
    return {
      ...base,
      health: NodeHealth.DOWN,
      reason: `${describeFailure(group, evidence, down)} from ${down.length}/${group.vantages.length} vantages`,
      ...(downSince !== undefined ? { downSince } : {}),
    };
  }
  if (up.length >= policy.quorum) {
    return {
      ...base,
      health: NodeHealth.HEALTHY,
      reason: `up from ${up.length}/${group.vantages.length} vantages`,
    };
  }
  if (inGrace && down.length >= policy.quorum) {
    const age = Math.round((now - (instance?.launchTime ?? now)) / 1000);
    return {
      ...base,
      health: NodeHealth.UNKNOWN,
      reason: `DOWN from ${down.length}/${group.vantages.length} vantages, ignored: launched ${age} s ago (graceSeconds ${policy.graceSeconds})`,
    };
  }
  const why =
    fresh < policy.quorum
      ? `only ${fresh} fresh verdict(s), quorum is ${policy.quorum}`
      : `vantages disagree (down: ${down.join(', ') || 'none'}; up: ${up.join(', ') || 'none'})`;
  return { ...base, health: NodeHealth.UNKNOWN, reason: inGrace ? `${why}; in boot grace period` : why };
}

function describeFailure(
  group: GroupConfig,
  evidence: Record<string, ProbeResult | undefined>,
  down: readonly string[],
): string {
  const direct = directCheck(group);
  const check = direct.type === 'http' ? `http ${direct.path}` : `tcp ${direct.port}`;
  const errors = new Set<string>();
  for (const v of down) {
    const e = evidence[v]?.error;
    if (e) errors.add(e.replace(/ after \d+ ms$/, ''));
  }
  const text = [...errors].slice(0, 2).join(', ');
  return text ? `${check} ${text}` : `${check} failing`;
}

function chooseAction(
  group: GroupConfig,
  state: GroupState,
  assessments: Record<string, NodeAssessment>,
  healthySince: Record<string, number>,
  active: string | undefined,
  now: number,
): Action {
  const current = active === undefined ? undefined : assessments[active];
  const candidates = group.nodes
    .filter((n) => n.id !== active)
    .filter((n) => assessments[n.id]?.health === NodeHealth.HEALTHY && !assessments[n.id]?.banned)
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  const best = candidates[0];

  if (current === undefined) {
    if (!best) {
      return {
        kind: ActionKind.NO_HEALTHY_TARGET,
        from: undefined,
        reason: 'no node holds the address and no healthy node can take it',
      };
    }
    return hold(group, state, now, {
      kind: ActionKind.FAILOVER,
      from: undefined,
      to: best.id,
      reason: 'no node of the group holds the address',
    });
  }

  const mustLeave = current.health === NodeHealth.DOWN || current.banned;
  if (mustLeave) {
    const reason = current.health === NodeHealth.DOWN ? current.reason : `${current.node} is banned`;
    if (!best) {
      return { kind: ActionKind.NO_HEALTHY_TARGET, from: current.node, reason };
    }
    return hold(group, state, now, { kind: ActionKind.FAILOVER, from: current.node, to: best.id, reason });
  }

  if (current.health === NodeHealth.UNKNOWN) {
    return { kind: ActionKind.UNKNOWN, reason: `${current.node}: ${current.reason}` };
  }

  if (group.policy.failback === 'auto') {
    const preferred = [...group.nodes]
      .filter((n) => !assessments[n.id]?.banned)
      .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id))[0];
    const activeNode = group.nodes.find((n) => n.id === current.node);
    if (
      preferred &&
      activeNode &&
      preferred.id !== current.node &&
      preferred.priority > activeNode.priority
    ) {
      const since = healthySince[preferred.id];
      if (since !== undefined && now - since >= group.policy.holdDownSeconds * 1000) {
        return hold(group, state, now, {
          kind: ActionKind.FAILBACK,
          from: current.node,
          to: preferred.id,
          reason: `${preferred.id} healthy for ${Math.round((now - since) / 1000)} s (hold-down ${group.policy.holdDownSeconds} s)`,
        });
      }
    }
  }
  return { kind: ActionKind.STAY, reason: `${current.node} is healthy` };
}

/**
 * The drift rule (policy `drift: repair`): put every resource back on the recorded holder if
 * that node is HEALTHY and not banned; else, if the resources are split and the node holding
 * the first one is HEALTHY, gather them there (never leave a group silently split). Otherwise,
 * and always with `drift: report`, the usual rules decide; the caller reports `decision.drift`.
 */
function repairDrift(
  group: GroupConfig,
  state: GroupState,
  assessments: Record<string, NodeAssessment>,
  drift: Drift | undefined,
  active: string | undefined,
  now: number,
): Action | undefined {
  if (!drift || group.policy.drift !== 'repair') return undefined;
  const usable = (id: string | undefined): id is string =>
    id !== undefined && assessments[id]?.health === NodeHealth.HEALTHY && !assessments[id]?.banned;
  const fromOf = (to: string) => drift.holdings.find((h) => h.node !== undefined && h.node !== to)?.node;
  if (usable(drift.recorded)) {
    const to = drift.recorded;
    return hold(group, state, now, {
      kind: ActionKind.REPAIR,
      from: fromOf(to),
      to,
      reason: `drift: ${drift.summary}`,
    });
  }
  if (drift.split && usable(active)) {
    return hold(group, state, now, {
      kind: ActionKind.REPAIR,
      from: fromOf(active),
      to: active,
      reason: `drift: ${drift.summary}; gathering on ${active}`,
    });
  }
  return undefined;
}

/** Applies observe mode, pause, the circuit breaker and the cooldown to a wanted move. */
function hold(group: GroupConfig, state: GroupState, now: number, action: MoveAction): Action {
  const { policy } = group;
  if (policy.mode === 'observe') return { ...action, hold: Hold.OBSERVE };
  if (state.paused) return { ...action, hold: Hold.PAUSED };
  if (state.breakerOpenSince !== undefined) return { ...action, hold: Hold.BREAKER };
  const windowStart = now - policy.breaker.windowSeconds * 1000;
  const recent = state.failoverTimes.filter((t) => t > windowStart).length;
  if (recent >= policy.breaker.maxFailovers) return { ...action, hold: Hold.BREAKER, opensBreaker: true };
  if (state.lastFailoverAt !== undefined && now - state.lastFailoverAt < policy.cooldownSeconds * 1000) {
    return { ...action, hold: Hold.COOLDOWN };
  }
  return action;
}

/**
 * The alerts named `ban-ended:<node>@<expiry>` say that the end of that ban was announced:
 * the conditional write that opens one is what makes the announcement happen once across
 * reconciles and arbiters. They are records, not open problems (status and reset skip them).
 */
export const BAN_ENDED_PREFIX = 'ban-ended:';

/** The alert that records the announcement of the end of one ban (node and expiry). */
export function banEndedKey(node: string, expiresAt: number): string {
  return `${BAN_ENDED_PREFIX}${node}@${expiresAt}`;
}

/** A ban with an expiry that has passed. */
export interface EndedBan {
  node: string;
  /** When it ended (epoch ms). */
  expiresAt: number;
  /** The alert that deduplicates its announcement. */
  key: string;
}

/**
 * Bans that ran out by `now` and whose end has not been announced, in the group's node order.
 * Pure. A ban ends when `now` reaches its expiry, the moment decide() stops treating the node as
 * banned; a ban lifted before its expiry is gone from the state, so nothing is announced for it.
 */
export function endedBans(group: GroupConfig, state: GroupState, now: number): EndedBan[] {
  const ended: EndedBan[] = [];
  for (const node of group.nodes) {
    const expiresAt = state.bans[node.id];
    // Not banned, or banned without expiry (0): nothing ends on its own.
    if (!expiresAt || expiresAt > now) continue;
    const key = banEndedKey(node.id, expiresAt);
    if (state.alerts[key] === undefined) ended.push({ node: node.id, expiresAt, key });
  }
  return ended;
}

/**
 * How long the record of an announced ban end is kept once its ban was lifted or replaced: far
 * longer than any reconcile runs (a Lambda invocation lasts 15 minutes at most), so no arbiter
 * still acting on a read from before the announcement can make it a second time.
 */
export const BAN_ENDED_RETAIN_MS = 86_400_000;

/**
 * Records of announced ban ends that can go (pure): the ban each names is no longer the node's
 * recorded ban, and it was announced more than BAN_ENDED_RETAIN_MS ago. While the expired ban is
 * still recorded, its record stays: it is what keeps the end from being announced again.
 */
export function forgettableBanEnds(state: GroupState, now: number): string[] {
  const current = new Set(
    Object.entries(state.bans)
      .filter(([, expiresAt]) => expiresAt > 0)
      .map(([node, expiresAt]) => banEndedKey(node, expiresAt)),
  );
  return (
    Object.entries(state.alerts)
      .filter(([key]) => key.startsWith(BAN_ENDED_PREFIX) && !current.has(key))
      // An unreadable time counts as old: the record is dropped rather than kept forever.
      .filter(([, announcedAt]) => !(now - Number(announcedAt) < BAN_ENDED_RETAIN_MS))
      .map(([key]) => key)
  );
}
