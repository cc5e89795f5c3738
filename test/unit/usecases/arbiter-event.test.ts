import { describe, expect, it } from 'vitest';
import { parseArbiterEvent } from '../../../shared/runtime/arbiter-event';
import { makeConfig } from '../../helpers/config';

const config = makeConfig((raw) => {
  const second = structuredClone(raw.groups[0]!);
  second.id = 'nat';
  second.nodes = second.nodes.map((n, i) => ({
    ...n,
    id: `nat-${i}`,
    instanceId: `i-2${i}`,
    eni: `eni-2${i}`,
  }));
  second.resources = [{ kind: 'elastic-ip', allocationId: 'eipalloc-02' }];
  raw.groups.push(second);
  raw.arbiter = { maxEventAgeSeconds: 30 };
});
const NOW = Date.parse('2025-01-01T12:00:00Z');

let sequence = 0;

/** A stream record as the event source mapping delivers it (keys only: that is all it reads). */
function record(pk: string, sk: string, eventName = 'MODIFY') {
  sequence += 1;
  return {
    eventID: `e-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2025-01-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1_735_732_800,
      Keys: { pk: { S: pk }, sk: { S: sk } },
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 64,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** An EventBridge scheduled-rule event. */
function ruleEvent(time: string) {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/ha-arbiter-reconcile'],
    detail: {},
  };
}

describe('parseArbiterEvent', () => {
  it('reconciles the groups of verdict rows in a stream batch, once each', () => {
    const event = {
      Records: [
        record('v#az-a', 'n#web-lb#lb-1'),
        record('v#az-c', 'n#web-lb#lb-1', 'INSERT'),
        record('v#az-a', 'n#nat#nat-0'),
      ],
    };
    expect(parseArbiterEvent(event, config, NOW)).toEqual({ kind: 'stream', groups: ['web-lb', 'nat'] });
  });

  it('ignores stream records that are not verdict rows or name an unknown group', () => {
    const event = {
      Records: [
        record('g#web-lb', 'state'),
        record('v#az-a', 'hb'),
        // Rows of earlier layouts, still in an old table: heartbeats and a verdict.
        record('hb#az-a', 'hb'),
        record('g#web-lb', 'hb#az-a'),
        record('g#web-lb', 'v#az-a#lb-1'),
        record('h#web-lb', '2025-01-01T12:00:00.000Z#abc'),
        record('v#az-a', 'n#gone#lb-1'),
      ],
    };
    expect(parseArbiterEvent(event, config, NOW)).toEqual({ kind: 'stream', groups: [] });
  });

  it('reconciles every group on a scheduled event', () => {
    expect(
      parseArbiterEvent({ source: 'ha-arbiter.schedule', time: '2025-01-01T11:59:50Z' }, config, NOW),
    ).toEqual({
      kind: 'schedule',
      groups: ['web-lb', 'nat'],
    });
  });

  it('reconciles one group when the schedule names it', () => {
    expect(parseArbiterEvent({ source: 'ha-arbiter.schedule', group: 'nat' }, config, NOW)).toEqual({
      kind: 'schedule',
      groups: ['nat'],
    });
  });

  it('keeps a scheduled event exactly maxEventAgeSeconds old', () => {
    expect(parseArbiterEvent({ time: '2025-01-01T11:59:30Z' }, config, NOW).kind).toBe('schedule');
  });

  it('drops a scheduled event older than maxEventAgeSeconds as a late delivery', () => {
    expect(
      parseArbiterEvent({ source: 'ha-arbiter.schedule', time: '2025-01-01T11:59:29Z' }, config, NOW),
    ).toEqual({
      kind: 'dropped',
      reason: 'scheduled event from 2025-01-01T11:59:29Z is 31 s old',
    });
  });

  it('drops a scheduled event for a group the config does not know', () => {
    expect(parseArbiterEvent({ group: 'gone' }, config, NOW)).toEqual({
      kind: 'dropped',
      reason: 'unknown group "gone"',
    });
  });

  it('treats an empty or unknown event as a schedule for every group', () => {
    expect(parseArbiterEvent(undefined, config, NOW)).toEqual({
      kind: 'schedule',
      groups: ['web-lb', 'nat'],
    });
    expect(parseArbiterEvent({}, config, NOW)).toEqual({ kind: 'schedule', groups: ['web-lb', 'nat'] });
  });

  it('reconciles every group on an EventBridge scheduled-rule event, and drops a late one', () => {
    expect(parseArbiterEvent(ruleEvent('2025-01-01T11:59:45Z'), config, NOW)).toEqual({
      kind: 'schedule',
      groups: ['web-lb', 'nat'],
    });
    expect(parseArbiterEvent(ruleEvent('2025-01-01T11:58:00Z'), config, NOW)).toEqual({
      kind: 'dropped',
      reason: 'scheduled event from 2025-01-01T11:58:00Z is 120 s old',
    });
  });

  it('refuses a scheduled event whose time is not an ISO 8601 time, naming the field and value', () => {
    expect(() => parseArbiterEvent({ source: 'ha-arbiter.schedule', time: 'soon' }, config, NOW)).toThrow(
      /arbiter scheduled event: time = "soon"/,
    );
  });

  it('refuses a misspelt key instead of reconciling every group', () => {
    expect(() => parseArbiterEvent({ gruop: 'nat' }, config, NOW)).toThrow(/gruop: unknown key/);
  });

  it('refuses a group that is not a string', () => {
    expect(() => parseArbiterEvent({ group: 7 }, config, NOW)).toThrow(/group = 7/);
  });

  it('refuses a stream batch with a malformed record, naming the field', () => {
    const bad = record('v#az-a', 'n#web-lb#lb-1') as Record<string, unknown>;
    delete bad.eventSourceARN;
    expect(() => parseArbiterEvent({ Records: [bad] }, config, NOW)).toThrow(
      /arbiter stream event: Records\[0\]\.eventSourceARN = missing/,
    );
    expect(() =>
      parseArbiterEvent(
        { Records: [{ ...record('v#az-a', 'n#web-lb#lb-1'), eventSource: 'aws:sqs' }] },
        config,
        NOW,
      ),
    ).toThrow(/Records\[0\]\.eventSource = "aws:sqs"/);
  });

  it('refuses an event that is not an object', () => {
    expect(() => parseArbiterEvent('tick', config, NOW)).toThrow(/\(root\) = "tick": must be an object/);
  });
});
