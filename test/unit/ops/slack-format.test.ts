import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide';
import { emptyState } from '../../../shared/domain/model';
import * as format from '../../../shared/messages/format';
import { escapeMrkdwn, extractFacts, slackMessage, type TopicMessage } from '../../../shared/messages/slack';
import { controlApplied } from '../../../shared/ops/messages';
import { ControlAction } from '../../../shared/ops/payload';
import type { Notification } from '../../../shared/ports/notifier';
import { makeGroup } from '../../helpers/config';
import { fromAll } from '../../helpers/verdicts';

const T = Date.UTC(2025, 0, 1, 12, 0, 0);
const group = makeGroup();
const verdicts = [...fromAll(group.vantages, 'lb-1', 'DOWN', T), ...fromAll(group.vantages, 'lb-2', 'UP', T)];
const decision = decide(
  group,
  emptyState('web-lb'),
  verdicts,
  {
    instances: {},
    holdings: [{ resource: 'elastic-ip eipalloc-01', node: 'lb-1', detail: 'on lb-1' }],
  },
  T,
);

function asTopic(n: Notification): TopicMessage {
  return { subject: n.subject, body: n.body, group: n.group, event: n.event, severity: n.severity };
}

const succeeded = format.failoverSucceeded({
  group,
  kind: 'failover',
  from: 'lb-1',
  to: 'lb-2',
  reason: 'http /healthz timeout from 2/2 vantages',
  decision,
  holdings: [{ resource: 'elastic-ip eipalloc-01', node: 'lb-2', detail: '203.0.113.10 on eni-02' }],
  timeline: [{ at: T, what: 'lease taken' }],
  epoch: 3,
});

describe('extractFacts', () => {
  it('finds from, to, reason, evidence and the status command in a failover message', () => {
    const facts = extractFacts(asTopic(succeeded));
    expect(facts.from).toBe('lb-1');
    expect(facts.to).toBe('lb-2');
    expect(facts.reason).toBe('http /healthz timeout from 2/2 vantages');
    expect(facts.evidence[0]).toBe('lb-1: DOWN (http /healthz timeout from 2/2 vantages)');
    expect(facts.evidence.some((l) => l.startsWith('  from az-a: DOWN'))).toBe(true);
    expect(facts.statusCommand).toBe(`npx serverless invoke -f status --data '{"group":"web-lb"}'`);
  });

  it('reads the other messages the arbiter sends', () => {
    const would = extractFacts(
      asTopic(
        format.wouldFailOver(group, decision, 'lb-1', 'lb-2', 'http /healthz timeout', 'mode: observe'),
      ),
    );
    expect(would).toMatchObject({ from: 'lb-1', to: 'lb-2', reason: 'http /healthz timeout' });
    const none = extractFacts(asTopic(format.noHealthyTarget(group, decision, 'every node is down')));
    expect(none).toMatchObject({ reason: 'every node is down' });
    expect(none.from).toBeUndefined();
    const failed = extractFacts(
      asTopic(
        format.failoverFailed({
          group,
          from: 'lb-1',
          to: 'lb-2',
          reason: 'lb-1 down',
          error: 'UnauthorizedOperation',
          holdings: [{ resource: 'elastic-ip eipalloc-01', node: 'lb-1', detail: 'on lb-1' }],
          timeline: [],
        }),
      ),
    );
    expect(failed).toMatchObject({ from: 'lb-1', to: 'lb-2', reason: 'lb-1 down' });
    expect(failed.evidence).toEqual(['elastic-ip eipalloc-01: lb-1 (on lb-1)']);
    const ctl = extractFacts(
      asTopic(
        controlApplied(group, {
          action: ControlAction.PAUSE,
          reason: 'maintenance',
          requestedBy: 'alice',
          changed: true,
          now: T,
        }),
      ),
    );
    expect(ctl).toMatchObject({ reason: 'maintenance', evidence: [] });
    expect(ctl.statusCommand).toContain('"format":"text"');
  });

  it('leaves out what it cannot find', () => {
    expect(extractFacts({ subject: 'hello', body: 'world' })).toEqual({ evidence: [] });
  });
});

describe('slackMessage', () => {
  it('puts group, move, reason, evidence and the status command in blocks', () => {
    const message = slackMessage(asTopic(succeeded));
    expect(message.text).toBe(
      ':rotating_light: web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)',
    );
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: 'web-lb: failed over lb-1 -> lb-2 (http /healthz timeout from 2/2 vantages)',
        emoji: true,
      },
    });
    expect(message.blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Group*\nweb-lb' },
        { type: 'mrkdwn', text: '*Event*\nfailover-succeeded' },
        { type: 'mrkdwn', text: '*Severity*\ncritical' },
        { type: 'mrkdwn', text: '*Move*\nlb-1 → lb-2' },
      ],
    });
    expect(message.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Reason*\nhttp /healthz timeout from 2/2 vantages' },
    });
    expect(JSON.stringify(message.blocks[3])).toContain('*Evidence*\\n```lb-1: DOWN');
    expect(message.blocks[4]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Status*\n\`npx serverless invoke -f status --data '{"group":"web-lb"}'\``,
      },
    });
  });

  it('stays inside Slack limits with huge texts and escapes mrkdwn', () => {
    const long = 'x'.repeat(10_000);
    const message = slackMessage({
      subject: `[ha-arbiter] g: a -> b (${long})`,
      body: `Why: <${long}> & more\n\nHealth by vantage point:\n${'  line\n'.repeat(2000)}\n`,
      group: 'g',
    });
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const block of message.blocks.slice(2)) {
      expect((block as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(message.blocks[2])).toContain('&lt;xxx');
    expect(message.blocks[4]).toMatchObject({
      text: { text: expect.stringContaining('{"group":"g","format":"text"}') },
    });
  });

  it('escapes only &, < and >', () => {
    expect(escapeMrkdwn('<a & b> *c*')).toBe('&lt;a &amp; b&gt; *c*');
  });
});
