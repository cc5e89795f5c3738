import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alarmResources, metricsServiceName } from '../../infra/alarms';
import { validateConfig } from '../../shared/config/load';
import {
  emfMetrics,
  MetricName,
  type Metrics,
  recordHeartbeat,
  recordProbe,
  recordReconcile,
  recordVerdictChange,
} from '../../shared/metrics';
import type { Verdict } from '../../shared/model';
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
    metrics.add(MetricName.PROBE_LATENCY, 12, { vantage: 'az-a', group: 'web-lb' });
    metrics.add(MetricName.PROBE_LATENCY, 15, { group: 'web-lb', vantage: 'az-a' });
    metrics.add(MetricName.PROBER_HEARTBEAT, 1, { vantage: 'az-a' });
    metrics.flush();

    expect(lines).toHaveLength(2);
    const [latency, heartbeat] = lines;
    expect(latency?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'HaArbiter',
      Metrics: [{ Name: 'ProbeLatency', Unit: 'Milliseconds' }],
    });
    expect(latency).toMatchObject({
      service: 'ha-arbiter-ci',
      vantage: 'az-a',
      group: 'web-lb',
      ProbeLatency: [12, 15],
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

  it('emits the heartbeat series the dead-man alarm watches, dimension for dimension', () => {
    const metrics = emfMetrics({ serviceName: metricsServiceName('ha-arbiter', 'ci') });
    recordHeartbeat(metrics, 'az-a');
    metrics.flush();
    const config = validateConfig(deployableConfig());
    const alarm = alarmResources(config, { service: 'ha-arbiter', stage: 'ci' }).AzDashaProberHeartbeatAlarm;
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
  it('records the latency of successful probes only', () => {
    const metrics = recorder();
    recordProbe(metrics, 'az-a', 'web-lb', { ok: true, latencyMs: 7, at: 0 });
    recordProbe(metrics, 'az-a', 'web-lb', {
      ok: false,
      latencyMs: 2000,
      at: 0,
      error: 'timeout after 2000 ms',
    });
    expect(metrics.calls).toEqual([['ProbeLatency', 7, { vantage: 'az-a', group: 'web-lb' }]]);
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
      ['FailedFailovers', 1, { group: 'c' }],
      ['ReconcileErrors', 1, undefined],
    ]);
  });
});
