import type { GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import type { Decision, NodeAssessment } from '../domain/decide';
import type { Holding } from '../domain/model';
import type { Notification } from '../ports/notifier';

/** A step of a failover with its time, for the timeline in messages. */
export interface TimelineStep {
  at: number;
  what: string;
}

/** The start of every subject line, so an inbox filter can find them all. */
export const PREFIX = '[ha-arbiter]';

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** `npx serverless invoke -f <fn> --data '<json>'`, the command an operator runs next. */
export function invokeCommand(fn: string, data: Record<string, unknown>): string {
  return `npx serverless invoke -f ${fn} --data '${JSON.stringify(data)}'`;
}

/** The per-vantage verdict table shared by every message. */
export function verdictLines(group: GroupConfig, assessments: Record<string, NodeAssessment>): string[] {
  const lines: string[] = [];
  for (const node of group.nodes) {
    const a = assessments[node.id];
    if (!a) continue;
    lines.push(`  ${node.id}: ${a.health} (${a.reason})${a.banned ? ' [banned]' : ''}`);
    for (const vantage of group.vantages) {
      const e = a.evidence[vantage];
      const verdict = a.down.includes(vantage) ? 'DOWN' : a.up.includes(vantage) ? 'UP' : 'no fresh verdict';
      // Probe errors may already say `timeout after 2000 ms`: keep the latency only once.
      const error = (e?.error ?? 'failed').replace(/ after \d+ ms$/, '');
      const detail = e ? (e.ok ? `ok in ${e.latencyMs} ms` : `${error} after ${e.latencyMs} ms`) : '';
      lines.push(
        `    from ${vantage}: ${verdict}${detail ? ` (decided at ${clock(e!.at)}: ${detail})` : ''}`,
      );
    }
  }
  return lines;
}

function holdingLines(holdings: readonly Holding[]): string[] {
  return holdings.map((h) => `  ${h.resource}: ${h.node ?? 'no node of the group'} (${h.detail})`);
}

export function statusHint(group: GroupConfig): string[] {
  return ['', 'See the full status:', `  ${invokeCommand('status', { group: group.id })}`];
}

/** The per-vantage health section of a message, after a blank line. */
export function healthSection(group: GroupConfig, decision: Decision): string[] {
  return ['', 'Health by vantage point:', ...verdictLines(group, decision.assessments)];
}

/** The end of a message: what to run next (`what`, then the command), then the status command. */
export function nextStep(group: GroupConfig, what: string, command: string): string[] {
  return ['', what, `  ${command}`, ...statusHint(group)];
}

/** The message after a verified move. */
export function failoverSucceeded(input: {
  group: GroupConfig;
  kind: 'failover' | 'failback' | 'repair' | 'manual';
  from: string | undefined;
  to: string;
  reason: string;
  decision: Decision;
  holdings: readonly Holding[];
  timeline: readonly TimelineStep[];
  epoch: number;
  requestedBy?: string;
}): Notification {
  const { group, from, to, reason } = input;
  const verb = {
    failover: 'failed over',
    failback: 'failed back',
    repair: 'repaired placement',
    manual: 'manual failover',
  }[input.kind];
  const subject = from
    ? `${PREFIX} ${group.id}: ${verb} ${from} -> ${to} (${reason})`
    : `${PREFIX} ${group.id}: placed on ${to} (${reason})`;
  const first = input.timeline[0]?.at;
  const last = input.timeline.at(-1)?.at;
  const body = [
    `Group ${group.id}: ${verb} from ${from ?? '(no holder)'} to ${to}.`,
    `Why: ${reason}${input.requestedBy ? ` (requested by ${input.requestedBy})` : ''}`,
    '',
    'Where the addresses are now (read back from EC2):',
    ...holdingLines(input.holdings),
    ...healthSection(group, input.decision),
    '',
    `Timeline (UTC, lease epoch ${input.epoch}):`,
    ...input.timeline.map((s) => `  ${clock(s.at)}  ${s.what}`),
    ...(first !== undefined && last !== undefined
      ? [`  ${((last - first) / 1000).toFixed(2)} s in all`]
      : []),
    ...nextStep(
      group,
      group.policy.failback === 'manual' && from
        ? `The address stays on ${to} when ${from} recovers (failback: manual). To move it back once ${from} is healthy:`
        : 'To move it by hand:',
      invokeCommand('failover', { group: group.id, to: from ?? to, reason: 'failback after repair' }),
    ),
  ].join('\n');
  // A drift repair moves nothing off a failed node: it is worth knowing, not waking up for.
  const event = input.kind === 'repair' ? EventType.DRIFT_REPAIRED : EventType.FAILOVER_SUCCEEDED;
  const severity = input.kind === 'repair' ? Severity.WARNING : Severity.CRITICAL;
  return { group: group.id, event, severity, subject, body };
}

/** The message when a move failed; says exactly which resource is where. */
export function failoverFailed(input: {
  group: GroupConfig;
  from: string | undefined;
  to: string;
  reason: string;
  error: string;
  holdings: readonly Holding[] | undefined;
  timeline: readonly TimelineStep[];
}): Notification {
  const { group, from, to } = input;
  const split = input.holdings ? new Set(input.holdings.map((h) => h.node ?? '-')).size > 1 : false;
  const subject = `${PREFIX} ${group.id}: FAILOVER FAILED ${from ?? '(none)'} -> ${to}${split ? ' (resources split)' : ''}`;
  const body = [
    `Group ${group.id}: the move from ${from ?? '(no holder)'} to ${to} failed.`,
    `Why it was attempted: ${input.reason}`,
    `Error: ${input.error}`,
    '',
    'Where the addresses are now (read back from EC2):',
    ...(input.holdings ? holdingLines(input.holdings) : ['  (EC2 could not be read)']),
    '',
    'Timeline (UTC):',
    ...input.timeline.map((s) => `  ${clock(s.at)}  ${s.what}`),
    ...nextStep(
      group,
      'The next reconcile (within a minute) tries again. To act now:',
      invokeCommand('failover', { group: group.id, to, reason: 'retry after failed failover' }),
    ),
  ].join('\n');
  return { group: group.id, event: EventType.FAILOVER_FAILED, severity: Severity.CRITICAL, subject, body };
}

/** Every node is down or unknown: nothing can take the address. Sent once per episode. */
export function noHealthyTarget(group: GroupConfig, decision: Decision, reason: string): Notification {
  const subject = `${PREFIX} ${group.id}: NO HEALTHY TARGET, address left on ${decision.active ?? '(none)'} (${reason})`;
  const body = [
    `Group ${group.id}: the holder ${decision.active ?? '(none)'} is not serving and no other node is healthy, so nothing was moved.`,
    `Why: ${reason}`,
    ...healthSection(group, decision),
    ...nextStep(
      group,
      'The address moves on its own as soon as one node is healthy. To force it to a node now:',
      invokeCommand('failover', {
        group: group.id,
        to: '<node>',
        force: true,
        reason: 'forced during outage',
      }),
    ),
  ].join('\n');
  return { group: group.id, event: EventType.NO_HEALTHY_TARGET, severity: Severity.CRITICAL, subject, body };
}

/** A node's quorum health changed. */
export function nodeHealthChanged(
  group: GroupConfig,
  assessment: NodeAssessment,
  decision: Decision,
  down: boolean,
): Notification {
  const role = decision.active === assessment.node ? 'holder' : 'standby';
  const subject = `${PREFIX} ${group.id}: ${role} ${assessment.node} is ${down ? 'DOWN' : 'UP again'} (${assessment.reason})`;
  const body = [
    `Group ${group.id}: ${role} node ${assessment.node} is ${down ? 'DOWN' : 'healthy again'}.`,
    `Why: ${assessment.reason}`,
    `The address is on ${decision.active ?? '(none)'}.`,
    ...healthSection(group, decision),
    ...statusHint(group),
  ].join('\n');
  return {
    group: group.id,
    event: down ? EventType.NODE_DOWN : EventType.NODE_UP,
    severity: down ? Severity.WARNING : Severity.INFO,
    subject,
    body,
  };
}

/** A move was wanted but held by observe mode, a paused group or the open breaker. */
export function wouldFailOver(
  group: GroupConfig,
  decision: Decision,
  from: string | undefined,
  to: string,
  reason: string,
  heldBy: string,
): Notification {
  const subject = `${PREFIX} ${group.id}: would fail over ${from ?? '(none)'} -> ${to} (${heldBy}; ${reason})`;
  const body = [
    `Group ${group.id}: a move from ${from ?? '(no holder)'} to ${to} is wanted but was not made: ${heldBy}.`,
    `Why it is wanted: ${reason}`,
    ...healthSection(group, decision),
    ...nextStep(
      group,
      'To make the move by hand:',
      invokeCommand('failover', { group: group.id, to, reason: 'operator confirmed' }),
    ),
  ].join('\n');
  return { group: group.id, event: EventType.WOULD_FAIL_OVER, severity: Severity.WARNING, subject, body };
}

/** The circuit breaker opened: the group is observe-only until reset. */
export function breakerOpened(group: GroupConfig, decision: Decision, recent: number): Notification {
  const { maxFailovers, windowSeconds } = group.policy.breaker;
  const subject = `${PREFIX} ${group.id}: circuit breaker OPEN after ${recent} failovers in ${windowSeconds} s; observe-only`;
  const body = [
    `Group ${group.id} failed over ${recent} times within ${windowSeconds} s (limit ${maxFailovers}).`,
    'It now only observes and reports; nothing moves until the breaker is reset.',
    `The address is on ${decision.active ?? '(none)'}.`,
    ...healthSection(group, decision),
    ...nextStep(
      group,
      'When the cause is fixed, reset it:',
      invokeCommand('control', { group: group.id, action: 'reset' }),
    ),
  ].join('\n');
  return { group: group.id, event: EventType.BREAKER_OPEN, severity: Severity.CRITICAL, subject, body };
}

/** The table cannot be read or written: nothing moves until it can. */
export function storeAvailability(group: GroupConfig, available: boolean, detail: string): Notification {
  const subject = available
    ? `${PREFIX} ${group.id}: DynamoDB reachable again, arbitration resumed`
    : `${PREFIX} ${group.id}: DynamoDB UNREACHABLE, no failover possible until it is back`;
  const body = [
    available
      ? `Group ${group.id}: the arbiter can read and write its table again; verdicts and the lease work as before.`
      : `Group ${group.id}: the arbiter cannot read its table, so it has no verdicts and cannot take the lease. It will not move anything until the table answers again; the address stays where it is.`,
    `Detail: ${detail}`,
    ...statusHint(group),
  ].join('\n');
  return {
    group: group.id,
    event: EventType.STORE_UNAVAILABLE,
    severity: available ? Severity.INFO : Severity.CRITICAL,
    subject,
    body,
  };
}

/** The record did not name the node EC2 shows holding everything; it does now. */
export function placementAdopted(
  group: GroupConfig,
  decision: Decision,
  holdings: readonly Holding[],
  previous: string | undefined,
): Notification {
  const active = decision.active ?? '(none)';
  const subject = previous
    ? `${PREFIX} ${group.id}: ${active} holds the address (recorded holder was ${previous}); record updated`
    : `${PREFIX} ${group.id}: watching; ${active} holds the address`;
  const body = [
    previous
      ? `Group ${group.id}: EC2 shows every resource on ${active}, while the record said ${previous}. This happens when an arbiter stopped after EC2 applied its move and before it recorded it, or after a move by hand. The record now says ${active}.`
      : `Group ${group.id}: first reconcile; EC2 shows every resource on ${active}, now recorded as the holder.`,
    '',
    'Where the addresses are (read back from EC2):',
    ...holdingLines(holdings),
    ...healthSection(group, decision),
    ...statusHint(group),
  ].join('\n');
  return {
    group: group.id,
    event: EventType.PLACEMENT_RECORDED,
    severity: previous ? Severity.WARNING : Severity.INFO,
    subject,
    body,
  };
}
