import type { GroupConfig, NodeConfig } from '../config/schema';
import type { NodeHealth, VerdictStatus } from '../domain/constants';
import { type Action, BAN_ENDED_PREFIX, type Decision, decide, isMove } from '../domain/decide';
import { messageOf } from '../domain/errors';
import type { GroupState, HistoryEvent, Holding, InstanceSignal, Verdict } from '../domain/model';
import { judgeReadiness, type Readiness, type ReadinessStatus } from '../domain/readiness';
import { isoSecond } from '../domain/time';
import type { GroupSnapshot } from '../ports/store';
import type { CallerContext, OpsDeps } from './deps';
import { parsePayload, resolveGroup, StatusPayloadSchema } from './payload';
import { renderStatusText } from './status-text';

/** One vantage point's verdict on one node, with how old it is. */
export interface VerdictView {
  vantage: string;
  status: VerdictStatus;
  /** When the status last changed. */
  since: string;
  /** When the vantage last confirmed it (row write or heartbeat). */
  seenAt: string;
  ageSeconds: number;
  /** Older than `staleAfterSeconds`: the decision ignores it. */
  stale: boolean;
  /** Consecutive probe results (failures when DOWN) behind the status. */
  count: number;
  lastProbe?: { ok: boolean; at: string; latencyMs: number; error?: string };
  /** The most recent failed probe in the kept evidence. */
  lastError?: { at: string; error: string };
}

export interface NodeView {
  id: string;
  instanceId: string;
  priority: number;
  instance?: { state: string; impaired: boolean; launchTime?: string };
  /** Quorum health as the decision sees it now. */
  health: NodeHealth;
  reason: string;
  /** Ban end (ISO), `null` for a ban without expiry; absent when not banned. */
  bannedUntil?: string | null;
  healthySince?: string;
  verdicts: VerdictView[];
}

export interface ResourceView {
  resource: string;
  /** Holder according to EC2 Describe (undefined: no node of the group). */
  holder: string | undefined;
  detail: string;
  /** Holder according to the recorded state. */
  recorded: string | undefined;
  drift: boolean;
}

/** Everything an operator needs to know about one group. */
export interface GroupStatus {
  group: string;
  description?: string;
  /** `observe` (config), `paused` (control) or `active`. */
  mode: 'active' | 'observe' | 'paused';
  failback: 'manual' | 'auto';
  breaker: {
    open: boolean;
    since?: string;
    /** Automatic failovers within the window. */
    recentFailovers: number;
    maxFailovers: number;
    windowSeconds: number;
  };
  cooldownUntil?: string;
  lease: { holder?: string; epoch: number; expiresAt?: string; held: boolean };
  /** Holder of the first resource: as EC2 reports it, and as recorded. */
  active: { observed: string | undefined; recorded: string | undefined };
  /** True when EC2 shows a resource off the recorded holder, or the resources split between nodes. */
  drift: boolean;
  /** Which resource is where, when there is drift. */
  driftSummary?: string;
  resources: ResourceView[];
  nodes: NodeView[];
  bans: Array<{ node: string; until: string | null }>;
  alerts: Record<string, string>;
  /**
   * Would a failover work now (judged as the arbiter does, with the last DryRun it remembered);
   * absent when EC2 could not be read.
   */
  readiness?: {
    status: ReadinessStatus;
    /** The first reason it is not ready; empty when ready. */
    reason: string;
    reasons: string[];
    standby?: string;
    /** When the move to the standby was last proven by DryRun. */
    checkedAt?: string;
    notes: string[];
  };
  /** What the arbiter would do if it reconciled now. */
  next?: { action: string; reason: string; from?: string; to?: string; hold?: string };
  /** Newest first; manual actions say who asked and in which Lambda request (see docs/runbook.md). */
  history: Array<{
    at: string;
    event: string;
    severity: string;
    summary: string;
    requestedBy?: string;
    requestId?: string;
  }>;
  /** Reads that failed (the rest is still shown). */
  errors: string[];
}

export interface StatusReport {
  at: string;
  groups: GroupStatus[];
}

function settle<T>(promise: Promise<T>, errors: string[], what: string): Promise<T | undefined> {
  return promise.catch((error: unknown) => {
    errors.push(`${what}: ${messageOf(error)}`);
    return undefined;
  });
}

function verdictView(v: Verdict, now: number, staleAfterMs: number): VerdictView {
  const last = v.evidence.at(-1);
  const lastFailure = [...v.evidence].reverse().find((e) => !e.ok);
  return {
    vantage: v.vantage,
    status: v.status,
    since: isoSecond(v.since),
    seenAt: isoSecond(v.seenAt),
    ageSeconds: Math.max(0, Math.round((now - v.seenAt) / 1000)),
    stale: v.seenAt < now - staleAfterMs,
    count: v.count,
    ...(last
      ? {
          lastProbe: {
            ok: last.ok,
            at: isoSecond(last.at),
            latencyMs: last.latencyMs,
            ...(last.error ? { error: last.error } : {}),
          },
        }
      : {}),
    ...(lastFailure
      ? { lastError: { at: isoSecond(lastFailure.at), error: lastFailure.error ?? 'failed' } }
      : {}),
  };
}

function nextOf(action: Action): NonNullable<GroupStatus['next']> {
  const next: NonNullable<GroupStatus['next']> = { action: action.kind, reason: action.reason };
  if ('from' in action && action.from !== undefined) next.from = action.from;
  if (isMove(action)) {
    next.to = action.to;
    if (action.hold) next.hold = action.hold;
  }
  return next;
}

function instanceView(i: InstanceSignal | undefined): NodeView['instance'] {
  if (!i) return undefined;
  return {
    state: i.state,
    impaired: i.impaired,
    ...(i.launchTime !== undefined ? { launchTime: isoSecond(i.launchTime) } : {}),
  };
}

/**
 * The status of one group: EC2's view of every resource (Describe, not only the recorded
 * state), the recorded state, every vantage's verdict on every node, lease, mode, bans,
 * breaker, cooldown, what the arbiter would do now, and recent history. A failing read (EC2
 * down, say) is listed in `errors` and the rest is still returned: status matters most then.
 */
export async function groupStatus(
  deps: OpsDeps,
  group: GroupConfig,
  historyCount: number,
): Promise<GroupStatus> {
  const errors: string[] = [];
  const movers = deps.cloud.movers(group);
  const [snapshot, instances, holdings, history, permissions] = await Promise.all([
    deps.store.readGroup(group.id),
    settle(deps.cloud.signals(group), errors, 'EC2 instances'),
    settle(Promise.all(movers.map((m) => m.observe())), errors, 'EC2 holders'),
    historyCount > 0
      ? settle(deps.store.readHistory(group.id, historyCount), errors, 'history')
      : Promise.resolve([]),
    deps.readiness ? settle(deps.readiness.memo.read(group.id), errors, 'readiness') : undefined,
  ]);
  const now = deps.now();
  const { state } = snapshot;
  const { policy } = group;
  const seen: Holding[] =
    holdings ??
    group.resources.map((_, i) => ({
      resource: movers[i]?.key ?? `resource ${i}`,
      node: undefined,
      detail: '(EC2 not read)',
    }));
  const decision = decide(
    group,
    state,
    snapshot.verdicts,
    { instances: instances ?? {}, holdings: seen },
    now,
  );
  const readiness = holdings
    ? judgeReadiness({
        group,
        state,
        decision,
        verdicts: snapshot.verdicts,
        ...(permissions ? { permissions } : {}),
        now,
      })
    : undefined;
  const resources: ResourceView[] = seen.map((h) => {
    const misplaced =
      holdings !== undefined && decision.drift?.misplaced.some((m) => m.resource === h.resource);
    const recorded = state.holders[h.resource] || state.active;
    return { resource: h.resource, holder: h.node, detail: h.detail, recorded, drift: misplaced === true };
  });
  const activeBans = Object.entries(state.bans).filter(([, until]) => until === 0 || until > now);
  const cooldownEnd =
    state.lastFailoverAt !== undefined ? state.lastFailoverAt + policy.cooldownSeconds * 1000 : undefined;
  return {
    group: group.id,
    ...(group.description ? { description: group.description } : {}),
    mode: policy.mode === 'observe' ? 'observe' : state.paused ? 'paused' : 'active',
    failback: policy.failback,
    breaker: breakerView(group, state, now),
    ...(cooldownEnd !== undefined && cooldownEnd > now ? { cooldownUntil: isoSecond(cooldownEnd) } : {}),
    lease: {
      ...(state.leaseOwner ? { holder: state.leaseOwner } : {}),
      epoch: state.leaseEpoch,
      ...(state.leaseExpiresAt ? { expiresAt: isoSecond(state.leaseExpiresAt) } : {}),
      held: state.leaseOwner !== undefined && state.leaseExpiresAt > now,
    },
    active: { observed: holdings ? decision.active : undefined, recorded: state.active },
    drift: holdings !== undefined && decision.drift !== undefined,
    ...(holdings !== undefined && decision.drift ? { driftSummary: decision.drift.summary } : {}),
    resources,
    nodes: group.nodes.map((n) => nodeView(n, { group, snapshot, decision, instances, activeBans, now })),
    bans: activeBans.map(([node, until]) => ({ node, until: until === 0 ? null : isoSecond(until) })),
    // Records of announced ban ends are not open problems.
    alerts: Object.fromEntries(Object.entries(state.alerts).filter(([k]) => !k.startsWith(BAN_ENDED_PREFIX))),
    ...(readiness ? { readiness: readinessView(readiness) } : {}),
    ...(holdings ? { next: nextOf(decision.action) } : {}),
    history: (history ?? []).map(historyView),
    errors,
  };
}

/** What the status shows of one node: its instance, health, ban and every vantage's verdict. */
function nodeView(
  n: NodeConfig,
  ctx: {
    group: GroupConfig;
    snapshot: GroupSnapshot;
    decision: Decision;
    instances: Record<string, InstanceSignal> | undefined;
    activeBans: ReadonlyArray<[string, number]>;
    now: number;
  },
): NodeView {
  const { group, snapshot, decision, now } = ctx;
  const { state } = snapshot;
  const a = decision.assessments[n.id];
  const ban = ctx.activeBans.find(([id]) => id === n.id);
  const since = state.healthySince[n.id];
  const instance = instanceView(ctx.instances?.[n.id]);
  const staleAfterMs = group.policy.staleAfterSeconds * 1000;
  return {
    id: n.id,
    instanceId: n.instanceId,
    priority: n.priority,
    ...(instance ? { instance } : {}),
    health: a?.health ?? 'UNKNOWN',
    reason: a?.reason ?? '',
    ...(ban ? { bannedUntil: ban[1] === 0 ? null : isoSecond(ban[1]) } : {}),
    ...(since !== undefined ? { healthySince: isoSecond(since) } : {}),
    verdicts: snapshot.verdicts
      .filter((v) => v.node === n.id && group.vantages.includes(v.vantage))
      .sort((x, y) => x.vantage.localeCompare(y.vantage))
      .map((v) => verdictView(v, now, staleAfterMs)),
  };
}

function breakerView(group: GroupConfig, state: GroupState, now: number): GroupStatus['breaker'] {
  const { breaker } = group.policy;
  const windowStart = now - breaker.windowSeconds * 1000;
  return {
    open: state.breakerOpenSince !== undefined,
    ...(state.breakerOpenSince !== undefined ? { since: isoSecond(state.breakerOpenSince) } : {}),
    recentFailovers: state.failoverTimes.filter((t) => t > windowStart).length,
    maxFailovers: breaker.maxFailovers,
    windowSeconds: breaker.windowSeconds,
  };
}

function readinessView(readiness: Readiness): NonNullable<GroupStatus['readiness']> {
  return {
    status: readiness.status,
    reason: readiness.reason,
    reasons: readiness.reasons,
    ...(readiness.standby ? { standby: readiness.standby } : {}),
    ...(readiness.checkedAt !== undefined ? { checkedAt: isoSecond(readiness.checkedAt) } : {}),
    notes: readiness.notes,
  };
}

function historyView(e: HistoryEvent): GroupStatus['history'][number] {
  return {
    at: isoSecond(e.at),
    event: e.event,
    severity: e.severity,
    summary: e.summary,
    ...audit(e.detail),
  };
}

/** Who asked for a manual action and its Lambda request id, from its history row. */
function audit(detail: Record<string, unknown> | undefined): { requestedBy?: string; requestId?: string } {
  const by = detail?.requestedBy;
  const id = detail?.requestId;
  return {
    ...(typeof by === 'string' ? { requestedBy: by } : {}),
    ...(typeof id === 'string' ? { requestId: id } : {}),
  };
}

/**
 * The `status` function: every group (or one), as JSON for scripts or as a text table for a
 * terminal (`format: 'text'`).
 * @throws InputError for a bad payload or an unknown group.
 */
export async function status(
  deps: OpsDeps,
  input: unknown,
  _context?: CallerContext,
): Promise<StatusReport | string> {
  const payload = parsePayload(StatusPayloadSchema, input, 'status');
  const groups =
    payload.group === undefined ? deps.config.groups : [resolveGroup(deps.config, payload.group, 'status')];
  const report: StatusReport = {
    at: isoSecond(deps.now()),
    groups: await Promise.all(groups.map((g) => groupStatus(deps, g, payload.history))),
  };
  return payload.format === 'text' ? renderStatusText(report, deps.now()) : report;
}
