import type { ArbiterConfig } from '../shared/config/schema';
import { METRICS_NAMESPACE, MetricDimension, MetricName } from '../shared/metrics';
import { type CfnResources, ref, sub } from './cfn';
import { functionName, Ids, normalizedName } from './names';

/** Minutes without a prober heartbeat before the dead-man's switch fires. */
export const HEARTBEAT_MISSING_MINUTES = 3;

/** The `service` dimension Powertools adds to every metric: one per stage. */
export const metricsServiceName = (service: string, stage: string): string => `${service}-${stage}`;

interface AlarmSpec {
  description: string;
  metric: string;
  namespace: string;
  dimensions: Record<string, string>;
  statistic: 'Sum';
  comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  threshold: number;
  evaluationPeriods: number;
  missingData: 'breaching' | 'notBreaching';
}

function alarm(spec: AlarmSpec) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: sub(`\${AWS::StackName} ${spec.description}`),
      AlarmDescription: spec.description,
      Namespace: spec.namespace,
      MetricName: spec.metric,
      Dimensions: Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Statistic: spec.statistic,
      Period: 60,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.evaluationPeriods,
      Threshold: spec.threshold,
      ComparisonOperator: spec.comparison,
      TreatMissingData: spec.missingData,
      AlarmActions: [ref(Ids.topic)],
      OKActions: [ref(Ids.topic)],
    },
  };
}

/**
 * Alarms, all to the alert topic:
 * - per vantage, a dead-man's switch: no ProberHeartbeat for 3 minutes, missing data breaching
 *   (a prober that never runs sends nothing, which is exactly what must alarm);
 * - FailedFailovers > 0, one alarm for every group (a stack-wide series: the SNS alert of the
 *   failed move names the group, so a per-group alarm would only cost $0.10 a month per group);
 * - ReconcileErrors > 0 (the arbiter catches per-group errors, so Lambda sees no error);
 * - the arbiter function's own Errors > 0.
 * - GroupsNotReady > 0 (readinessAlarm).
 * The count is vantages + 4, whatever the number of groups.
 */
export function alarmResources(
  config: ArbiterConfig,
  names: { service: string; stage: string },
): CfnResources {
  const service = metricsServiceName(names.service, names.stage);
  const resources: CfnResources = {};
  for (const v of config.vantages) {
    resources[`${normalizedName(v.id)}ProberHeartbeatAlarm`] = alarm({
      description: `prober ${v.id} silent for ${HEARTBEAT_MISSING_MINUTES} minutes`,
      namespace: METRICS_NAMESPACE,
      metric: MetricName.PROBER_HEARTBEAT,
      dimensions: { [MetricDimension.SERVICE]: service, [MetricDimension.VANTAGE]: v.id },
      statistic: 'Sum',
      comparison: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: HEARTBEAT_MISSING_MINUTES,
      missingData: 'breaching',
    });
  }
  // Stack-wide counts that must stay at zero: one alarm each, whatever the number of groups.
  const anyInAMinute = (description: string, metric: string) =>
    alarm({
      description,
      namespace: METRICS_NAMESPACE,
      metric,
      dimensions: { [MetricDimension.SERVICE]: service },
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
      missingData: 'notBreaching',
    });
  resources.FailedFailoversAlarm = anyInAMinute('failover failed', MetricName.FAILED_FAILOVERS);
  resources.ReconcileErrorsAlarm = anyInAMinute('arbiter reconcile errors', MetricName.RECONCILE_ERRORS);
  Object.assign(resources, readinessAlarm(service));
  resources.ArbiterErrorsAlarm = alarm({
    description: 'arbiter function errors',
    namespace: 'AWS/Lambda',
    metric: 'Errors',
    dimensions: { FunctionName: functionName(names.service, names.stage, 'arbiter') },
    statistic: 'Sum',
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    evaluationPeriods: 1,
    missingData: 'notBreaching',
  });
  return resources;
}

/**
 * GroupsNotReady > 0 for 3 minutes in a row: some group's failover would not work (a standby
 * down, a move denied by IAM or an SCP, a prober gone quiet). The arbiter has already said
 * which group and why over SNS, once; this alarm keeps it red on dashboards and pagers until
 * fixed. Missing data is not breaching: a silent arbiter is the ArbiterErrors and heartbeat
 * alarms' business. Stack-wide: one alarm whatever the number of groups.
 */
export function readinessAlarm(service: string): CfnResources {
  return {
    GroupsNotReadyAlarm: alarm({
      description: 'a group is not ready to fail over',
      namespace: METRICS_NAMESPACE,
      metric: MetricName.GROUPS_NOT_READY,
      dimensions: { [MetricDimension.SERVICE]: service },
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 3,
      missingData: 'notBreaching',
    }),
  };
}
