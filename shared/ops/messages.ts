import type { GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import { duration, isoSecond } from '../domain/time';
import { invokeCommand } from '../messages/format';
import type { Notification } from '../ports/notifier';
import { ControlAction } from './payload';

const PREFIX = '[ha-arbiter]';

/** One applied control action, as the message needs it. */
export interface ControlFacts {
  action: ControlAction;
  node?: string;
  /** Ban expiry (epoch ms), or 0 for a ban without expiry. */
  expiresAt?: number;
  reason?: string;
  requestedBy: string;
  /** False when the action found the group already in that state (e.g. unban of a node not banned). */
  changed: boolean;
  now: number;
}

/** What the action did, in a few words: `lb-1 banned until 2025-11-25T13:00:00Z`. */
export function controlSummary(f: ControlFacts): string {
  const noop = f.changed ? '' : ' (no change)';
  switch (f.action) {
    case ControlAction.BAN:
      return f.expiresAt
        ? `${f.node} banned until ${isoSecond(f.expiresAt)} (${duration(f.expiresAt - f.now)})`
        : `${f.node} banned without expiry`;
    case ControlAction.UNBAN:
      return `${f.node} unbanned${f.changed ? '' : ' (was not banned)'}`;
    case ControlAction.PAUSE:
      return `paused: observe only${noop}`;
    case ControlAction.RESUME:
      return `resumed: acting again${noop}`;
    case ControlAction.RESET:
      return 'breaker, failover counts and open alerts reset';
  }
}

function meaning(group: GroupConfig, f: ControlFacts): string[] {
  const g = group.id;
  switch (f.action) {
    case ControlAction.BAN:
      return [
        `${f.node} will not be chosen as a target, and if it holds the address the arbiter moves it away now.`,
        f.expiresAt
          ? `The ban ends on its own at ${isoSecond(f.expiresAt)}.`
          : 'The ban has no expiry: it stays until someone lifts it. Lift it with:',
        ...(f.expiresAt ? ['To lift it earlier:'] : []),
        `  ${invokeCommand('control', { group: g, action: 'unban', node: f.node })}`,
      ];
    case ControlAction.UNBAN:
      return [`${f.node} can be chosen as a target again.`];
    case ControlAction.PAUSE:
      return [
        `Group ${g} only observes: it reports "would fail over" but moves nothing until resumed.`,
        'Manual failovers still work. Resume with:',
        `  ${invokeCommand('control', { group: g, action: 'resume' })}`,
      ];
    case ControlAction.RESUME:
      return [`Group ${g} acts on its decisions again; a reconcile was run right away.`];
    case ControlAction.RESET:
      return [
        `Group ${g}: the circuit breaker is closed, the failover count and cooldown start from zero,`,
        'and open alerts are cleared (they are sent again if the condition is still there).',
      ];
  }
}

/** The message for an applied control action (history and SNS). */
export function controlApplied(group: GroupConfig, f: ControlFacts): Notification {
  const summary = controlSummary(f);
  const why = f.reason ? ` (${f.reason})` : '';
  const subject = `${PREFIX} ${group.id}: ${summary} by ${f.requestedBy}${why}`;
  const body = [
    `Group ${group.id}: ${summary}.`,
    `Requested by: ${f.requestedBy}`,
    `Reason: ${f.reason ?? '(none given)'}`,
    '',
    ...meaning(group, f),
    '',
    'See the full status:',
    `  ${invokeCommand('status', { group: group.id, format: 'text' })}`,
  ].join('\n');
  const severity =
    f.action === ControlAction.PAUSE || (f.action === ControlAction.BAN && !f.expiresAt)
      ? Severity.WARNING
      : Severity.INFO;
  return { group: group.id, event: EventType.CONTROL, severity, subject, body };
}
