import { describe, expect, it } from 'vitest';
import { functionLogicalId } from '../../infra/names';
import { ConfigError } from '../../shared/domain/errors';
import { build, deployableConfig } from './helpers/stack';

/** CloudFormation's placeholders, spelled as the template has them. */
const STACK_NAME = ['$', '{AWS::StackName}'].join('');
const REGION = ['$', '{AWS::Region}'].join('');

const ofType = (resources: Record<string, { Type: string; Properties?: unknown }>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

describe('The dashboard parameter', () => {
  it('adds no dashboard by default', () => {
    const stack = build(deployableConfig());
    expect(ofType(stack.resources.Resources, 'AWS::CloudWatch::Dashboard')).toEqual([]);
  });

  it('adds one dashboard with failovers, durations, readiness, probe latency per vantage, verdict changes and errors', () => {
    const stack = build(deployableConfig(), { dashboard: 'true' });
    const dashboards = ofType(stack.resources.Resources, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const props = dashboards[0]?.[1] as {
      Properties: { DashboardName: unknown; DashboardBody: { 'Fn::Sub': string } };
    };
    expect(props.Properties.DashboardName).toEqual({ 'Fn::Sub': STACK_NAME });
    const body = JSON.parse(props.Properties.DashboardBody['Fn::Sub']) as {
      widgets: { properties: { title: string; region: string; metrics: unknown[] } }[];
    };
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'Failovers (per group)',
      'Failover duration, lease to verified move (ms)',
      'Groups not ready to fail over',
      'Probe latency per vantage (ms, p99)',
      'Verdict changes (per group and vantage)',
      'Prober heartbeats per vantage',
      'Arbiter errors',
      'Lease contention (per group)',
    ]);
    for (const w of body.widgets) expect(w.properties.region).toBe(REGION);
    const text = JSON.stringify(body);
    expect(text).toContain('MetricName=\\"Failovers\\" service=\\"ha-arbiter-ci\\"');
    expect(text).toContain('"GroupsNotReady","service","ha-arbiter-ci"');
    for (const v of ['az-a', 'az-c'])
      expect(text).toContain(`"ProbeLatency","service","ha-arbiter-ci","vantage","${v}"`);
    expect(text).toContain('"FunctionName","ha-arbiter-ci-arbiter"');
  });

  it('refuses a dashboard parameter that is not true or false, naming it', () => {
    expect(() => build(deployableConfig(), { dashboard: 'yes' })).toThrow(ConfigError);
    expect(() => build(deployableConfig(), { dashboard: 'yes' })).toThrow(
      '--param dashboard = "yes": must be true or false',
    );
  });
});

describe('Drill schedules', () => {
  it('adds no schedule and no role for groups without a drill', () => {
    const stack = build(deployableConfig());
    expect(ofType(stack.resources.Resources, 'AWS::Scheduler::Schedule')).toEqual([]);
    expect(stack.resources.Resources.DrillSchedulerRole).toBeUndefined();
  });

  it('schedules the drill of a group that opts in, within its window, with a role that may invoke only the drill', () => {
    const config = deployableConfig();
    (config.groups[0] as Record<string, unknown>).drill = {
      schedule: 'cron(0 3 ? * TUE *)',
      timezone: 'Europe/Berlin',
      windowMinutes: 45,
    };
    const stack = build(config);
    const schedules = ofType(stack.resources.Resources, 'AWS::Scheduler::Schedule');
    expect(schedules.map(([id]) => id)).toEqual(['WebDashlbDrillSchedule']);
    const [, schedule] = schedules[0] as [string, { Properties: Record<string, unknown> }];
    const props = schedule.Properties;
    expect(props).toMatchObject({
      ScheduleExpression: 'cron(0 3 ? * TUE *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 45 },
      Target: {
        Arn: { 'Fn::GetAtt': [functionLogicalId('drill'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['DrillSchedulerRole', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    expect(JSON.parse((props.Target as { Input: string }).Input)).toEqual({
      group: 'web-lb',
      requestedBy: 'drill schedule cron(0 3 ? * TUE *)',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    const role = JSON.stringify(stack.resources.Resources.DrillSchedulerRole);
    expect(role).toContain(
      '"Action":["lambda:InvokeFunction"],"Resource":[{"Fn::GetAtt":["DrillLambdaFunction","Arn"]}]',
    );
  });

  it('refuses a cron expression with five fields, naming the field and the value', () => {
    const config = deployableConfig();
    (config.groups[0] as Record<string, unknown>).drill = { schedule: 'cron(0 3 * * 2)' };
    expect(() => build(config)).toThrow(
      'groups[0].drill.schedule = "cron(0 3 * * 2)": a cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), got 5',
    );
  });
});
