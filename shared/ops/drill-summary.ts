import type { GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import { invokeCommand } from '../messages/format';
import type { Notification } from '../ports/notifier';
import type { DrillResult } from './drill';

const PREFIX = '[ha-arbiter]';

function seconds(ms: number | undefined): string {
  return ms === undefined ? '?' : `${(ms / 1000).toFixed(2)} s`;
}

/** The summary of a drill: passed (with its timings), failed (where), or refused (why). */
export function drillSummary(group: GroupConfig, r: DrillResult): Notification {
  const route = r.standby ? ` ${r.from} -> ${r.standby}${r.stayed ? '' : ` -> ${r.from}`}` : '';
  const subject =
    r.outcome === 'passed'
      ? `${PREFIX} ${group.id}: drill passed${route} (${seconds(r.totalMs)})`
      : r.outcome === 'failed'
        ? `${PREFIX} ${group.id}: DRILL FAILED${route}: ${r.reason}`
        : `${PREFIX} ${group.id}: drill refused: ${r.reason}`;
  const legs = r.legs.map(
    (l) =>
      `  ${l.from} -> ${l.to}: ${l.outcome}; move ${seconds(l.moveMs)} (address switch ${seconds(l.addressSwitchMs)}), data path ${l.dataPath} after ${seconds(l.dataPathMs)}${l.detail ? `; ${l.detail}` : ''}`,
  );
  const body = [
    `Failover drill of ${group.id}, requested by ${r.requestedBy}: ${r.outcome.toUpperCase()}${r.reason ? ` (${r.reason})` : ''}.`,
    ...(legs.length > 0 ? ['', 'Moves:', ...legs] : []),
    ...(r.clientOutage.upperBoundMs !== undefined
      ? [
          '',
          `Clients may have been cut off for at most ${seconds(r.clientOutage.upperBoundMs)} per move (address switch).`,
        ]
      : []),
    '',
    'Steps (UTC):',
    ...r.steps.map((s) => `  ${s.at} +${seconds(s.atMs)}  ${s.what}`),
    ...(r.outcome === 'failed'
      ? [
          '',
          'A failover would fail the same way. See where everything is now:',
          `  ${invokeCommand('status', { group: group.id, format: 'text' })}`,
        ]
      : []),
    ...(r.outcome === 'refused'
      ? [
          '',
          'Nothing was moved. Run it again once the reason is gone:',
          `  ${invokeCommand('drill', { group: group.id })}`,
        ]
      : []),
  ].join('\n');
  const severity =
    r.outcome === 'failed' ? Severity.CRITICAL : r.outcome === 'refused' ? Severity.WARNING : Severity.INFO;
  return { group: group.id, event: EventType.DRILL, severity, subject, body };
}
