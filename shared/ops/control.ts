import type { GroupConfig } from '../config/schema';
import { show } from '../config/zod-issues';
import { BAN_ENDED_PREFIX, Hold } from '../domain/decide';
import { InputError, messageOf } from '../domain/errors';
import { isoSecond } from '../domain/time';
import { invokeCommand } from '../messages/format';
import type { ReconcileResult } from '../usecases/deps';
import { reconcileGroup } from '../usecases/reconcile';
import { announce } from './announce';
import { type CallerContext, callerOf, type OpsDeps, requestIdOf } from './deps';
import { type ManualFailoverResult, manualFailover } from './manual-failover';
import { controlApplied, controlSummary } from './messages';
import {
  ControlAction,
  type ControlPayload,
  ControlPayloadSchema,
  parsePayload,
  resolveGroup,
  resolveNode,
} from './payload';

const WHAT = 'control';

/** What a control action did. */
export interface ControlResult {
  group: string;
  action: ControlAction;
  node?: string;
  /** False when the group already was in that state. */
  changed: boolean;
  summary: string;
  requestedBy: string;
  /** The Lambda request id of this invocation (absent outside Lambda); also in the history row. */
  requestId?: string;
  /**
   * What became of the group's resources, in one word, whichever step decided it: `moved` when
   * the reconcile or the move off a banned holder moved them, else the reconcile's outcome
   * (`held`, `none`, ...), `failed` when that step failed, `unchanged` when nothing ran (pause).
   */
  outcome: string;
  /** Why, in one sentence, when `reconcile` alone would mislead (held by the cooldown, then moved by the ban). */
  detail?: string;
  /** The group's controls after the action. */
  state: {
    paused: boolean;
    breakerOpen: boolean;
    bans: Array<{ node: string; until: string | null }>;
  };
  /** The reconcile run right after the action (all but pause), so a ban of the holder moves it now. */
  reconcile?: ReconcileResult | { error: string };
  /** The manual move off a banned holder, made when the reconcile was held only by the cooldown. */
  move?: Pick<ManualFailoverResult, 'outcome' | 'from' | 'to' | 'detail'> | { error: string };
  warnings: string[];
}

/**
 * One outcome for the reply: a ban within the cooldown shows a reconcile `held` ("cooldown: ...")
 * next to a move that did happen; the top-level outcome says what the address did.
 */
function overallOutcome(
  reconcile: ControlResult['reconcile'],
  move: ControlResult['move'],
  node: string | undefined,
): { outcome: string; detail?: string } {
  if (move) {
    if ('error' in move) return { outcome: 'failed', detail: `the move off ${node} failed: ${move.error}` };
    const held = reconcile && 'outcome' in reconcile ? reconcile.detail : undefined;
    return {
      outcome: move.outcome,
      detail: `the arbiter's reconcile was held${held ? ` (${held})` : ''}, which only guards against flapping; the ban moved the address off ${node} by hand${move.to ? ` to ${move.to}` : ''} (see move)`,
    };
  }
  if (!reconcile) return { outcome: 'unchanged' };
  if ('error' in reconcile) return { outcome: 'failed', detail: `the reconcile failed: ${reconcile.error}` };
  return { outcome: reconcile.outcome };
}

async function moveOffBanned(
  deps: OpsDeps,
  group: string,
  node: string,
  reason: string | undefined,
  requestedBy: string,
  context: CallerContext | undefined,
): Promise<NonNullable<ControlResult['move']>> {
  try {
    const moved = await manualFailover(
      deps,
      { group, reason: `${node} banned${reason ? `: ${reason}` : ''}`, requestedBy },
      context,
    );
    return {
      outcome: moved.outcome,
      from: moved.from,
      to: moved.to,
      ...(moved.detail !== undefined ? { detail: moved.detail } : {}),
    };
  } catch (error) {
    return { error: messageOf(error) };
  }
}

function checkShape(payload: {
  action: ControlAction;
  node?: string | undefined;
  expiresInMinutes?: number | undefined;
}) {
  const needsNode = payload.action === ControlAction.BAN || payload.action === ControlAction.UNBAN;
  if (needsNode && payload.node === undefined) {
    throw new InputError(WHAT, [`node is required with action ${payload.action}`]);
  }
  if (!needsNode && payload.node !== undefined) {
    throw new InputError(WHAT, [
      `node = ${show(payload.node)}: action ${payload.action} applies to the whole group; leave node out`,
    ]);
  }
  if (payload.expiresInMinutes !== undefined && payload.action !== ControlAction.BAN) {
    throw new InputError(WHAT, [
      `expiresInMinutes = ${payload.expiresInMinutes}: only a ban expires; leave it out with action ${payload.action}`,
    ]);
  }
}

/** Writes the action to the group's state. `changed` is false when it already was so. */
async function apply(
  deps: OpsDeps,
  group: string,
  payload: ControlPayload,
  node: string | undefined,
  now: number,
  warnings: string[],
): Promise<{ changed: boolean; expiresAt?: number }> {
  let changed = true;
  let expiresAt: number | undefined;
  switch (payload.action) {
    case ControlAction.BAN:
      expiresAt = payload.expiresInMinutes === undefined ? 0 : now + payload.expiresInMinutes * 60_000;
      await deps.store.setBan(group, node as string, expiresAt);
      if (expiresAt === 0) warnings.push(`${node} stays banned until someone unbans it`);
      break;
    case ControlAction.UNBAN: {
      const before = (await deps.store.readGroup(group)).state.bans[node as string];
      const cleared = await deps.store.clearBan(group, node as string);
      changed = cleared && before !== undefined && (before === 0 || before > now);
      break;
    }
    case ControlAction.PAUSE:
    case ControlAction.RESUME:
      changed = await deps.store.setPaused(group, payload.action === ControlAction.PAUSE);
      break;
    case ControlAction.RESET: {
      const { state } = await deps.store.readGroup(group);
      // Records of announced ban ends are kept: clearing one would announce its ban's end again.
      const open = Object.keys(state.alerts).filter((key) => !key.startsWith(BAN_ENDED_PREFIX));
      await deps.store.resetCounters(group, open);
      break;
    }
  }
  return { changed, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/**
 * Reconciles the group right after the action (all but pause), so a ban of the holder moves it
 * now; a move held only by the cooldown is made by hand (see moveOffBanned).
 */
async function reconcileAfter(
  deps: OpsDeps,
  group: GroupConfig,
  payload: ControlPayload,
  node: string | undefined,
  requestedBy: string,
  context: CallerContext | undefined,
  warnings: string[],
): Promise<Pick<ControlResult, 'reconcile' | 'move'>> {
  let reconcile: ControlResult['reconcile'];
  if (payload.action !== ControlAction.PAUSE) {
    try {
      reconcile = await reconcileGroup(deps, group);
    } catch (error) {
      reconcile = { error: messageOf(error) };
      warnings.push(`the reconcile after the action failed (the scheduled one retries): ${messageOf(error)}`);
    }
  }
  let move: ControlResult['move'];
  const held = reconcile && 'outcome' in reconcile && reconcile.outcome === 'held' && reconcile.from === node;
  if (payload.action === ControlAction.BAN && held) {
    const detail = (reconcile as ReconcileResult).detail ?? 'policy';
    if (detail.startsWith(`${Hold.COOLDOWN}:`)) {
      // The cooldown stops the arbiter's own flapping; an operator's ban is not that, so the
      // move off the banned holder is made now, as a manual failover to the best healthy node.
      move = await moveOffBanned(deps, group.id, node as string, payload.reason, requestedBy, context);
      if ('error' in move) warnings.push(`could not move off ${node} now: ${move.error}`);
    } else {
      warnings.push(
        `the move off ${node} is held (${detail}); to move now: ${invokeCommand('failover', { group: group.id, reason: `${node} banned` })}`,
      );
    }
  }
  return { ...(reconcile ? { reconcile } : {}), ...(move ? { move } : {}) };
}

/**
 * The `control` function: ban or unban a node (a ban may end on its own), pause or resume a
 * group (observe only), reset the breaker and counts. Every action is written to history and
 * notified. Then, except after a pause, the group is reconciled right away: banning the holder
 * moves the address now, not at the next minute.
 * @throws InputError for a bad payload or an unknown group or node.
 */
export async function control(
  deps: OpsDeps,
  input: unknown,
  context?: CallerContext,
): Promise<ControlResult> {
  const payload = parsePayload(ControlPayloadSchema, input, WHAT);
  checkShape(payload);
  const group = resolveGroup(deps.config, payload.group, WHAT);
  const node = payload.node === undefined ? undefined : resolveNode(group, payload.node, 'node', WHAT).id;
  const requestedBy = callerOf(payload.requestedBy, context);
  const requestId = requestIdOf(context);
  const now = deps.now();
  const warnings: string[] = [];

  const { changed, expiresAt } = await apply(deps, group.id, payload, node, now, warnings);
  deps.log.info('control', { group: group.id, action: payload.action, node, requestedBy, changed });

  const facts = {
    action: payload.action,
    ...(node !== undefined ? { node } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(payload.reason !== undefined ? { reason: payload.reason } : {}),
    requestedBy,
    changed,
    now,
  };
  warnings.push(
    ...(await announce(deps, controlApplied(group, facts), {
      action: payload.action,
      ...(node !== undefined ? { node } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      reason: payload.reason ?? '',
      requestedBy,
      ...(requestId !== undefined ? { requestId } : {}),
      changed,
    })),
  );

  const { reconcile, move } = await reconcileAfter(
    deps,
    group,
    payload,
    node,
    requestedBy,
    context,
    warnings,
  );

  const { state } = await deps.store.readGroup(group.id);
  const after = deps.now();
  const { outcome, detail } = overallOutcome(reconcile, move, node);
  return {
    group: group.id,
    action: payload.action,
    ...(node !== undefined ? { node } : {}),
    changed,
    summary: controlSummary(facts),
    requestedBy,
    ...(requestId !== undefined ? { requestId } : {}),
    outcome,
    ...(detail !== undefined ? { detail } : {}),
    state: {
      paused: state.paused,
      breakerOpen: state.breakerOpenSince !== undefined,
      bans: Object.entries(state.bans)
        .filter(([, until]) => until === 0 || until > after)
        .map(([n, until]) => ({ node: n, until: until === 0 ? null : isoSecond(until) })),
    },
    ...(reconcile ? { reconcile } : {}),
    ...(move ? { move } : {}),
    warnings,
  };
}
