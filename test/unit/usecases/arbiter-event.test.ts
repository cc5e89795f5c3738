import { describe, expect, it } from 'vitest';
import { parseArbiterEvent } from '../../../shared/usecases/arbiter-event';
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

function record(pk: string, sk: string, eventName = 'MODIFY') {
  return {
    eventSource: 'aws:dynamodb',
    eventName,
    dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } },
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
});
