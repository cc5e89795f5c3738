import type { GroupConfig } from '../config/schema';
import { messageOf } from '../domain/errors';
import type { Notification } from '../ports/notifier';
import type { ArbiterDeps } from './deps';

/** Publishes and records a history row; a failed publish is logged, never blocks a failover. */
export async function publish(
  deps: ArbiterDeps,
  group: GroupConfig,
  note: Notification,
  reason: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  try {
    await deps.notifier.publish(note);
  } catch (error) {
    deps.log.error('notification failed', {
      group: group.id,
      subject: note.subject,
      error: messageOf(error),
    });
  }
  await deps.store
    .appendHistory(
      {
        group: group.id,
        at: deps.now(),
        event: note.event,
        severity: note.severity,
        summary: note.subject,
        detail: { reason, ...detail },
      },
      deps.config.arbiter.historyTtlDays,
    )
    .catch((error: unknown) =>
      deps.log.error('history write failed', { group: group.id, error: messageOf(error) }),
    );
}
