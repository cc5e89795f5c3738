import type { ArbiterConfig } from '../shared/config/schema';
import { getAtt, ref } from './cfn';
import { ARBITER_SIDE_IN_VPC, vantageSubnets } from './iam/policies';
import {
  type FixedFunction,
  functionName,
  Ids,
  proberKey,
  roleLogicalId,
  securityGroupLogicalId,
} from './names';
import type { StackParams } from './params';
import { SCHEDULE_RATE } from './scheduler';
import {
  ASYNC_MAX_EVENT_AGE_SECONDS,
  ASYNC_MAX_RETRIES,
  LEASE_HOLDERS,
  leaseHolderTimeoutSeconds,
  PROBER_TIMEOUT_SECONDS,
} from './timing';

/** An osls function definition (merged by osls over the one in serverless.yml, if any). */
export type FunctionDefinition = Record<string, unknown>;

/** Async settings of the Slack forwarder (SNS invokes it asynchronously). */
export const SLACK_ASYNC = { maximumRetryAttempts: 2, maximumEventAge: 3600 } as const;

/** The input EventBridge Scheduler sends; shared/runtime/arbiter-event.ts reads it. */
export const SCHEDULED_INPUT = {
  source: 'ha-arbiter.schedule',
  time: '<aws.scheduler.scheduled-time>',
} as const;

/**
 * The config-driven part of `functions`:
 * - for the fixed functions declared in serverless.yml: name, role, timeout, async retry
 *   settings, VPC placement (when `arbiterInVpc`) and the Slack subscription (when configured);
 * - one prober per vantage, complete: in its subnet with its own security group, reserved
 *   concurrency 1 (never two loops at once), scheduled every minute.
 */
export function generatedFunctions(input: {
  config: ArbiterConfig;
  params: StackParams;
  service: string;
  stage: string;
}): Record<string, FunctionDefinition> {
  const { config, params, service, stage } = input;
  const asyncConfig = {
    maximumRetryAttempts: ASYNC_MAX_RETRIES,
    maximumEventAge: ASYNC_MAX_EVENT_AGE_SECONDS,
  };
  const arbiterVpc = {
    subnetIds: vantageSubnets(config),
    securityGroupIds: [getAtt(Ids.arbiterSecurityGroup, 'GroupId')],
  };
  const leaseTimeout = leaseHolderTimeoutSeconds(config);
  const fixed = (key: FixedFunction, extra: FunctionDefinition = {}): FunctionDefinition => ({
    name: functionName(service, stage, key),
    role: roleLogicalId(key),
    ...asyncConfig,
    ...(params.arbiterInVpc && ARBITER_SIDE_IN_VPC.includes(key) ? { vpc: arbiterVpc } : {}),
    // A lease holder must be dead before its lease can expire (see leaseHolderTimeoutSeconds).
    ...(LEASE_HOLDERS.includes(key) ? { timeout: leaseTimeout } : {}),
    ...extra,
  });

  const functions: Record<FixedFunction, FunctionDefinition> & Record<string, FunctionDefinition> = {
    arbiter: fixed('arbiter'),
    failover: fixed('failover'),
    // Two moves, each within its own lease (extended before every mutating call, so the
    // function outliving one lease cannot act on it), and after each a wait of at most
    // staleAfterSeconds for the vantages' data-path check.
    drill: fixed('drill', { timeout: drillTimeoutSeconds(config, leaseTimeout) }),
    status: fixed('status'),
    control: fixed('control'),
    // Preflight checks that the arbiter does not depend on a NAT it protects: tell it where it runs.
    preflight: fixed(
      'preflight',
      params.arbiterInVpc ? { environment: { ARBITER_SUBNETS: vantageSubnets(config).join(',') } } : {},
    ),
    // An alert lost to a Slack hiccup is worth two retries within the hour.
    'notify-slack': fixed('notify-slack', {
      ...SLACK_ASYNC,
      ...(params.slackWebhookParameter
        ? { events: [{ sns: { arn: ref(Ids.topic), topicName: 'alerts' } }] }
        : {}),
    }),
  };
  for (const v of config.vantages) {
    const key = proberKey(v.id);
    functions[key] = {
      handler: 'functions/probe.handler',
      name: functionName(service, stage, key),
      description: `ha-arbiter prober of vantage ${v.id} (${v.subnet}): probes the nodes every few seconds`,
      role: roleLogicalId(key),
      timeout: PROBER_TIMEOUT_SECONDS,
      memorySize: params.proberMemoryMb,
      reservedConcurrency: 1,
      ...asyncConfig,
      environment: { VANTAGE_ID: v.id, METRICS_LEVEL: params.metrics },
      vpc: { subnetIds: [v.subnet], securityGroupIds: [getAtt(securityGroupLogicalId(key), 'GroupId')] },
      events: [
        {
          schedule: {
            method: 'scheduler',
            rate: [SCHEDULE_RATE],
            roleArn: getAtt(Ids.schedulerRole, 'Arn'),
            input: { ...SCHEDULED_INPUT },
          },
        },
      ],
    };
  }
  return functions;
}

/** The drill's timeout: two leased moves and two data-path waits, within Lambda's 15 minutes. */
export function drillTimeoutSeconds(config: ArbiterConfig, leaseTimeout: number): number {
  const wait = Math.max(0, ...config.groups.map((g) => g.policy.staleAfterSeconds));
  return Math.min(900, 2 * (leaseTimeout + wait) + 30);
}
