import { z } from 'zod';
import type { GroupConfig } from '../config/schema';
import { ActionKind, NodeHealth, VerdictStatus } from '../domain/constants';
import { decide } from '../domain/decide';
import { messageOf } from '../domain/errors';
import { addressSwitchMs } from '../domain/move-timeline';
import { CallOutcome, chooseStandby, judgeReadiness, ReadinessStatus } from '../domain/readiness';
import { isoSecond } from '../domain/time';
import { announce } from './announce';
import { type CallerContext, callerOf, type OpsDeps } from './deps';
import { drillSummary } from './drill-summary';
import { type ManualFailoverResult, manualFailover } from './manual-failover';
import { parsePayload, resolveGroup } from './payload';

const WHAT = 'drill';

/** `drill` payload. */
export const DrillPayloadSchema = z.strictObject({
  group: z.string().min(1).max(63),
  /** Leave the address on the standby (default: move it back to the holder it started on). */
  stay: z.boolean().optional(),
  reason: z.string().min(1).max(500).optional(),
  requestedBy: z.string().min(1).max(128).optional(),
  /** Set by the drill's schedule (`<aws.scheduler.scheduled-time>`): a delivery past the window is refused. */
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});
export type DrillPayload = z.output<typeof DrillPayloadSchema>;

/** One timed step of a drill. */
export interface DrillStep {
  /** ISO time, to the millisecond. */
  at: string;
  what: string;
  /** Milliseconds since the drill started. */
  atMs: number;
}

/** One move of a drill (to the standby, and back). */
export interface DrillLeg {
  from: string | undefined;
  to: string;
  outcome: ManualFailoverResult['outcome'];
  /** From taking the lease to the verified, recorded move. */
  moveMs?: number;
  /**
   * From the first mutating EC2 call to the read-back that showed the target: while the address
   * is in flux, so the most clients can have been cut off, as far as EC2 shows.
   */
  addressSwitchMs?: number;
  /** From the verified move until every vantage had confirmed the new holder UP (data path). */
  dataPathMs?: number;
  dataPath: 'passed' | 'failed' | 'not-checked';
  detail?: string;
}

/** What a drill did, or why it did not run. */
export interface DrillResult {
  group: string;
  outcome: 'passed' | 'failed' | 'refused';
  /** Why it was refused or failed; absent when it passed. */
  reason?: string;
  requestedBy: string;
  from?: string;
  standby?: string;
  stayed: boolean;
  legs: DrillLeg[];
  /**
   * The client-visible outage where it can be measured. No vantage probes the address itself
   * (probers check each node), so the arbiter side can bound it only by the address switch.
   */
  clientOutage: { measured: false; upperBoundMs?: number; note: string };
  steps: DrillStep[];
  totalMs: number;
  warnings: string[];
}

/** How often the drill re-reads the verdicts while waiting for the data-path check. */
const DATA_PATH_POLL_MS = 500;

/**
 * A failover drill (the `drill` function): rehearses a failover of the group through the real
 * path (lease, moves, read-back, record: the manual failover's), checks the data path from the
 * vantages (every vantage confirms the new holder UP after the move), then moves the address
 * back to where it started unless `stay`. Refused, with the reason, when the group is not ready
 * (readiness, with a fresh DryRun), paused, inside its cooldown, has something else to do, or
 * when a scheduled delivery arrives after its window. History and an SNS summary record it.
 * @throws InputError for a bad payload or an unknown group.
 */
export async function drill(deps: OpsDeps, input: unknown, context?: CallerContext): Promise<DrillResult> {
  const started = deps.now();
  const payload = parsePayload(DrillPayloadSchema, input, WHAT);
  const group = resolveGroup(deps.config, payload.group, WHAT);
  const requestedBy = callerOf(
    payload.requestedBy ?? (payload.scheduledTime ? 'drill schedule' : undefined),
    context,
  );
  const stay = payload.stay ?? group.drill?.stay ?? false;
  const steps: DrillStep[] = [];
  const step = (what: string, at = deps.now()) => {
    steps.push({ at: new Date(at).toISOString(), what, atMs: at - started });
  };
  const result: DrillResult = {
    group: group.id,
    outcome: 'refused',
    requestedBy,
    stayed: stay,
    legs: [],
    clientOutage: { measured: false, note: 'no vantage probes the address itself; see addressSwitchMs' },
    steps,
    totalMs: 0,
    warnings: [],
  };
  const finish = async (r: DrillResult): Promise<DrillResult> => {
    const done = { ...r, totalMs: deps.now() - started };
    done.warnings.push(...(await announce(deps, drillSummary(group, done), { drill: done })));
    return done;
  };

  const refusal = await whyNot(deps, group, payload, started);
  step(refusal.reason ? `refused: ${refusal.reason}` : `ready: standby ${refusal.standby}`);
  if (refusal.reason) return finish({ ...result, reason: refusal.reason, ...refusal.where });
  const from = refusal.where.from as string;
  const standby = refusal.standby as string;
  result.from = from;
  result.standby = standby;

  const why = payload.reason ?? 'failover drill';
  const out = await leg(deps, group, from, standby, `drill: ${why}`, requestedBy, step);
  result.legs.push(out);
  if (out.outcome !== 'moved' || out.dataPath !== 'passed') {
    return finish({
      ...result,
      outcome: 'failed',
      reason: out.detail ?? `move to ${standby}: ${out.outcome}`,
    });
  }
  if (!stay) {
    const back = await leg(deps, group, standby, from, `drill: return after ${why}`, requestedBy, step);
    result.legs.push(back);
    if (back.outcome !== 'moved' || back.dataPath !== 'passed') {
      return finish({
        ...result,
        outcome: 'failed',
        reason: back.detail ?? `return to ${from}: ${back.outcome}`,
      });
    }
  }
  const switches = result.legs.map((l) => l.addressSwitchMs).filter((ms): ms is number => ms !== undefined);
  if (switches.length > 0) result.clientOutage.upperBoundMs = Math.max(...switches);
  return finish({ ...result, outcome: 'passed' });
}

/** Why the drill must not run now (first reason), or where it would move. */
async function whyNot(
  deps: OpsDeps,
  group: GroupConfig,
  payload: DrillPayload,
  now: number,
): Promise<{ reason?: string; standby?: string; where: { from?: string; standby?: string } }> {
  if (payload.scheduledTime !== undefined) {
    const windowMs = (group.drill?.windowMinutes ?? 30) * 60_000;
    const late = now - Date.parse(payload.scheduledTime) - windowMs;
    if (late > 0) {
      return {
        reason: `the scheduled drill of ${payload.scheduledTime} arrived after its ${windowMs / 60_000}-minute window`,
        where: {},
      };
    }
  }
  const movers = deps.cloud.movers(group);
  const [snapshot, instances, holdings] = await Promise.all([
    deps.store.readGroup(group.id),
    deps.cloud.signals(group),
    Promise.all(movers.map((m) => m.observe())),
  ]);
  const decision = decide(group, snapshot.state, snapshot.verdicts, { instances, holdings }, now);
  const from = decision.active;
  const target = chooseStandby(group, decision);
  const where = { ...(from ? { from } : {}), ...(target ? { standby: target.id } : {}) };
  // A fresh DryRun, not the remembered one: a drill is exactly when to prove the move.
  const calls =
    target && deps.readiness
      ? await deps.readiness.permissions.check(
          group,
          target,
          group.nodes.find((n) => n.id === from),
        )
      : undefined;
  const readiness = judgeReadiness({
    group,
    state: snapshot.state,
    decision,
    verdicts: snapshot.verdicts,
    ...(target && calls
      ? { permissions: { at: now, target: target.id, ...(from ? { from } : {}), calls } }
      : {}),
    now,
  });
  if (readiness.status !== ReadinessStatus.READY) {
    return { reason: `${group.id} is not ready to fail over: ${readiness.reason}`, where };
  }
  if (calls?.some((c) => c.outcome === CallOutcome.INCONCLUSIVE)) {
    return { reason: 'the DryRun of the move could not be completed (EC2 throttled or unreachable)', where };
  }
  const { state } = snapshot;
  const cooldownEnd =
    state.lastFailoverAt !== undefined ? state.lastFailoverAt + group.policy.cooldownSeconds * 1000 : 0;
  if (cooldownEnd > now) {
    return {
      reason: `${group.id} is inside its cooldown until ${isoSecond(cooldownEnd)} (a recent failover)`,
      where,
    };
  }
  if (decision.action.kind !== ActionKind.STAY) {
    return {
      reason: `the arbiter has work to do first: ${decision.action.kind} (${decision.action.reason})`,
      where,
    };
  }
  if (state.leaseOwner !== undefined && state.leaseExpiresAt > now) {
    return { reason: `a move is under way (lease held by ${state.leaseOwner})`, where };
  }
  if (!from || !target) return { reason: 'no holder or no standby', where };
  return { standby: target.id, where };
}

/** Moves the group to `to` through the manual failover, then checks the data path. */
async function leg(
  deps: OpsDeps,
  group: GroupConfig,
  from: string,
  to: string,
  reason: string,
  requestedBy: string,
  step: (what: string, at?: number) => void,
): Promise<DrillLeg> {
  step(`moving ${from} -> ${to}`);
  let moved: ManualFailoverResult;
  try {
    moved = await manualFailover(deps, { group: group.id, to, reason, requestedBy });
  } catch (error) {
    step(`move ${from} -> ${to} refused: ${messageOf(error)}`);
    return { from, to, outcome: 'failed', dataPath: 'not-checked', detail: messageOf(error) };
  }
  const timeline = moved.timings.steps ?? [];
  for (const s of timeline) step(`  ${s.what}`, Date.parse(s.at));
  const base: DrillLeg = {
    from,
    to,
    outcome: moved.outcome,
    ...(moved.timings.moveMs !== undefined ? { moveMs: moved.timings.moveMs } : {}),
    ...(addressSwitchMs(timeline) !== undefined ? { addressSwitchMs: addressSwitchMs(timeline) } : {}),
    dataPath: 'not-checked',
    ...(moved.outcome !== 'moved' && moved.detail ? { detail: moved.detail } : {}),
  };
  if (moved.outcome !== 'moved') return base;
  const movedAt = deps.now();
  const check = await dataPath(deps, group, to, movedAt);
  step(check.ok ? `data path: every vantage confirms ${to} UP` : `data path FAILED: ${check.detail}`);
  return {
    ...base,
    dataPath: check.ok ? 'passed' : 'failed',
    dataPathMs: deps.now() - movedAt,
    ...(check.ok ? {} : { detail: check.detail }),
  };
}

/**
 * The data-path check: every vantage of the group confirms, after the move, that the new
 * holder passes the group's health check (its verdict UP, written or re-confirmed by a
 * heartbeat after `movedAt`), and quorum sees it HEALTHY with what EC2 shows now (for a NAT
 * group that includes the egress probes through the moved route). Waits at most
 * `staleAfterSeconds`: by then a silent vantage would be stale anyway.
 */
async function dataPath(
  deps: OpsDeps,
  group: GroupConfig,
  node: string,
  movedAt: number,
): Promise<{ ok: boolean; detail: string }> {
  const deadline = movedAt + group.policy.staleAfterSeconds * 1000;
  let detail = 'not checked';
  for (;;) {
    const snapshot = await deps.store.readGroup(group.id);
    const waiting: string[] = [];
    for (const vantage of group.vantages) {
      const v = snapshot.verdicts.find(
        (x) => x.vantage === vantage && x.node === node && x.group === group.id,
      );
      if (!v) waiting.push(`${vantage}: no verdict`);
      else if (v.status !== VerdictStatus.UP)
        waiting.push(`${vantage}: ${v.status} (${v.evidence.at(-1)?.error ?? 'failed'})`);
      else if (v.seenAt < movedAt) waiting.push(`${vantage}: not confirmed since the move`);
    }
    if (waiting.length === 0) {
      const movers = deps.cloud.movers(group);
      const [instances, holdings] = await Promise.all([
        deps.cloud.signals(group),
        Promise.all(movers.map((m) => m.observe())),
      ]);
      const a = decide(group, snapshot.state, snapshot.verdicts, { instances, holdings }, deps.now())
        .assessments[node];
      if (a?.health === NodeHealth.HEALTHY) return { ok: true, detail: a.reason };
      waiting.push(`quorum: ${a?.health ?? 'UNKNOWN'} (${a?.reason ?? 'no assessment'})`);
    }
    detail = waiting.join('; ');
    if (deps.now() >= deadline)
      return { ok: false, detail: `after ${group.policy.staleAfterSeconds} s: ${detail}` };
    await new Promise((resolve) => setTimeout(resolve, DATA_PATH_POLL_MS));
  }
}
