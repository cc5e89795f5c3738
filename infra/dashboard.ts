import type { ArbiterConfig } from '../shared/config/schema';
import { METRICS_NAMESPACE, MetricName } from '../shared/runtime/metrics';
import { metricsServiceName } from './alarms';
import { type CfnResources, sub } from './cfn';
import { functionName, Ids } from './names';

type Widget = Record<string, unknown>;

const WIDTH = 12;
const HEIGHT = 6;

/** A metric widget at grid position `i` (two per row). */
function graph(i: number, title: string, metrics: unknown[], extra: Record<string, unknown> = {}): Widget {
  return {
    type: 'metric',
    x: (i % 2) * WIDTH,
    y: Math.floor(i / 2) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: {
      title,
      region: `\${AWS::Region}`,
      view: 'timeSeries',
      stacked: false,
      period: 60,
      metrics,
      ...extra,
    },
  };
}

/** Every series of a metric with a group dimension, whatever groups exist (a SEARCH expression). */
function perGroup(metric: string, service: string, stat: string, id: string): unknown[] {
  return [
    {
      expression: `SEARCH('{${METRICS_NAMESPACE},group,service} MetricName="${metric}" service="${service}"', '${stat}', 60)`,
      id,
      label: '',
    },
  ];
}

/**
 * The stack's CloudWatch dashboard (parameter `dashboard=true`): failovers and how long they
 * took, readiness, probe latency and heartbeats per vantage, verdict changes and arbiter errors.
 * Series with a group dimension are found with SEARCH, so a new group needs no redeploy of the
 * dashboard; vantages are listed from the config. A dashboard costs $3 a month beyond the free
 * three, which is why it is opt-in.
 */
export function dashboardResources(
  config: ArbiterConfig,
  names: { service: string; stage: string },
): CfnResources {
  const service = metricsServiceName(names.service, names.stage);
  const ns = METRICS_NAMESPACE;
  const perVantage = (metric: string, stat: string) =>
    config.vantages.map((v) => [ns, metric, 'service', service, 'vantage', v.id, { stat, label: v.id }]);
  const widgets: Widget[] = [
    graph(0, 'Failovers (per group)', perGroup(MetricName.FAILOVERS, service, 'Sum', 'failovers')),
    graph(
      1,
      'Failover duration, lease to verified move (ms)',
      perGroup(MetricName.FAILOVER_DURATION, service, 'Maximum', 'duration'),
    ),
    graph(
      2,
      'Groups not ready to fail over',
      [[ns, MetricName.GROUPS_NOT_READY, 'service', service, { stat: 'Maximum', label: 'not ready' }]],
      { yAxis: { left: { min: 0 } } },
    ),
    graph(3, 'Probe latency per vantage (ms, p99)', perVantage(MetricName.PROBE_LATENCY, 'p99')),
    graph(4, 'Verdict changes (per group and vantage)', [
      {
        expression: `SEARCH('{${ns},group,service,vantage} MetricName="${MetricName.VERDICT_CHANGES}" service="${service}"', 'Sum', 60)`,
        id: 'changes',
        label: '',
      },
    ]),
    graph(5, 'Prober heartbeats per vantage', perVantage(MetricName.PROBER_HEARTBEAT, 'Sum')),
    graph(6, 'Arbiter errors', [
      [ns, MetricName.RECONCILE_ERRORS, 'service', service, { stat: 'Sum', label: 'reconcile errors' }],
      [ns, MetricName.FAILED_FAILOVERS, 'service', service, { stat: 'Sum', label: 'failed failovers' }],
      [
        'AWS/Lambda',
        'Errors',
        'FunctionName',
        functionName(names.service, names.stage, 'arbiter'),
        { stat: 'Sum', label: 'arbiter function errors' },
      ],
    ]),
    graph(
      7,
      'Lease contention (per group)',
      perGroup(MetricName.LEASE_CONTENTION, service, 'Sum', 'contention'),
    ),
  ];
  return {
    [Ids.dashboard]: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: sub(`\${AWS::StackName}`),
        // Fn::Sub fills in the region; the SEARCH braces are not `${`, so they pass as they are.
        DashboardBody: sub(JSON.stringify({ widgets })),
      },
    },
  };
}
