import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmCount, alarmResources } from '../../infra/alarms';
import { EC2_MUTATING_ACTIONS } from '../../infra/iam/ec2';
import { FIXED_FUNCTIONS, functionLogicalId, Ids, proberKey, roleLogicalId } from '../../infra/names';
import { loadConfig } from '../../shared/config/load';
import { arnText, asArray, isMutatingEc2, resourcesOf, roleStatements, type Statement } from './helpers/iam';
import { osls, SERVICE_DIR } from './helpers/osls';
import { unzip } from './helpers/unzip';

/**
 * The real thing: `serverless package --stage ci`, offline and without AWS credentials, run
 * once; every test reads the CloudFormation template and the package it wrote.
 */
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

const out = mkdtempSync(join(tmpdir(), 'ha-arbiter-package-'));
const config = loadConfig(join(SERVICE_DIR, 'arbiter.yml'));
let resources: Record<string, Resource>;
let files: Map<string, Buffer>;
let packaging = { code: null as number | null, output: '', ms: 0 };

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const props = (id: string) => resources[id]?.Properties as Record<string, unknown>;
const functionKeys = () => [...FIXED_FUNCTIONS, ...config.vantages.map((v) => proberKey(v.id))];

beforeAll(async () => {
  packaging = await osls(['package', '--stage', 'ci', '--package', out]);
  if (packaging.code !== 0) throw new Error(`serverless package failed:\n${packaging.output}`);
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
  files = unzip(readFileSync(join(out, 'ha-arbiter.zip')));
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('serverless package', () => {
  it('packages offline with no AWS credentials', () => {
    expect(packaging.code).toBe(0);
    expect(packaging.output).toContain('Service packaged');
  });

  it('deploys every function with the logical id, handler and role the generator expects', () => {
    for (const key of functionKeys()) {
      const fn = props(functionLogicalId(key));
      expect(fn, key).toBeDefined();
      expect(fn.Handler).toBe(
        key.startsWith('probe-') ? 'functions/probe.handler' : `functions/${key}.handler`,
      );
      expect(fn.Role).toEqual({ 'Fn::GetAtt': [roleLogicalId(key), 'Arn'] });
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
    }
    const roles = functionKeys().map(
      (k) => (props(functionLogicalId(k)).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('ships the config inside the package, at CONFIG_PATH, and the bundles load it', () => {
    expect(files.has('arbiter.yml')).toBe(true);
    for (const key of functionKeys()) {
      const env = (props(functionLogicalId(key)).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.CONFIG_PATH, key).toBe('arbiter.yml');
    }
    const dir = mkdtempSync(join(tmpdir(), 'ha-arbiter-bundle-'));
    try {
      for (const [name, data] of files) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), data);
      }
      // What Lambda does: import the handler module from the package root (cwd /var/task).
      const handlers = [...files.keys()].filter((f) => f.endsWith('.mjs'));
      expect(handlers.length).toBeGreaterThanOrEqual(2);
      const script = `for (const f of ${JSON.stringify(handlers)}) { const m = await import('./' + f); if (typeof m.handler !== 'function') throw new Error(f + ': no handler'); }`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          CONFIG_PATH: 'arbiter.yml',
          TABLE_NAME: 'table',
          TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:t',
          AWS_REGION: 'us-east-1',
        },
        encoding: 'utf8',
      });
      // Node 20 here (Lambda runs 22): the SDK's support warning is expected, nothing else.
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr.split('\n').filter((l) => /error/i.test(l) && !/Warning/.test(l))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("names this stack's table and topic in TABLE_NAME and TOPIC_ARN (only --stage local reads them from the shell)", () => {
    for (const key of functionKeys()) {
      const env = (props(functionLogicalId(key)).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.TABLE_NAME, key).toEqual({ Ref: Ids.table });
      if (['arbiter', 'failover', 'status', 'control'].includes(key))
        expect(env.TOPIC_ARN, key).toEqual({ Ref: Ids.topic });
    }
    expect([...files.keys()].filter((f) => f.startsWith('functions/') && !f.endsWith('.mjs'))).toEqual([]);
  });
});

describe('IAM in the template', () => {
  const allow = () => roleStatements(resources).filter((s) => s.statement.Effect === 'Allow');

  it('has no ec2:* or * action anywhere', () => {
    for (const { role, statement } of roleStatements(resources)) {
      for (const action of asArray(statement.Action)) {
        expect(action, role).not.toBe('*');
        expect(action.endsWith(':*'), `${role}: ${action}`).toBe(false);
      }
    }
  });

  it('grants no mutating EC2 action on Resource "*"', () => {
    for (const { role, statement } of allow()) {
      if (!asArray(statement.Action).some(isMutatingEc2)) continue;
      expect(statement.Resource, `${role} ${statement.Sid}`).not.toBe('*');
      expect(resourcesOf(statement), `${role} ${statement.Sid}`).not.toContain('*');
    }
  });

  it('grants mutating EC2 actions only on exact ARNs, except the VPC attachment that code may not use', () => {
    for (const { role, statement } of allow()) {
      if (!asArray(statement.Action).some(isMutatingEc2)) continue;
      if (statement.Sid === 'LambdaVpcManageEni') {
        const denied = roleStatements(resources)
          .filter((s) => s.role === role && s.statement.Effect === 'Deny')
          .flatMap((s) => asArray(s.statement.Action));
        for (const action of asArray(statement.Action))
          expect(denied, `${role}: ${action}`).toContain(action);
        continue;
      }
      for (const arn of resourcesOf(statement)) expect(arn, `${role} ${statement.Sid}`).not.toMatch(/\*/);
    }
  });

  it('grants actions on Resource "*" only where IAM allows nothing narrower, and only to read', () => {
    for (const { role, statement } of allow()) {
      if (statement.Resource !== '*') continue;
      for (const action of asArray(statement.Action)) {
        expect(action, role).toMatch(/^ec2:Describe/);
      }
    }
  });

  it('limits every item-level table statement with a dynamodb:LeadingKeys condition', () => {
    for (const { role, statement } of allow()) {
      const items = asArray(statement.Action).filter((a) =>
        /^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|Batch\w+|TransactWriteItems)$/.test(a),
      );
      if (items.length === 0) continue;
      expect(items, role).not.toContain('dynamodb:Scan');
      expect(
        statement.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'],
        role,
      ).toBeDefined();
    }
  });

  it('lets the scheduler role invoke exactly the scheduled functions', () => {
    const statements = roleStatements(resources)
      .filter((s) => s.role === 'SchedulerRole')
      .map((s) => s.statement);
    expect(statements.flatMap((s: Statement) => asArray(s.Action))).toEqual(['lambda:InvokeFunction']);
    expect(statements.flatMap(resourcesOf).sort()).toEqual(
      ['arbiter', ...config.vantages.map((v) => proberKey(v.id))]
        .map((k) => `GetAtt:${functionLogicalId(k)}.Arn`)
        .sort(),
    );
  });

  it('knows every mutating EC2 action the code can call', () => {
    expect([...EC2_MUTATING_ACTIONS].sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:AssociateAddress',
      'ec2:DisassociateAddress',
      'ec2:ReplaceRoute',
      'ec2:ReplaceRouteTableAssociation',
      'ec2:StopInstances',
      'ec2:UnassignPrivateIpAddresses',
    ]);
  });
});

describe('Schedules and invocations', () => {
  it('schedules the arbiter and every prober each minute, without retries', () => {
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules.map(([id]) => id).sort()).toEqual(
      ['arbiter', ...config.vantages.map((v) => proberKey(v.id))]
        .map((k) => `${functionLogicalId(k).replace(/LambdaFunction$/, '')}SchedulerSchedule1`)
        .sort(),
    );
    for (const [id, s] of schedules) {
      const target = s.Properties.Target as Record<string, unknown>;
      expect(s.Properties.ScheduleExpression, id).toBe('rate(1 minute)');
      expect(target.RetryPolicy, id).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
      expect(target.RoleArn, id).toEqual({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
      expect(JSON.parse(target.Input as string), id).toEqual({
        source: 'ha-arbiter.schedule',
        time: '<aws.scheduler.scheduled-time>',
      });
    }
  });

  it('turns off async retries and drops events older than 60 s (Slack forwarder excepted)', () => {
    for (const [id, c] of ofType('AWS::Lambda::EventInvokeConfig')) {
      const slack = id.startsWith('NotifyDashslack');
      expect(c.Properties.MaximumRetryAttempts, id).toBe(slack ? 2 : 0);
      expect(c.Properties.MaximumEventAgeInSeconds, id).toBe(slack ? 3600 : 60);
    }
    expect(ofType('AWS::Lambda::EventInvokeConfig')).toHaveLength(functionKeys().length);
  });

  it('feeds the arbiter only verdict rows from the stream, with bounded retries and bisection', () => {
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      FunctionName: { 'Fn::GetAtt': ['ArbiterLambdaFunction', 'Arn'] },
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 60,
    });
    expect(mapping?.Properties.BatchSize).toBeLessThanOrEqual(10);
    const filters =
      (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] } | undefined)?.Filters ?? [];
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      { dynamodb: { Keys: { pk: { S: [{ prefix: 'v#' }] }, sk: { S: [{ prefix: 'n#' }] } } } },
    ]);
  });
});

describe('Placement', () => {
  it('puts every prober in its vantage subnet with its own security group and reserved concurrency 1', () => {
    for (const v of config.vantages) {
      const fn = props(functionLogicalId(proberKey(v.id)));
      expect(fn.VpcConfig).toEqual({
        SubnetIds: [v.subnet],
        SecurityGroupIds: [
          {
            'Fn::GetAtt': [
              `${functionLogicalId(proberKey(v.id)).replace(/LambdaFunction$/, '')}SecurityGroup`,
              'GroupId',
            ],
          },
        ],
      });
      expect(fn.ReservedConcurrentExecutions).toBe(1);
      expect(fn.Timeout).toBe(70);
      expect((fn.Environment as { Variables: Record<string, unknown> }).Variables.VANTAGE_ID).toBe(v.id);
    }
  });

  it('keeps the arbiter outside the VPC', () => {
    expect(props('ArbiterLambdaFunction').VpcConfig).toBeUndefined();
    expect(props('ArbiterLambdaFunction').ReservedConcurrentExecutions).toBeUndefined();
  });

  it("lets probers out only to their nodes' addresses and to DynamoDB", () => {
    for (const [id, sg] of ofType('AWS::EC2::SecurityGroup')) {
      for (const rule of sg.Properties.SecurityGroupEgress as Record<string, unknown>[]) {
        if (rule.CidrIp !== undefined) expect(rule.CidrIp, id).toMatch(/\/32$/);
        else
          expect(rule.DestinationPrefixListId, id).toEqual({
            'Fn::GetAtt': ['DynamoDbPrefixList', 'PrefixListId'],
          });
      }
    }
  });

  it("adds the DynamoDB gateway endpoint to the vantages' route tables", () => {
    const [[, endpoint] = []] = ofType('AWS::EC2::VPCEndpoint');
    expect(endpoint?.Properties).toMatchObject({
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Sub': `com.amazonaws.\${AWS::Region}.dynamodb` },
      RouteTableIds: [...new Set(config.vantages.map((v) => v.routeTable))].sort(),
    });
  });
});

describe('Data and alarms', () => {
  it('has an on-demand table with a stream, TTL on ttl and point-in-time recovery', () => {
    expect(props('Table')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('watches the functions through the free AWS/Lambda metrics by default: a silent arbiter and errors, to the topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    // The arbiter runs every minute: three minutes without an invocation, missing data breaching.
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: 'ha-arbiter-ci-arbiter' }],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        Period: 60,
        TreatMissingData: 'breaching',
      }),
    );
    for (const fn of ['arbiter', 'failover', 'control', 'notify-slack']) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: `ha-arbiter-ci-${fn}` }],
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        }),
      );
    }
    // No heartbeat alarm: the arbiter announces silent vantages itself (shared/usecases/vantage-silence.ts).
    // The two custom-metric alarms watch series sent only when above zero.
    expect(
      alarms
        .filter((a) => a.Namespace !== 'AWS/Lambda')
        .map((a) => a.MetricName)
        .sort(),
    ).toEqual(['FailedFailovers', 'GroupsNotReady']);
    expect(alarms).toHaveLength(7);
    expect(alarmCount(config.vantages.length)).toBe(alarms.length);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
    expect(arnText(props('ArbiterLambdaFunction').FunctionName)).toBe('ha-arbiter-ci-arbiter');
  });

  it('with metrics: detailed, adds a heartbeat alarm per vantage and the failover/reconcile-error alarms', () => {
    const alarms = Object.values(
      alarmResources(config, { service: 'ha-arbiter', stage: 'ci' }, 'detailed'),
    ).map((a) => (a as { Properties: Record<string, unknown> }).Properties);
    for (const v of config.vantages) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'HaArbiter',
          MetricName: 'ProberHeartbeat',
          Dimensions: [
            { Name: 'service', Value: 'ha-arbiter-ci' },
            { Name: 'vantage', Value: v.id },
          ],
          EvaluationPeriods: 3,
          TreatMissingData: 'breaching',
        }),
      );
    }
    // One failed-failover alarm for every group (a stack-wide series): alarms do not grow with groups.
    expect(alarms.filter((a) => a.MetricName === 'FailedFailovers')).toHaveLength(1);
    expect(alarms.filter((a) => a.MetricName === 'ReconcileErrors')).toHaveLength(1);
    expect(alarms).toHaveLength(7 + config.vantages.length + 1);
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: 'GroupsNotReady', EvaluationPeriods: 3, Threshold: 0 }),
    );
    expect(alarmCount(config.vantages.length, 'detailed')).toBe(alarms.length);
  });

  it('gives the probers METRICS_LEVEL, so they publish per-vantage series only when detailed', () => {
    for (const v of config.vantages) {
      const env = props(functionLogicalId(proberKey(v.id))).Environment as {
        Variables: Record<string, unknown>;
      };
      expect(env.Variables).toMatchObject({ VANTAGE_ID: v.id, METRICS_LEVEL: 'basic' });
    }
  });
});
