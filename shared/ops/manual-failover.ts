import type { GroupConfig, NodeConfig } from '../config/schema';
import { show } from '../config/zod-issues';
import { ActionKind, NodeHealth } from '../domain/constants';
import { type Decision, decide, type MoveAction, type NodeAssessment } from '../domain/decide';
import { InputError, messageOf } from '../domain/errors';
import type { GroupState, Holding } from '../domain/model';
import { isoSecond } from '../domain/time';
import { invokeCommand } from '../messages/format';
import type { Mover } from '../ports/mover';
import type { ReconcileResult } from '../usecases/deps';
import { executeMove } from '../usecases/move';
import { type CallerContext, callerOf, type OpsDeps, requestIdOf } from './deps';
import { FailoverPayloadSchema, parsePayload, resolveGroup, resolveNode } from './payload';

const WHAT = 'failover';

/** One resource in a manual failover plan. */
export interface PlanStep {
  resource: string;
  /** Holder before, as EC2 reports it. */
  from: string | undefined;
  to: string;
  /** False if the resource already is on the target (nothing will be called for it). */
  moves: boolean;
}

/** What a manual failover did (or, with dryRun, would do). */
export interface ManualFailoverResult {
  group: string;
  outcome: 'dry-run' | 'already-there' | ReconcileResult['outcome'];
  /** Holder of the group's first resource before, as EC2 reports it. */
  from: string | undefined;
  to: string;
  reason: string;
  requestedBy: string;
  /** The Lambda request id of this invocation (absent outside Lambda); also in the history row. */
  requestId?: string;
  forced: boolean;
  /** The target's health by quorum when it was chosen, and why. */
  target: { health: NodeHealth; reason: string; instanceState: string };
  before: Holding[];
  /** Read back from EC2 after the move (absent for a dry run). */
  after?: Holding[];
  plan: PlanStep[];
  warnings: string[];
  timings: {
    totalMs: number;
    /** From taking the lease to the verified, recorded move. */
    moveMs?: number;
    steps?: Array<{ at: string; what: string }>;
  };
  detail?: string;
}

function banText(state: GroupState, node: string): string {
  const expiry = state.bans[node];
  return expiry ? `until ${isoSecond(expiry)}` : 'without expiry';
}

/** Highest priority first, then id: the same order the automatic decision uses. */
function byPriority(a: NodeConfig, b: NodeConfig): number {
  return b.priority - a.priority || a.id.localeCompare(b.id);
}

const healthRank = { [NodeHealth.HEALTHY]: 0, [NodeHealth.UNKNOWN]: 1, [NodeHealth.DOWN]: 2 } as const;

/**
 * The target when the payload names none: the best HEALTHY, unbanned node other than the
 * holder; with `force`, the best unbanned one of any health (healthy before unknown before down).
 * @throws InputError when no node qualifies, saying why each was passed over.
 */
function chooseTarget(group: GroupConfig, decision: Decision, force: boolean): NodeConfig {
  const others = group.nodes.filter((n) => n.id !== decision.active);
  const a = (n: NodeConfig) => decision.assessments[n.id] as NodeAssessment;
  const healthy = others.filter((n) => !a(n).banned && a(n).health === NodeHealth.HEALTHY).sort(byPriority);
  if (healthy[0]) return healthy[0];
  if (force) {
    const any = others
      .filter((n) => !a(n).banned)
      .sort((x, y) => healthRank[a(x).health] - healthRank[a(y).health] || byPriority(x, y));
    if (any[0]) return any[0];
  }
  const why = others.map(
    (n) => `${n.id} ${a(n).banned ? 'is banned' : `is ${a(n).health} (${a(n).reason})`}`,
  );
  throw new InputError(`${WHAT} refused`, [
    `no other node of group ${group.id} can take the address: ${why.join('; ')}${
      force ? '' : '; name one with "to" and add "force": true to move anyway'
    }`,
  ]);
}

/**
 * Refuses a target that is banned (always: the arbiter would move the address straight off it)
 * or not HEALTHY by quorum (unless forced).
 * @throws InputError saying why and what to run instead.
 */
function checkTarget(group: GroupConfig, state: GroupState, a: NodeAssessment, force: boolean): void {
  if (a.banned) {
    throw new InputError(`${WHAT} refused`, [
      `to = ${show(a.node)}: ${a.node} is banned ${banText(state, a.node)}; the arbiter would move the address off it again. Lift the ban first: ${invokeCommand('control', { group: group.id, action: 'unban', node: a.node })}`,
    ]);
  }
  if (a.health !== NodeHealth.HEALTHY && !force) {
    throw new InputError(`${WHAT} refused`, [
      `to = ${show(a.node)}: ${a.node} is ${a.health} (${a.reason}); add "force": true to move anyway`,
    ]);
  }
}

/**
 * A result's keys in the order a person reads them: what happened first, then the evidence.
 * `set`: only when it has a value. Typed so that a new key of the result must be placed here.
 */
const READING_ORDER: Record<keyof ManualFailoverResult, 'always' | 'set'> = {
  group: 'always',
  outcome: 'always',
  detail: 'set',
  from: 'always',
  to: 'always',
  reason: 'always',
  requestedBy: 'always',
  requestId: 'set',
  forced: 'always',
  target: 'always',
  warnings: 'always',
  before: 'always',
  after: 'set',
  plan: 'always',
  timings: 'always',
};

/** The same result with its keys in reading order. */
function readable(r: ManualFailoverResult): ManualFailoverResult {
  const out: Partial<Record<keyof ManualFailoverResult, unknown>> = {};
  for (const [key, when] of Object.entries(READING_ORDER) as Array<[keyof ManualFailoverResult, string]>) {
    if (when === 'always' || r[key] !== undefined) out[key] = r[key];
  }
  return out as ManualFailoverResult;
}

function warningsFor(
  group: GroupConfig,
  state: GroupState,
  decision: Decision,
  target: NodeConfig,
): string[] {
  const out: string[] = [];
  const a = decision.assessments[target.id] as NodeAssessment;
  if (a.health !== NodeHealth.HEALTHY) {
    out.push(
      `forced onto ${target.id}, which is ${a.health} (${a.reason}); unless the group is paused, the arbiter moves the address to a healthy node once the cooldown (${group.policy.cooldownSeconds} s) ends`,
    );
  }
  if (group.policy.mode === 'observe')
    out.push('mode: observe: the arbiter will not move the address on its own');
  if (state.paused) out.push('the group is paused: the arbiter will not move the address on its own');
  if (state.breakerOpenSince !== undefined) {
    out.push('the circuit breaker is open: the arbiter will not move the address on its own until reset');
  }
  if (group.policy.failback === 'auto') {
    const preferred = group.nodes.filter((n) => !decision.assessments[n.id]?.banned).sort(byPriority)[0];
    if (preferred && preferred.id !== target.id && preferred.priority > target.priority) {
      out.push(
        `failback: auto moves the address back to ${preferred.id} after the cooldown (${group.policy.cooldownSeconds} s) once it has been healthy for ${group.policy.holdDownSeconds} s; to keep it away: ${invokeCommand('control', { group: group.id, action: 'ban', node: preferred.id, expiresInMinutes: 60 })}`,
      );
    }
  }
  return out;
}

/**
 * Manual failover (the `failover` function): moves the group's resources to the named node,
 * or to the best healthy standby, with the same lease, movers, read-back, recording and
 * notification as an automatic failover. Observe mode, a paused group, an open breaker and
 * the cooldown do not hold it: an operator asked. `dryRun` returns the plan and changes nothing.
 * @throws InputError for a bad payload, an unknown group or node, or a refused target.
 */
export async function manualFailover(
  deps: OpsDeps,
  input: unknown,
  context?: CallerContext,
): Promise<ManualFailoverResult> {
  const started = deps.now();
  const payload = parsePayload(FailoverPayloadSchema, input, WHAT);
  const group = resolveGroup(deps.config, payload.group, WHAT);
  const named = payload.to === undefined ? undefined : resolveNode(group, payload.to, 'to', WHAT);
  const requestedBy = callerOf(payload.requestedBy, context);
  const requestId = requestIdOf(context);
  const reason = payload.reason ?? 'manual failover (no reason given)';

  const movers = deps.cloud.movers(group);
  const [snapshot, instances, before] = await Promise.all([
    deps.store.readGroup(group.id),
    deps.cloud.signals(group),
    Promise.all(movers.map((m) => m.observe())),
  ]);
  const decision = decide(
    group,
    snapshot.state,
    snapshot.verdicts,
    { instances, holdings: before },
    deps.now(),
  );
  const target = named ?? chooseTarget(group, decision, payload.force);
  const assessment = decision.assessments[target.id] as NodeAssessment;
  checkTarget(group, snapshot.state, assessment, payload.force);

  const plan: PlanStep[] = before.map((h) => ({
    resource: h.resource,
    from: h.node,
    to: target.id,
    moves: h.node !== target.id,
  }));
  const result: ManualFailoverResult = {
    group: group.id,
    outcome: 'dry-run',
    from: decision.active,
    to: target.id,
    reason,
    requestedBy,
    ...(requestId !== undefined ? { requestId } : {}),
    forced: payload.force,
    target: {
      health: assessment.health,
      reason: assessment.reason,
      instanceState: instances[target.id]?.state ?? 'unknown',
    },
    before,
    plan,
    warnings: warningsFor(group, snapshot.state, decision, target),
    timings: { totalMs: 0 },
  };
  const finish = (r: ManualFailoverResult) =>
    readable({ ...r, timings: { ...r.timings, totalMs: deps.now() - started } });

  if (!plan.some((s) => s.moves)) {
    const detail = `every resource of ${group.id} is already on ${target.id}`;
    return finish({ ...result, outcome: payload.dryRun ? 'dry-run' : 'already-there', detail });
  }
  if (payload.dryRun) {
    const moving = plan.filter((s) => s.moves).map((s) => s.resource);
    return finish({
      ...result,
      detail: `would move ${moving.join(', ')} to ${target.id}; nothing was changed`,
    });
  }

  return finish(await move(deps, group, movers, decision, result));
}

/** Makes the planned move as an automatic failover would, then reads the holders back. */
async function move(
  deps: OpsDeps,
  group: GroupConfig,
  movers: Mover[],
  decision: Decision,
  result: ManualFailoverResult,
): Promise<ManualFailoverResult> {
  const { to, reason, requestedBy, requestId } = result;
  const action: MoveAction = { kind: ActionKind.FAILOVER, from: decision.active, to, reason };
  deps.log.info('manual failover', {
    group: group.id,
    from: decision.active,
    to,
    requestedBy,
    requestId,
    reason,
  });
  const moved = await executeMove(deps, group, movers, decision, action, {
    kind: 'manual',
    requestedBy,
    ...(requestId !== undefined ? { requestId } : {}),
    skipRecheck: true,
  });
  let after: Holding[] | undefined;
  try {
    after = await Promise.all(movers.map((m) => m.observe()));
  } catch (error) {
    result.warnings.push(`could not read the holders back after the move: ${messageOf(error)}`);
  }
  return {
    ...result,
    outcome: moved.outcome,
    ...(after ? { after } : {}),
    timings: {
      totalMs: 0,
      ...(moved.moveMs !== undefined ? { moveMs: moved.moveMs } : {}),
      ...(moved.timeline
        ? { steps: moved.timeline.map((s) => ({ at: new Date(s.at).toISOString(), what: s.what })) }
        : {}),
    },
    ...(moved.detail ? { detail: moved.detail } : {}),
  };
}
