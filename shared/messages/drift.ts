import type { GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import type { Decision } from '../domain/decide';
import { type Drift, describeDrift } from '../domain/drift';
import type { Notification } from '../ports/notifier';
import { healthSection, invokeCommand } from './format';

/** What the arbiter does about the drift, in words. */
function plan(group: GroupConfig, decision: Decision, drift: Drift): string[] {
  const { action } = decision;
  if (action.kind === 'repair') {
    return action.hold
      ? [`A repair to ${action.to} is wanted but held (${action.hold}).`]
      : [`The arbiter moves them to ${action.to} now (policy drift: repair).`];
  }
  if (group.policy.drift === 'report') {
    return ['Nothing is moved back (policy drift: report).'];
  }
  const recorded = drift.recorded ? decision.assessments[drift.recorded] : undefined;
  return [
    recorded
      ? `Not repaired: the recorded holder ${recorded.node} is ${recorded.health}${recorded.banned ? ' and banned' : ''} (${recorded.reason}).`
      : 'Not repaired: no node of the group is recorded as holder and the first resource is not on a healthy node.',
    `The usual rules decide instead: ${action.kind} (${'reason' in action ? action.reason : ''}).`,
  ];
}

/**
 * EC2 shows the addresses somewhere other than the recorded holder (someone moved one by hand,
 * or a move was cut short). Sent once per drift episode.
 */
export function driftFound(group: GroupConfig, decision: Decision, drift: Drift): Notification {
  const where = drift.split
    ? `resources split (${[...new Set(drift.misplaced.map((h) => h.node ?? 'none'))].join(', ')} vs record ${drift.recorded ?? 'none'})`
    : `${drift.misplaced.length} resource(s) off ${drift.recorded}`;
  const subject = `[ha-arbiter] ${group.id}: DRIFT, ${where}`;
  const target = drift.recorded ?? decision.active;
  const body = [
    ...describeDrift(group, drift),
    '',
    ...plan(group, decision, drift),
    ...healthSection(group, decision),
    '',
    'Move addresses with the failover function, not by hand: a hand move is drift and is undone',
    'when the recorded holder is healthy (policy drift: repair). To put everything on one node now:',
    `  ${invokeCommand('failover', { group: group.id, to: target ?? '<node>', reason: 'repair drift' })}`,
    '',
    'See the full status:',
    `  ${invokeCommand('status', { group: group.id })}`,
  ].join('\n');
  return { group: group.id, event: EventType.DRIFT_FOUND, severity: Severity.WARNING, subject, body };
}
