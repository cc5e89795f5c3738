import type { ArbiterConfig } from '../shared/config/schema';
import { type CfnResources, getAtt } from './cfn';
import { functionLogicalId, Ids, normalizedName } from './names';
import { schedulerInvokeRole } from './scheduler';

/** The logical id of a group's drill schedule. */
export const drillScheduleLogicalId = (group: string): string => `${normalizedName(group)}DrillSchedule`;

/**
 * One EventBridge Scheduler schedule per group that opts in (`drill` in the config), and a role
 * that may invoke the drill function and nothing else (the stack's SchedulerRole, which starts
 * the arbiter and the probers, stays as it is). The schedule starts the drill anywhere within
 * the group's window (a flexible time window spreads the drills of several groups), never
 * retries (a drill that did not start is not worth a surprise failover later), and passes the
 * scheduled time so the drill refuses a delivery that arrives after the window.
 */
export function drillScheduleResources(config: ArbiterConfig): CfnResources {
  const groups = config.groups.filter((g) => g.drill !== undefined);
  if (groups.length === 0) return {};
  const resources: CfnResources = {
    [Ids.drillSchedulerRole]: schedulerInvokeRole({
      description: 'ha-arbiter: EventBridge Scheduler starts the scheduled failover drills',
      policyName: 'invoke-drill',
      sid: 'InvokeDrill',
      functions: ['drill'],
    }),
  };
  for (const g of groups) {
    const drill = g.drill as NonNullable<typeof g.drill>;
    resources[drillScheduleLogicalId(g.id)] = {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        Description: `ha-arbiter: failover drill of ${g.id}`,
        ScheduleExpression: drill.schedule,
        ...(drill.timezone ? { ScheduleExpressionTimezone: drill.timezone } : {}),
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: drill.windowMinutes },
        State: 'ENABLED',
        Target: {
          Arn: getAtt(functionLogicalId('drill'), 'Arn'),
          RoleArn: getAtt(Ids.drillSchedulerRole, 'Arn'),
          Input: JSON.stringify({
            group: g.id,
            requestedBy: `drill schedule ${drill.schedule}`,
            scheduledTime: '<aws.scheduler.scheduled-time>',
          }),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        },
      },
    };
  }
  return resources;
}
