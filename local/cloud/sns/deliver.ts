import { request } from 'node:http';
import type { SNSEvent } from 'aws-lambda';
import type { PublishedMessage, Subscription } from './model';

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

/** POSTs one SNS JSON message (with its `x-amz-sns-*` headers) to an HTTP endpoint. */
function postJson(endpoint: string, body: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      endpoint,
      {
        method: 'POST',
        timeout: 5000,
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
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

/** What SNS sends an HTTP endpoint right after Subscribe: the token and the URL that confirms. */
export interface ConfirmationRequest {
  readonly endpoint: string;
  readonly topicArn: string;
  readonly token: string;
  readonly messageId: string;
  /** `<sns endpoint>/?Action=ConfirmSubscription&TopicArn=...&Token=...` */
  readonly subscribeUrl: string;
}

/**
 * POSTs the `SubscriptionConfirmation` message, with the fields SNS sends: the endpoint
 * confirms by GETting `SubscribeURL` or by calling ConfirmSubscription with `Token`.
 */
export function postSubscriptionConfirmation(request: ConfirmationRequest): Promise<void> {
  const body = JSON.stringify({
    Type: 'SubscriptionConfirmation',
    MessageId: request.messageId,
    Token: request.token,
    TopicArn: request.topicArn,
    Message: `You have chosen to subscribe to the topic ${request.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: request.subscribeUrl,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: PLACEHOLDER,
    SigningCertURL: PLACEHOLDER,
  });
  return postJson(request.endpoint, body, {
    'x-amz-sns-message-type': 'SubscriptionConfirmation',
    'x-amz-sns-message-id': request.messageId,
    'x-amz-sns-topic-arn': request.topicArn,
  });
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
  return postJson(endpoint, body, {
    'x-amz-sns-message-type': 'Notification',
    'x-amz-sns-message-id': message.messageId,
    'x-amz-sns-topic-arn': message.topicArn,
    'x-amz-sns-subscription-arn': subscriptionArn,
  });
}

/** Delivers to one subscriber and records the outcome on the message. SNS retries are not modelled. */
export async function deliver(message: PublishedMessage, subscription: Subscription): Promise<void> {
  try {
    if (subscription.protocol === 'http') {
      await postNotification(subscription.endpoint, message, subscription.arn);
    } else if (subscription.protocol === 'lambda') {
      await subscription.listener(snsEvent(message, subscription.arn));
    } else {
      throw new Error('the local cloud sends no email');
    }
    message.deliveries.push({ subscriptionArn: subscription.arn, ok: true });
  } catch (err) {
    message.deliveries.push({ subscriptionArn: subscription.arn, ok: false, error: (err as Error).message });
  }
}
