import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../../ports/notifier';

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
export function snsSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

/** Publishes notifications to one SNS topic with attributes group, event and severity for filtering. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(n: Notification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(n.subject),
        Message: n.body,
        MessageAttributes: {
          group: { DataType: 'String', StringValue: n.group },
          event: { DataType: 'String', StringValue: n.event },
          severity: { DataType: 'String', StringValue: n.severity },
        },
      }),
    );
  }
}
