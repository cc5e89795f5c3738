import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alarmResources, metricsServiceName } from '../../infra/alarms';
import { validateConfig } from '../../shared/config/load';
import type { Verdict } from '../../shared/domain/model';
import {
  emfMetrics,
  MetricName,
  type Metrics,
  recordHeartbeat,
  recordProbe,
  recordReconcile,
  recordVerdictChange,
} from '../../shared/runtime/metrics';
import { deployableConfig } from './helpers/stack';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** Powertools writes EMF through the global console in dev mode; metrics stay enabled. */
function captureEmf(): EmfLine[] {
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const lines: EmfLine[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: unknown) => {
    lines.push(JSON.parse(String(text)) as EmfLine);
  });
  return lines;
}

function recorder(): Metrics & { calls: [string, number, Record<string, string> | undefined][] } {
  const calls: [string, number, Record<string, string> | undefined][] = [];
  return { calls, add: (name, value, dimensions) => calls.push([name, value, dimensions]), flush() {} };
}

describe('EMF metrics', () => {
  let lines: EmfLine[];
  beforeEach(() => {
    lines = captureEmf();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes one EMF line per dimension set, in the HaArbiter namespace, with the service dimension', () => {
    const metrics = emfMetrics({ serviceName: 'ha-arbiter-ci' });
    metrics.add(MetricName.VERDICT_CHANGES, 1, { vantage: 'az-a', group: 'web-lb' });
    metrics.add(MetricName.VERDICT_CHANGES, 1, { group: 'web-lb', vantage: 'az-a' });
    metrics.add(MetricName.PROBER_HEARTBEAT, 1, { vantage: 'az-a' });
    metrics.flush();

    expect(lines).toHaveLength(2);
    const [changes, heartbeat] = lines;
    expect(changes?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'HaArbiter',
      Metrics: [{ Name: 'VerdictChanges', Unit: 'Count' }],
    });
    expect(changes).toMatchObject({
      service: 'ha-arbiter-ci',
      vantage: 'az-a',
      group: 'web-lb',
      VerdictChanges: [1, 1],
    });
    expect(heartbeat).toMatchObject({ service: 'ha-arbiter-ci', vantage: 'az-a', ProberHeartbeat: 1 });
  });

  it('writes nothing when nothing was added, and nothing twice', () => {
    const metrics = emfMetrics({ serviceName: 'ha-arbiter-ci' });
    metrics.flush();
    metrics.add(MetricName.FAILOVERS, 1, { group: 'web-lb' });
    metrics.flush();
    metrics.flush();
    expect(lines).toHaveLength(1);
  });

  it('puts the probe latencies of every group of a vantage in one series', () => {
    const metrics = emfMetrics({ serviceName: 'ha-arbiter-ci' });
    recordProbe(metrics, 'az-a', { ok: true, latencyMs: 12, at: 0 });
    recordProbe(metrics, 'az-a', { ok: true, latencyMs: 15, at: 0 });
    recordProbe(metrics, 'az-c', { ok: true, latencyMs: 9, at: 0 });
    metrics.flush();
    expect(lines.map((l) => l._aws.CloudWatchMetrics[0]?.Dimensions[0]?.sort())).toEqual([
      ['service', 'vantage'],
      ['service', 'vantage'],
    ]);
    expect(lines[0]).toMatchObject({ vantage: 'az-a', ProbeLatency: [12, 15] });
    expect(lines[0]).not.toHaveProperty('group');
    expect(lines[1]).toMatchObject({ vantage: 'az-c', ProbeLatency: 9 });
  });

  it('emits the failed-failover series its one stack-wide alarm watches, dimension for dimension', () => {
    const metrics = emfMetrics({ serviceName: metricsServiceName('ha-arbiter', 'ci') });
    recordReconcile(metrics, [
      { group: 'web-lb', action: 'failover', outcome: 'failed', detail: 'UnauthorizedOperation' },
      { group: 'nat', action: 'failover', outcome: 'failed', detail: 'UnauthorizedOperation' },
    ]);
    metrics.flush();
    const config = validateConfig(deployableConfig());
    const alarm = alarmResources(
      config,
      { service: 'ha-arbiter', stage: 'ci' },
      'detailed',
    ).FailedFailoversAlarm;
    const dimensions = alarm?.Properties?.Dimensions as { Name: string; Value: string }[];
    expect(lines).toHaveLength(1);
    const line = lines[0] as EmfLine;
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions[0]?.sort()).toEqual(
      dimensions.map((d) => d.Name).sort(),
    );
    for (const d of dimensions) expect(line[d.Name]).toBe(d.Value);
    expect(line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name).toBe(alarm?.Properties?.MetricName);
    expect(line.FailedFailovers).toEqual([1, 1]);
  });

  it('emits the heartbeat series the dead-man alarm watches, dimension for dimension', () => {
    const metrics = emfMetrics({ serviceName: metricsServiceName('ha-arbiter', 'ci') });
    recordHeartbeat(metrics, 'az-a');
    metrics.flush();
    const config = validateConfig(deployableConfig());
    const alarm = alarmResources(
      config,
      { service: 'ha-arbiter', stage: 'ci' },
      'detailed',
    ).AzDashaProberHeartbeatAlarm;
    const dimensions = alarm?.Properties?.Dimensions as { Name: string; Value: string }[];
    const line = lines[0] as EmfLine;
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions[0]?.sort()).toEqual(
      dimensions.map((d) => d.Name).sort(),
    );
    for (const d of dimensions) expect(line[d.Name]).toBe(d.Value);
    expect(line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name).toBe(alarm?.Properties?.MetricName);
  });
});

describe('Recording', () => {
  it('records the latency of successful probes only, per vantage', () => {
    const metrics = recorder();
    recordProbe(metrics, 'az-a', { ok: true, latencyMs: 7, at: 0 });
    recordProbe(metrics, 'az-a', {
      ok: false,
      latencyMs: 2000,
      at: 0,
      error: 'timeout after 2000 ms',
    });
    expect(metrics.calls).toEqual([['ProbeLatency', 7, { vantage: 'az-a' }]]);
  });

  it('counts a verdict change per vantage and group', () => {
    const metrics = recorder();
    recordVerdictChange(metrics, { group: 'web-lb', vantage: 'az-c', node: 'lb-1' } as Verdict);
    expect(metrics.calls).toEqual([['VerdictChanges', 1, { vantage: 'az-c', group: 'web-lb' }]]);
  });

  it('turns reconcile outcomes into failovers, durations, contention, failures and errors', () => {
    const metrics = recorder();
    recordReconcile(metrics, [
      { group: 'a', action: 'failover', outcome: 'moved', moveMs: 1800 },
      { group: 'b', action: 'failover', outcome: 'lease-held' },
      { group: 'c', action: 'failover', outcome: 'failed', detail: 'UnauthorizedOperation' },
      { group: 'd', action: 'error', outcome: 'failed', detail: 'table unreachable' },
      { group: 'e', action: 'stay', outcome: 'none' },
    ]);
    expect(metrics.calls).toEqual([
      ['Failovers', 1, { group: 'a' }],
      ['FailoverDurationMs', 1800, { group: 'a' }],
      ['LeaseContention', 1, { group: 'b' }],
      ['FailedFailovers', 1, undefined],
      ['ReconcileErrors', 1, undefined],
    ]);
  });
});
