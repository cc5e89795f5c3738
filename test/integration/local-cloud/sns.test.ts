import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { snsClient } from './clients';
import { awsError, LB_PAIR, postForm, startCloud } from './fixtures';

describe('SNS emulator', () => {
  let cloud: LocalCloud;
  let sns: SNSClient;
  let topicArn: string;
  beforeEach(async () => {
    cloud = await startCloud(LB_PAIR);
    sns = snsClient(cloud, 'AKIDARBITER');
    topicArn = cloud.topicArn('ha-arbiter-events');
  });
  afterEach(() => cloud.close());

  it('publishes with subject and message attributes and records the message', async () => {
    const before = Date.now();
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'failover lb-pair',
        Message: JSON.stringify({ from: 'lb-a', to: 'lb-b' }),
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'failover' },
          attempt: { DataType: 'Number', StringValue: '2' },
        },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const [message] = cloud.published();
    expect(message).toMatchObject({
      messageId: out.MessageId,
      topicArn,
      subject: 'failover lb-pair',
      message: '{"from":"lb-a","to":"lb-b"}',
      caller: 'AKIDARBITER',
      attributes: {
        kind: { dataType: 'String', value: 'failover' },
        attempt: { dataType: 'Number', value: '2' },
      },
    });
    expect(message?.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('answers in the SNS XML namespace', async () => {
    const res = await postForm(
      cloud.snsEndpoint,
      { Action: 'Publish', TopicArn: topicArn, Message: 'hi' },
      'sns',
    );
    const xml = await res.text();
    expect(xml).toContain(
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>',
    );
    expect(xml).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  it('shows published messages over HTTP', async () => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'one' }));
    const view = (await (await fetch(`${cloud.snsEndpoint}/_local/published`)).json()) as Array<{
      message: string;
    }>;
    expect(view.map((m) => m.message)).toEqual(['one']);
  });

  it('refuses an unknown topic with 404 NotFound', async () => {
    const err = await awsError(
      sns.send(new PublishCommand({ TopicArn: cloud.topicArn('nope'), Message: 'x' })),
    );
    expect(err).toEqual({ name: 'NotFoundException', status: 404, message: 'Topic does not exist' });
    expect(cloud.published()).toEqual([]);
  });

  it('refuses a publish without a message', async () => {
    const err = await awsError(sns.send(new PublishCommand({ TopicArn: topicArn, Message: '' })));
    expect(err).toMatchObject({ name: 'InvalidParameterException', status: 400 });
  });

  it('creates topics idempotently and lists them', async () => {
    const created = await sns.send(new CreateTopicCommand({ Name: 'extra' }));
    expect(created.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:extra');
    await sns.send(new CreateTopicCommand({ Name: 'extra' }));
    const listed = await sns.send(new ListTopicsCommand({}));
    expect(listed.Topics?.map((t) => t.TopicArn)).toEqual([topicArn, created.TopicArn]);
  });

  it('delivers to an in-process subscriber the event a Lambda would get', async () => {
    const events: SNSEvent[] = [];
    const unsubscribe = cloud.subscribe(topicArn, (event) => {
      events.push(event);
    });
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 's',
        Message: 'm',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'k' } },
      }),
    );
    await cloud.deliveriesSettled();
    expect(events).toHaveLength(1);
    const record = events[0]?.Records[0];
    expect(record?.EventSource).toBe('aws:sns');
    expect(record?.Sns).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn,
      Subject: 's',
      Message: 'm',
      MessageAttributes: { kind: { Type: 'String', Value: 'k' } },
    });
    expect(cloud.published()[0]?.deliveries).toEqual([
      { subscriptionArn: record?.EventSubscriptionArn, ok: true },
    ]);
    unsubscribe();
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'after' }));
    await cloud.deliveriesSettled();
    expect(events).toHaveLength(1);
  });

  it('delivers to an HTTP subscriber on 127.0.0.1', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const sub = await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'http',
          Endpoint: `http://127.0.0.1:${port}/events`,
        }),
      );
      expect(sub.SubscriptionArn).toBe('pending confirmation');
      await cloud.deliveriesSettled();
      expect(received).toHaveLength(1);
      expect(received[0]?.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
      const confirmation = JSON.parse(received[0]?.body ?? '{}') as { Token: string; SubscribeURL: string };
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'before confirming' }));
      await cloud.deliveriesSettled();
      expect(received).toHaveLength(1);
      const confirmed = await sns.send(
        new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: confirmation.Token }),
      );
      expect(confirmed.SubscriptionArn).toMatch(new RegExp(`^${topicArn}:`));
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'hello', Message: 'world' }));
      await cloud.deliveriesSettled();
      expect(received).toHaveLength(2);
      expect(received[1]?.headers['x-amz-sns-message-type']).toBe('Notification');
      expect(JSON.parse(received[1]?.body ?? '{}')).toMatchObject({
        Type: 'Notification',
        Subject: 'hello',
        Message: 'world',
      });
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: confirmed.SubscriptionArn }));
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'again' }));
      await cloud.deliveriesSettled();
      expect(received).toHaveLength(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('only subscribes HTTP endpoints on 127.0.0.1', async () => {
    const err = await awsError(
      sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: 'http://10.0.1.10/hook' }),
      ),
    );
    expect(err).toMatchObject({ name: 'InvalidParameterException', status: 400 });
  });

  it('records a failed delivery without failing the publish', async () => {
    cloud.subscribe(topicArn, () => {
      throw new Error('subscriber broke');
    });
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' }));
    await cloud.deliveriesSettled();
    expect(cloud.published()[0]?.deliveries[0]).toMatchObject({ ok: false, error: 'subscriber broke' });
  });
});
