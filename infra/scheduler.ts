import type { ArbiterConfig } from '../shared/config/schema';
import { type CfnResources, getAtt, sub } from './cfn';
import { functionLogicalId, Ids, proberKey } from './names';

/** Every scheduled function runs once a minute. */
export const SCHEDULE_RATE = 'rate(1 minute)';

/**
 * EventBridge Scheduler retry policy for every schedule: none. A tick that could not be
 * delivered is replaced by the next one a minute later; retrying it would only pile up
 * overlapping probe loops (refused anyway by reserved concurrency 1) or stale reconciles.
 * Scheduler's minimum event age is 60 s. osls does not set a RetryPolicy, so the local plugin
 * infra/plugins/scheduler-retry-policy.cjs adds this one to every schedule it compiles.
 */
export const SCHEDULER_RETRY_POLICY = { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } as const;

/** The functions EventBridge Scheduler invokes. */
export function scheduledFunctions(config: ArbiterConfig): string[] {
  return ['arbiter', ...config.vantages.map((v) => proberKey(v.id))];
}

/** The schedules' own role: may invoke exactly the scheduled functions, nothing else. */
export function schedulerResources(config: ArbiterConfig): CfnResources {
  return {
    [Ids.schedulerRole]: schedulerInvokeRole({
      description: 'ha-arbiter: EventBridge Scheduler invokes the arbiter and the probers',
      policyName: 'invoke-scheduled-functions',
      sid: 'InvokeScheduledFunctions',
      functions: scheduledFunctions(config),
    }),
  };
}

/**
 * A role EventBridge Scheduler assumes (only for this account's schedules) to invoke exactly
 * the given functions.
 */
export function schedulerInvokeRole(role: {
  description: string;
  policyName: string;
  sid: string;
  functions: readonly string[];
}): CfnResources[string] {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: role.description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': sub(`\${AWS::AccountId}`) } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: role.policyName,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: role.sid,
                Effect: 'Allow',
                Action: ['lambda:InvokeFunction'],
                Resource: role.functions.map((key) => getAtt(functionLogicalId(key), 'Arn')),
              },
            ],
          },
        },
      ],
    },
  };
}
