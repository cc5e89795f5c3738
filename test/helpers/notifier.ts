import type { Notification, Notifier } from '../../shared/ports/notifier';

/** A Notifier that keeps what it was given; `failNext` makes the next publish throw. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  private failures = 0;

  failNext(times = 1): void {
    this.failures += times;
  }

  async publish(notification: Notification): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('SNS: injected failure');
    }
    this.sent.push(notification);
  }

  /** Subjects sent so far, in order. */
  subjects(): string[] {
    return this.sent.map((n) => n.subject);
  }

  /** Notifications of one event type. */
  of(event: string): Notification[] {
    return this.sent.filter((n) => n.event === event);
  }
}
