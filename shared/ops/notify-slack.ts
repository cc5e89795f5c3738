import type { SNSEvent } from 'aws-lambda';
import { ArbiterError, messageOf } from '../domain/errors';
import { type SlackMessage, slackMessage, type TopicMessage } from '../messages/slack';
import type { Log } from '../ports/log';

/** What forwarding needs: where the URL comes from and how to post (both injected for tests). */
export interface SlackForwardDeps {
  webhookUrl: () => Promise<string>;
  post: (url: string, message: SlackMessage) => Promise<void>;
  log: Log;
}

/** The notification carried by one SNS record (subject, body and the group/event/severity attributes). */
export function topicMessage(record: SNSEvent['Records'][number]): TopicMessage {
  const sns = record.Sns;
  const attr = (name: string) => {
    const value = sns.MessageAttributes?.[name]?.Value;
    return typeof value === 'string' && value !== '' ? { [name]: value } : {};
  };
  return {
    subject: sns.Subject ?? sns.Message.split('\n')[0] ?? '(no subject)',
    body: sns.Message ?? '',
    ...attr('group'),
    ...attr('event'),
    ...attr('severity'),
  };
}

/**
 * The `notify-slack` function: posts each SNS record to Slack. Every record is tried; if any
 * failed, the invocation throws so Lambda's asynchronous retry (SNS invokes asynchronously)
 * tries again. It is a separate subscriber of the topic, so a Slack outage never touches a
 * failover or the e-mail subscription.
 * @throws ArbiterError when a record could not be posted.
 */
export async function forwardToSlack(deps: SlackForwardDeps, event: SNSEvent): Promise<{ posted: number }> {
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const failures: string[] = [];
  let posted = 0;
  for (const record of records) {
    if (!record?.Sns) continue;
    const message = topicMessage(record);
    try {
      const url = await deps.webhookUrl();
      await deps.post(url, slackMessage(message));
      posted += 1;
    } catch (error) {
      deps.log.error('Slack post failed; the invocation will be retried', {
        subject: message.subject,
        error: messageOf(error),
      });
      failures.push(`${message.subject}: ${messageOf(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new ArbiterError(
      `${failures.length} of ${records.length} Slack post(s) failed: ${failures.join('; ')}`,
    );
  }
  return { posted };
}
