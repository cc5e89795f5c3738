import type { ArbiterConfig } from '../shared/config/schema';
import { METRICS_NAMESPACE, MetricDimension, MetricName } from '../shared/runtime/metrics';
import { type CfnResources, ref, sub } from './cfn';
import { functionName, Ids, normalizedName } from './names';
import { MetricsLevel } from './params';

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

/** Minutes without an arbiter invocation before its dead-man's switch fires (it runs every minute). */
export const ARBITER_MISSING_MINUTES = 3;

/** Functions whose AWS/Lambda Errors alarm in every stack (free metrics, $0.10 an alarm). */
export const ERROR_ALARMED_FUNCTIONS = ['arbiter', 'failover', 'control', 'notify-slack'] as const;

/**
 * Alarms, all to the alert topic. With `metrics: basic` (the default) CloudWatch watches only
 * the functions, through the AWS/Lambda metrics every function has for free:
 * - the arbiter's Invocations < 1 for 3 minutes, missing data breaching: the arbiter itself
 *   stopped (it runs every minute; the probers' silence is the arbiter's to announce, since it
 *   reads every vantage's heartbeat: shared/usecases/vantage-silence.ts);
 * - Errors > 0 of the arbiter, failover, control and notify-slack functions (an operator's
 *   failed manual move, a failed ban, a Slack post that did not go out);
 * - FailedFailovers > 0, automatic, manual and control moves alike, one for every group (a
 *   stack-wide series: the SNS alert of the failed move names the group);
 * - GroupsNotReady > 0 for 3 minutes (readinessAlarm).
 * The last two are custom metrics sent only when they are above zero, so they cost an alarm
 * each and next to nothing in metric series.
 * With `metrics: detailed`, also:
 * - per vantage, no ProberHeartbeat for 3 minutes, missing data breaching;
 * - ReconcileErrors > 0 (the arbiter catches per-group errors, so Lambda sees no error).
 * The count is 7 (basic), or 7 + vantages + 1 (detailed), whatever the number of groups.
 */
export function alarmResources(
  config: ArbiterConfig,
  names: { service: string; stage: string },
  level: MetricsLevel = MetricsLevel.BASIC,
): CfnResources {
  const service = metricsServiceName(names.service, names.stage);
  const resources: CfnResources = {};
  const lambdaMetric = (fn: string) => ({
    namespace: 'AWS/Lambda',
    dimensions: { FunctionName: functionName(names.service, names.stage, fn) },
  });
  resources.ArbiterInvocationsAlarm = alarm({
    description: `arbiter not invoked for ${ARBITER_MISSING_MINUTES} minutes`,
    ...lambdaMetric('arbiter'),
    metric: 'Invocations',
    statistic: 'Sum',
    comparison: 'LessThanThreshold',
    threshold: 1,
    evaluationPeriods: ARBITER_MISSING_MINUTES,
    missingData: 'breaching',
  });
  for (const fn of ERROR_ALARMED_FUNCTIONS) {
    resources[`${normalizedName(fn)}ErrorsAlarm`] = alarm({
      description: `${fn} function errors`,
      ...lambdaMetric(fn),
      metric: 'Errors',
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
      missingData: 'notBreaching',
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
  Object.assign(resources, readinessAlarm(service));
  if (level !== MetricsLevel.DETAILED) return resources;

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
  resources.ReconcileErrorsAlarm = anyInAMinute('arbiter reconcile errors', MetricName.RECONCILE_ERRORS);
  return resources;
}

/** How many alarms a stack has (the cost model counts them: $0.10 each a month). */
export function alarmCount(vantages: number, level: MetricsLevel = MetricsLevel.BASIC): number {
  const basic = 1 + ERROR_ALARMED_FUNCTIONS.length + 2;
  return level === MetricsLevel.DETAILED ? basic + vantages + 1 : basic;
}

/**
 * GroupsNotReady > 0 for 3 minutes in a row: some group's failover would not work (a standby
 * down, a move denied by IAM or an SCP, a prober gone quiet). The arbiter has already said
 * which group and why over SNS, once; this alarm keeps it red on dashboards and pagers until
 * fixed. The metric is sent only while a group is not ready, so missing data is not breaching:
 * a silent arbiter is the ArbiterInvocations alarm's business.
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
