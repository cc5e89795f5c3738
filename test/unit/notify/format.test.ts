import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide';
import { emptyState, type Signals } from '../../../shared/domain/model';
import { failoverFailed, noHealthyTarget, verdictLines } from '../../../shared/messages/format';
import { makeGroup } from '../../helpers/config';
import { fromAll, verdict } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const group = makeGroup();
const holdings: Signals['holdings'] = [
  { resource: 'elastic-ip eipalloc-01', node: 'lb-1', detail: 'on eni-01' },
];

describe('notification text', () => {
  it('lists each vantage verdict with the probe evidence, latency said once', () => {
    const decision = decide(
      group,
      emptyState('web-lb'),
      [
        ...fromAll(['az-a', 'az-c'], 'lb-1', 'DOWN', NOW, { error: 'timeout after 2000 ms' }),
        verdict('az-a', 'lb-2', 'DOWN', NOW, { error: 'ECONNREFUSED', latencyMs: 1 }),
        verdict('az-c', 'lb-2', 'UP', NOW, { latencyMs: 4 }),
      ],
      { instances: {}, holdings },
      NOW,
    );
    expect(verdictLines(group, decision.assessments)).toEqual([
      '  lb-1: DOWN (http /healthz timeout from 2/2 vantages)',
      '    from az-a: DOWN (decided at 11:59:58.000: timeout after 2000 ms)',
      '    from az-c: DOWN (decided at 11:59:58.000: timeout after 2000 ms)',
      expect.stringMatching(/^ {2}lb-2: UNKNOWN \(vantages disagree/),
      '    from az-a: DOWN (decided at 11:59:59.999: ECONNREFUSED after 1 ms)',
      '    from az-c: UP (decided at 11:59:59.996: ok in 4 ms)',
    ]);
  });

  it('says "no healthy target" with the node left holding the address', () => {
    const decision = decide(
      group,
      emptyState('web-lb'),
      [...fromAll(['az-a', 'az-c'], 'lb-1', 'DOWN', NOW), ...fromAll(['az-a', 'az-c'], 'lb-2', 'DOWN', NOW)],
      { instances: {}, holdings },
      NOW,
    );
    const note = noHealthyTarget(group, decision, 'http /healthz timeout from 2/2 vantages');
    expect(note.subject).toBe(
      '[ha-arbiter] web-lb: NO HEALTHY TARGET, address left on lb-1 (http /healthz timeout from 2/2 vantages)',
    );
    expect(note).toMatchObject({ event: 'no-healthy-target', severity: 'critical' });
  });

  it('flags a failed move that left the resources split between nodes', () => {
    const note = failoverFailed({
      group,
      from: 'lb-1',
      to: 'lb-2',
      reason: 'r',
      error: 'e',
      holdings: [
        { resource: 'elastic-ip eipalloc-01', node: 'lb-2', detail: 'd' },
        { resource: 'secondary-ip 10.0.1.100', node: 'lb-1', detail: 'd' },
      ],
      timeline: [],
    });
    expect(note.subject).toBe('[ha-arbiter] web-lb: FAILOVER FAILED lb-1 -> lb-2 (resources split)');
    expect(note.body).toContain('  secondary-ip 10.0.1.100: lb-1 (d)');
  });
});
