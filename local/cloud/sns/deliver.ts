import { request } from 'node:http';
import type { SNSEvent } from 'aws-lambda';
import type { PublishedMessage, Subscription } from './model.js';

const PLACEHOLDER = 'local-cloud-unsigned';

function attributesAsSns(message: PublishedMessage): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(
    Object.entries(message.attributes).map(([name, a]) => [name, { Type: a.dataType, Value: a.value }]),
  );
}

/** The SNSEvent a Lambda subscriber receives for this message. */
export function snsEvent(message: PublishedMessage, subscriptionArn: string): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: message.messageId,
          TopicArn: message.topicArn,
          ...(message.subject !== undefined ? { Subject: message.subject } : {}),
          Message: message.message,
          Timestamp: new Date(message.timestamp).toISOString(),
          SignatureVersion: '1',
          Signature: PLACEHOLDER,
          SigningCertUrl: PLACEHOLDER,
          UnsubscribeUrl: PLACEHOLDER,
          MessageAttributes: attributesAsSns(message),
        },
      },
    ],
  };
}

/** POSTs the notification JSON an HTTP subscriber gets from SNS. */
function postNotification(
  endpoint: string,
  message: PublishedMessage,
  subscriptionArn: string,
): Promise<void> {
  const body = JSON.stringify({
    Type: 'Notification',
    MessageId: message.messageId,
    TopicArn: message.topicArn,
    Subject: message.subject,
    Message: message.message,
    Timestamp: new Date(message.timestamp).toISOString(),
    SignatureVersion: '1',
    Signature: PLACEHOLDER,
    SigningCertURL: PLACEHOLDER,
    UnsubscribeURL: PLACEHOLDER,
    MessageAttributes: attributesAsSns(message),
  });
  return new Promise((resolve, reject) => {
    const req = request(
      endpoint,
      {
        method: 'POST',
        timeout: 5000,
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-sns-message-type': 'Notification',
          'x-amz-sns-message-id': message.messageId,
          'x-amz-sns-topic-arn': message.topicArn,
          'x-amz-sns-subscription-arn': subscriptionArn,
        },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`HTTP ${status}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Delivers to one subscriber and records the outcome on the message. SNS retries are not modelled. */
export async function deliver(message: PublishedMessage, subscription: Subscription): Promise<void> {
  try {
    if (subscription.protocol === 'http') {
      await postNotification(subscription.endpoint, message, subscription.arn);
    } else {
      await subscription.listener(snsEvent(message, subscription.arn));
    }
    message.deliveries.push({ subscriptionArn: subscription.arn, ok: true });
  } catch (err) {
    message.deliveries.push({ subscriptionArn: subscription.arn, ok: false, error: (err as Error).message });
  }
}
