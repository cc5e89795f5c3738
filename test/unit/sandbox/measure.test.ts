import { describe, expect, it } from 'vitest';
import type { ProbeSample } from '../../../local/nodes/client-probe';
import {
  alertFromEnvelope,
  BreakKind,
  type DrillObservation,
  drillReport,
  summarizeRun,
} from '../../../scripts/sandbox/measure';
import type { HistoryEvent } from '../../../shared/domain/model';

const T = Date.parse('2026-12-01T10:00:00.000Z');

/** Requests every 200 ms from T-1000 to T+8000: lb-1 until `downFrom`, failures, then lb-2 from `newFrom`. */
function samples(downFrom: number, newFrom: number): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (let at = T - 1000; at <= T + 8000; at += 200) {
    if (at < downFrom) out.push({ at, latencyMs: 5, ok: true, status: 200, servedBy: 'lb-1' });
    else if (at < newFrom) out.push({ at, latencyMs: 2, ok: false, error: 'ECONNREFUSED' });
    else out.push({ at, latencyMs: 5, ok: true, status: 200, servedBy: 'i-0002' });
  }
  return out;
}

function failover(at: number): HistoryEvent {
  return {
    group: 'g',
    at,
    event: 'failover-succeeded',
    severity: 'critical',
    summary: '[ha-arbiter] g: failed over lb-1 -> lb-2 (lb-1 DOWN from 2 of 2 vantages)',
    detail: {
      reason: 'lb-1 DOWN',
      epoch: 3,
      timeline: [
        { at: T + 6200, what: 'lb-1 DOWN by quorum (lb-1 DOWN from 2 of 2 vantages)' },
        { at: T + 6300, what: 'lease taken by arbiter-1 (epoch 3)' },
        { at: T + 6400, what: 'AssociateAddress eipalloc-1 -> eni-2' },
        { at: T + 6900, what: 'verified: elastic-ip:eipalloc-1 on lb-2' },
        { at: T + 7000, what: 'recorded (epoch 3)' },
      ],
    },
  };
}

const base = (over: Partial<DrillObservation> = {}): DrillObservation => ({
  group: 'g',
  breakKind: BreakKind.STOP_NGINX,
  from: 'lb-1',
  brokeAt: T,
  samples: samples(T + 100, T + 7000),
  history: [failover(T + 7050)],
  alerts: [{ event: 'failover-succeeded', subject: 's', publishedAt: T + 7040, receivedAt: T + 7300 }],
  nodeOf: (s) => ({ 'lb-1': 'lb-1', 'i-0001': 'lb-1', 'lb-2': 'lb-2', 'i-0002': 'lb-2' })[s],
  restored: true,
  ...over,
});

describe('summarizeRun', () => {
  it('measures detection, move and read-back from the break, with the timeline of the failover row', () => {
    const s = summarizeRun(base());
    expect(s).toMatchObject({
      outcome: 'moved',
      from: 'lb-1',
      to: 'lb-2',
      detectMs: 6200,
      moveMs: 6400,
      verifiedMs: 6900,
      addressSwitchMs: 500,
      alertLatencyMs: 7300,
      alertDeliveryMs: 260,
      restored: true,
      notes: [],
    });
    expect(s.brokeAt).toBe('2026-12-01T10:00:00.000Z');
  });

  it('takes the client outage from the first failed request to the first answer after it', () => {
    const s = summarizeRun(base({ samples: samples(T + 100, T + 3000) }));
    // Requests at T+200 .. T+2800 failed, T+3000 was answered by lb-2 (instance id mapped to the node).
    expect(s.clientOutageMs).toBe(2800);
    expect(s.firstServedByNewMs).toBe(3000);
    expect(s.requests).toEqual({ total: 41, failed: 14 });
  });

  it('does not count an outage that ended before the break', () => {
    const before: ProbeSample[] = [
      { at: T - 600, latencyMs: 1, ok: false, error: 'ECONNRESET' },
      { at: T - 400, latencyMs: 1, ok: true, servedBy: 'lb-1' },
      ...samples(T + 500, T + 1500).filter((x) => x.at >= T),
    ];
    expect(summarizeRun(base({ samples: before })).clientOutageMs).toBe(1000);
  });

  it('says why numbers are missing when nothing moved and no alert came', () => {
    const s = summarizeRun(
      base({
        history: [],
        alerts: [],
        samples: samples(T + 100, T + 99_999),
        restored: false,
        restoreDetail: 'SSM timed out',
      }),
    );
    expect(s.outcome).toBe('not-moved');
    expect(s.detectMs).toBeUndefined();
    expect(s.alertLatencyMs).toBeUndefined();
    expect(s.firstServedByNewMs).toBeUndefined();
    expect(s.notes).toEqual([
      'no failover recorded in the group history since the break',
      'no client request was answered by another node after the break',
      'no failover alert arrived',
      'the broken node was not restored: SSM timed out',
    ]);
  });

  it('ignores a failover recorded before the break and alerts of other events', () => {
    const s = summarizeRun(
      base({
        history: [failover(T - 60_000)],
        alerts: [{ event: 'node-down', subject: 'x', publishedAt: T + 10, receivedAt: T + 20 }],
      }),
    );
    expect(s.outcome).toBe('not-moved');
    expect(s.alertLatencyMs).toBeUndefined();
  });

  it('reports a failed failover as failed', () => {
    const row = { ...failover(T + 7000), event: 'failover-failed' };
    expect(summarizeRun(base({ history: [row] })).outcome).toBe('failed');
  });
});

describe('drillReport', () => {
  it('passes only when every run moved and was restored, with a distribution per metric', () => {
    const a = summarizeRun(base());
    const b = summarizeRun(base({ samples: samples(T + 100, T + 3000) }));
    const report = drillReport('aws', 'eu-west-1', [a, b]);
    expect(report.passed).toBe(true);
    expect(report.distribution.clientOutageMs).toMatchObject({ n: 2, min: 2800, max: a.clientOutageMs });
    expect(report.distribution.detectMs).toMatchObject({ n: 2, p50: 6200 });
    expect(drillReport('aws', 'eu-west-1', [a, { ...b, restored: false }]).passed).toBe(false);
    expect(drillReport('aws', 'eu-west-1', []).passed).toBe(false);
  });
});

describe('alertFromEnvelope', () => {
  it('reads the event attribute, subject and publication time of an SNS envelope', () => {
    const envelope = {
      Type: 'Notification',
      Subject: '[ha-arbiter] g: failed over lb-1 -> lb-2',
      Timestamp: '2026-12-01T10:00:07.040Z',
      MessageAttributes: { event: { Type: 'String', Value: 'failover-succeeded' } },
    };
    expect(alertFromEnvelope(envelope, T + 7300)).toEqual({
      event: 'failover-succeeded',
      subject: '[ha-arbiter] g: failed over lb-1 -> lb-2',
      publishedAt: T + 7040,
      receivedAt: T + 7300,
    });
  });

  it('skips a message without the event attribute', () => {
    expect(alertFromEnvelope({ Subject: 'x', Timestamp: '2026-12-01T10:00:00Z' }, T)).toBeUndefined();
  });
});
