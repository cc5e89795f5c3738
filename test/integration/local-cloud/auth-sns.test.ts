import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfirmSubscriptionCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { snsClient } from './clients';
import { awsError, LB_PAIR, postForm, startCloud } from './fixtures';

describe('SNS subscriptions and authorization, as on SNS', () => {
  let cloud: LocalCloud;
  let sns: SNSClient;
  let topicArn: string;
  beforeEach(async () => {
    cloud = await startCloud(LB_PAIR);
    sns = snsClient(cloud);
    topicArn = cloud.topicArn('ha-arbiter-events');
  });
  afterEach(() => cloud.close());

  it('confirms an http subscription by a GET of the SubscribeURL, unsigned, and delivers only then', async () => {
    const received: Array<{ type: string; body: Record<string, string> }> = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        received.push({ type: String(req.headers['x-amz-sns-message-type']), body: JSON.parse(text) });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
      const sub = await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint }),
      );
      expect(sub.SubscriptionArn).toBe('pending confirmation');
      await cloud.deliveriesSettled();
      const confirmation = received[0]?.body ?? {};
      expect(received[0]?.type).toBe('SubscriptionConfirmation');
      expect(Object.keys(confirmation).sort()).toEqual(
        [
          'Message',
          'MessageId',
          'Signature',
          'SignatureVersion',
          'SigningCertURL',
          'SubscribeURL',
          'Timestamp',
          'Token',
          'TopicArn',
          'Type',
        ].sort(),
      );
      const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      expect(listed.Subscriptions?.map((s) => s.SubscriptionArn)).toEqual(['PendingConfirmation']);

      const wrong = await awsError(
        sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: 'beef' })),
      );
      expect(wrong).toMatchObject({ name: 'InvalidParameterException', status: 400 });

      const confirmed = await fetch(confirmation.SubscribeURL as string);
      expect(confirmed.status).toBe(200);
      expect(await confirmed.text()).toContain('<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:');
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'now' }));
      await cloud.deliveriesSettled();
      expect(received.map((r) => r.type)).toEqual(['SubscriptionConfirmation', 'Notification']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps an email subscription pending, says so, and never delivers it', async () => {
    const sub = await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    expect(sub.SubscriptionArn).toBe('pending confirmation');
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(listed.Subscriptions).toEqual([
      expect.objectContaining({
        SubscriptionArn: 'PendingConfirmation',
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      }),
    ]);
    const raw = await postForm(cloud.snsEndpoint, { Action: 'ListSubscriptions' }, 'sns');
    expect(await raw.text()).toContain('the local cloud never delivers email');
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' }));
    await cloud.deliveriesSettled();
    expect(cloud.published()[0]?.deliveries).toEqual([]);
  });

  it('refuses a principal whose policy names another topic with AuthorizationError', async () => {
    cloud.auth.credentials.issue({
      name: 'notifier',
      arn: `arn:aws:iam::${cloud.accountId}:user/notifier`,
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['sns:Publish'], Resource: [cloud.topicArn('other')] }],
        },
      ],
    });
    const restricted = snsClient(cloud, 'notifier');
    const err = await awsError(restricted.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' })));
    expect(err).toMatchObject({ name: 'AuthorizationErrorException', status: 403 });
    expect(err.message).toBe(
      `User: arn:aws:iam::${cloud.accountId}:user/notifier is not authorized to perform: sns:Publish on resource: ${topicArn} because no identity-based policy allows the sns:Publish action`,
    );
    expect(cloud.published()).toEqual([]);
  });

  it('applies the hand deny list to SNS too', async () => {
    cloud.world.setDenied('operator', ['sns:Publish']);
    const err = await awsError(sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' })));
    expect(err.name).toBe('AuthorizationErrorException');
  });
});
