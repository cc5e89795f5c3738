import { messageOf } from '../domain/errors';
import type { Notification } from '../ports/notifier';
import type { OpsDeps } from './deps';

/**
 * Writes a history row and publishes a notification for an operator action. Neither failure
 * undoes the action (it already happened); each is logged and returned as a warning so the
 * operator knows the record is incomplete.
 */
export async function announce(
  deps: OpsDeps,
  note: Notification,
  detail: Record<string, unknown>,
): Promise<string[]> {
  const warnings: string[] = [];
  const at = deps.now();
  await deps.store
    .appendHistory(
      { group: note.group, at, event: note.event, severity: note.severity, summary: note.subject, detail },
      deps.config.arbiter.historyTtlDays,
    )
    .catch((error: unknown) => {
      deps.log.error('history write failed', { group: note.group, error: messageOf(error) });
      warnings.push(`history not written: ${messageOf(error)}`);
    });
  await deps.notifier.publish(note).catch((error: unknown) => {
    deps.log.error('notification failed', {
      group: note.group,
      subject: note.subject,
      error: messageOf(error),
    });
    warnings.push(`notification not sent: ${messageOf(error)}`);
  });
  return warnings;
}
