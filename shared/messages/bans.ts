import type { GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import type { Decision, EndedBan } from '../domain/decide';
import type { HistoryEvent } from '../domain/model';
import { duration, isoSecond } from '../domain/time';
import type { Notification } from '../ports/notifier';
import { healthSection, invokeCommand, nextStep, PREFIX } from './format';

/** Who set a ban, when and why: from the history row of the `control` action that set it. */
export interface BanOrigin {
  at: number;
  requestedBy: string;
  reason?: string;
}

/**
 * Finds the `control` ban that set this ban (same node, same expiry) among history rows.
 * Undefined when it is not among them (older than the rows read, or its history write failed).
 */
export function banOrigin(
  history: readonly HistoryEvent[],
  node: string,
  expiresAt: number,
): BanOrigin | undefined {
  const row = history.find(
    (e) =>
      e.event === EventType.CONTROL &&
      e.detail?.action === 'ban' &&
      e.detail.node === node &&
      Number(e.detail.expiresAt) === expiresAt,
  );
  if (!row) return undefined;
  const by = row.detail?.requestedBy;
  const reason = row.detail?.reason;
  return {
    at: row.at,
    requestedBy: typeof by === 'string' && by ? by : 'unknown',
    ...(typeof reason === 'string' && reason ? { reason } : {}),
  };
}

/** A ban with an expiry ran out: the node can be chosen as a target again. Sent once per ban. */
export function banEnded(input: {
  group: GroupConfig;
  decision: Decision;
  ban: EndedBan;
  origin: BanOrigin | undefined;
  now: number;
}): Notification {
  const { group, decision, ban, origin, now } = input;
  const { node } = ban;
  const set = origin ? ` (set ${duration(now - origin.at)} ago by ${origin.requestedBy})` : '';
  const subject = `${PREFIX} ${group.id}: ban on ${node} ended${set}; ${node} is eligible again`;
  const a = decision.assessments[node];
  const body = [
    `Group ${group.id}: the ban on ${node} ended at ${isoSecond(ban.expiresAt)}; ${node} can be chosen as a target again.`,
    origin
      ? `Set by: ${origin.requestedBy} at ${isoSecond(origin.at)} (${duration(now - origin.at)} ago)`
      : 'Set by: (not found in the recent history)',
    `Reason: ${origin?.reason ?? '(none given)'}`,
    `${node} is ${a?.health ?? 'UNKNOWN'} now${a ? ` (${a.reason})` : ''}; the address is on ${decision.active ?? '(none)'}.`,
    ...healthSection(group, decision),
    ...nextStep(
      group,
      'To ban it again:',
      invokeCommand('control', { group: group.id, action: 'ban', node, expiresInMinutes: 60 }),
    ),
  ].join('\n');
  return { group: group.id, event: EventType.BAN_ENDED, severity: Severity.INFO, subject, body };
}
