import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { postToSlack, SlackError, ssmWebhookUrl } from '../../../shared/adapters/slack';
import { EnvError } from '../../../shared/domain/errors';
import { startHttpServer, type TestServer } from '../../helpers/servers';

const ssmMock = mockClient(SSMClient);
const PARAM = '/ha-arbiter/slack-webhook';

interface Received {
  path: string;
  contentType: string | undefined;
  body: { text: string; blocks: Array<Record<string, unknown>> };
}

let server: TestServer;
let notifySlack: typeof import('../../../functions/notify-slack').notifySlack;
let resetSlackDeps: () => void;
let received: Received[] = [];
let answer = { status: 200, body: 'ok' };
let hang = false;

function snsEvent(subject: string, message: string, attrs: Record<string, string> = {}): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:ha-arbiter:sub',
        Sns: {
          Type: 'Notification',
          MessageId: 'm-1',
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:ha-arbiter',
          Subject: subject,
          Message: message,
          Timestamp: '2025-01-01T12:00:00.000Z',
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://example.invalid/cert',
          UnsubscribeUrl: 'https://example.invalid/unsub',
          MessageAttributes: Object.fromEntries(
            Object.entries(attrs).map(([k, v]) => [k, { Type: 'String', Value: v }]),
          ),
        },
      },
    ],
  };
}

const FAILOVER = snsEvent(
  '[ha-arbiter] web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)',
  [
    'Group web-lb: failed over from lb-1 to lb-2.',
    'Why: http /healthz timeout from 2/2 vantages',
    '',
    'Health by vantage point:',
    '  lb-1: DOWN (http /healthz timeout from 2/2 vantages)',
    '',
    'See the full status:',
    `  npx serverless invoke -f status --data '{"group":"web-lb"}'`,
  ].join('\n'),
  { group: 'web-lb', event: 'failover-succeeded', severity: 'critical' },
);

function webhook(): string {
  return `http://127.0.0.1:${server.port}/services/T000/B000/XXXX`;
}

function secureString(value = webhook()) {
  ssmMock
    .on(GetParameterCommand)
    .resolves({ Parameter: { Name: PARAM, Type: 'SecureString', Value: value } });
}

beforeAll(async () => {
  // The handler's logger reads its level when the module loads: keep expected errors quiet.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ notifySlack, resetSlackDeps } = await import('../../../functions/notify-slack'));
  server = await startHttpServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => {
      data += chunk.toString();
    });
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(data),
      });
      if (hang) return;
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body);
    });
  });
});

afterAll(() => server.close());

beforeEach(() => {
  received = [];
  answer = { status: 200, body: 'ok' };
  hang = false;
  process.env.SLACK_WEBHOOK_PARAM = PARAM;
  process.env.AWS_REGION = 'us-east-1';
  resetSlackDeps();
});

afterEach(() => {
  ssmMock.reset();
  delete process.env.SLACK_WEBHOOK_PARAM;
});

describe('notify-slack', () => {
  it('posts the formatted message to the webhook URL read from the SSM SecureString', async () => {
    secureString();
    expect(await notifySlack(FAILOVER)).toEqual({ posted: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe('/services/T000/B000/XXXX');
    expect(received[0]?.contentType).toBe('application/json; charset=utf-8');
    const body = received[0]?.body;
    expect(body?.text).toBe(
      ':rotating_light: web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)',
    );
    expect(body?.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'section']);
    expect(JSON.stringify(body?.blocks)).toContain('lb-1 → lb-2');
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: PARAM,
      WithDecryption: true,
    });
  });

  it('reads the parameter once per container', async () => {
    secureString();
    await notifySlack(FAILOVER);
    await notifySlack(FAILOVER);
    expect(received).toHaveLength(2);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('throws when Slack refuses, so the asynchronous invocation is retried', async () => {
    secureString();
    answer = { status: 500, body: 'rollup_error' };
    const attempt = notifySlack(FAILOVER);
    await expect(attempt).rejects.toThrow(
      /1 of 1 Slack post\(s\) failed: .*Slack answered 500: rollup_error/,
    );
    answer = { status: 200, body: 'ok' };
    await expect(notifySlack(FAILOVER)).resolves.toEqual({ posted: 1 });
  });

  it('throws when the parameter is missing, with the command that creates it', async () => {
    ssmMock
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    await expect(notifySlack(FAILOVER)).rejects.toThrow(
      /cannot read SSM parameter \/ha-arbiter\/slack-webhook: ParameterNotFound \(create it: aws ssm put-parameter --name \/ha-arbiter\/slack-webhook --type SecureString/,
    );
    expect(received).toEqual([]);
  });

  it('refuses a plain String parameter: the URL is a secret', async () => {
    ssmMock
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: PARAM, Type: 'String', Value: webhook() } });
    await expect(notifySlack(FAILOVER)).rejects.toThrow(
      `SSM parameter ${PARAM} must be a SecureString (it is String)`,
    );
    expect(received).toEqual([]);
  });

  it('names the missing environment variable', async () => {
    delete process.env.SLACK_WEBHOOK_PARAM;
    await expect(notifySlack(FAILOVER)).rejects.toBeInstanceOf(EnvError);
    await expect(notifySlack(FAILOVER)).rejects.toThrow(/SLACK_WEBHOOK_PARAM/);
  });
});

describe('postToSlack', () => {
  const message = { text: 'hi', blocks: [] };

  it('gives up on a webhook that never answers', async () => {
    hang = true;
    await expect(postToSlack(webhook(), message, 200)).rejects.toBeInstanceOf(SlackError);
  });

  it('refuses a non-https URL outside loopback without connecting, and never shows the path', async () => {
    const attempt = postToSlack('http://hooks.example.invalid/services/SECRET', message);
    await expect(attempt).rejects.toThrow(
      'the Slack webhook URL must be https (got http://hooks.example.invalid)',
    );
    await expect(postToSlack('http://hooks.example.invalid/services/SECRET', message)).rejects.not.toThrow(
      /SECRET/,
    );
  });

  it('reads the URL again once its maxAge has passed', async () => {
    secureString();
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    try {
      const url = ssmWebhookUrl(new SSMClient({ region: 'us-east-1' }), PARAM, { maxAgeSeconds: 1 });
      await url();
      vi.setSystemTime(999);
      await url();
      expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
      vi.setSystemTime(1_001);
      expect(await url()).toBe(webhook());
      expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
