import type { EventType, Severity } from '../domain/constants';

/** One message to the people on call. */
export interface Notification {
  group: string;
  event: EventType;
  severity: Severity;
  /** One line, at most 100 characters, readable in an inbox. */
  subject: string;
  /** Plain text with the evidence and the next command to run. */
  body: string;
}

/** Where notifications go (SNS in production; anything in tests). */
export interface Notifier {
  publish(notification: Notification): Promise<void>;
}
