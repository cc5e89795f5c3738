import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsNotifier, snsSubject } from '../../../shared/adapters/aws/sns-notifier';

const snsMock = mockClient(SNSClient);
afterEach(() => snsMock.reset());

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ha-arbiter';

describe('SnsNotifier', () => {
  it('publishes the subject, the body and the group, event and severity attributes', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC).publish({
      group: 'web-lb',
      event: 'failover-succeeded',
      severity: 'critical',
      subject: '[ha-arbiter] web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)',
      body: 'Group web-lb: failed over from lb-1 to lb-2.',
    });
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: '[ha-arbiter] web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)',
      Message: 'Group web-lb: failed over from lb-1 to lb-2.',
      MessageAttributes: {
        group: { DataType: 'String', StringValue: 'web-lb' },
        event: { DataType: 'String', StringValue: 'failover-succeeded' },
        severity: { DataType: 'String', StringValue: 'critical' },
      },
    });
  });

  it('lets a publish failure reach the caller (who logs it and goes on)', async () => {
    snsMock.on(PublishCommand).rejects(new Error('AuthorizationError'));
    await expect(
      new SnsNotifier(new SNSClient({ region: 'us-east-1' }), TOPIC).publish({
        group: 'g',
        event: 'node-down',
        severity: 'warning',
        subject: 's',
        body: 'b',
      }),
    ).rejects.toThrow('AuthorizationError');
  });
});

describe('snsSubject', () => {
  it('keeps a short ASCII subject as it is', () => {
    expect(snsSubject('[ha-arbiter] web-lb: x -> y')).toBe('[ha-arbiter] web-lb: x -> y');
  });

  it('replaces line breaks and non-ASCII characters, which SNS refuses', () => {
    expect(snsSubject('a\nb → c')).toBe('a?b ? c');
  });

  it('cuts a subject to 100 characters', () => {
    const cut = snsSubject(`[ha-arbiter] ${'x'.repeat(200)}`);
    expect(cut).toHaveLength(100);
    expect(cut.endsWith('...')).toBe(true);
  });
});
