import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { AuditIds } from '../../infra/audit';
import { PARAM_NAMES } from '../../infra/params';
import { MAX_INLINE_CODE_CHARS, PREFIX_LIST_LOOKUP_SOURCE } from '../../infra/prefix-list';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/domain/errors';
import { arnText, grants, resourcesOf, statementsOf } from './helpers/iam';
import { SERVICE_DIR } from './helpers/osls';
import { build, deployableConfig } from './helpers/stack';

const sub = (resource: string) => `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${resource}`;

/** The partition keys a table statement is limited to. */
function leadingKeys(statement: { Condition?: Record<string, Record<string, unknown>> }): string[] {
  return (
    (statement.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'] as string[] | undefined) ??
    []
  );
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Probers', () => {
  it('runs one prober per vantage in its subnet, with reserved concurrency 1 and a 70 s timeout', () => {
    const { functions } = build(deployableConfig());
    const probers = Object.keys(functions).filter((k) => k.startsWith('probe-'));
    expect(probers).toEqual(['probe-az-a', 'probe-az-c']);
    expect(functions['probe-az-a']).toMatchObject({
      handler: 'functions/probe.handler',
      environment: { VANTAGE_ID: 'az-a' },
      reservedConcurrency: 1,
      timeout: 70,
      maximumRetryAttempts: 0,
      maximumEventAge: 60,
      vpc: { subnetIds: ['subnet-0a'] },
    });
  });

  it('gives each prober a security group with egress only to its nodes (/32, probe port) and DynamoDB', () => {
    const { Resources } = build(deployableConfig()).resources;
    const egress = (id: string) =>
      ((Resources[id]?.Properties?.SecurityGroupEgress ?? []) as Record<string, unknown>[]).map((r) =>
        r.CidrIp ? `${r.CidrIp}:${r.FromPort}` : `prefix-list:${r.FromPort}`,
      );
    expect(egress('ProbeDashazDashaSecurityGroup')).toEqual([
      '10.0.0.5/32:22',
      '10.0.1.10/32:80',
      '10.0.1.20/32:3306',
      '10.0.1.21/32:3307',
      '10.0.2.5/32:22',
      '10.0.3.10/32:80',
      'prefix-list:443',
    ]);
    // az-c does not probe the vip group.
    expect(egress('ProbeDashazDashcSecurityGroup')).not.toContain('10.0.1.20/32:3306');
  });

  it('opens 0.0.0.0/0 only on the port of egress-probe targets named by hostname or URL', () => {
    const config = deployableConfig();
    config.groups[2] = {
      ...config.groups[2],
      check: {
        type: 'egress',
        targets: [{ host: '198.51.100.7', port: 443 }, { url: 'https://example.com/health' }],
        from: ['az-c'],
        direct: { type: 'tcp', port: 22 },
      },
    };
    const { Resources } = build(config).resources;
    const rules = (id: string) => Resources[id]?.Properties?.SecurityGroupEgress as Record<string, unknown>[];
    expect(rules('ProbeDashazDashcSecurityGroup')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ CidrIp: '198.51.100.7/32', FromPort: 443 }),
        expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      ]),
    );
    expect(rules('ProbeDashazDashaSecurityGroup').some((r) => r.CidrIp === '0.0.0.0/0')).toBe(false);
  });

  it("limits each prober's table access to its own vantage partition: no group state, no other vantage", () => {
    const { Resources } = build(deployableConfig()).resources;
    for (const [role, vantage] of [
      ['ProbeDashazDashaRole', 'az-a'],
      ['ProbeDashazDashcRole', 'az-c'],
    ] as const) {
      const statements = statementsOf(Resources, role);
      const table = statements.filter((st) => (st.Action as string[]).some((a) => a.startsWith('dynamodb:')));
      expect(table, role).toHaveLength(1);
      expect(table[0]?.Sid).toBe('OwnVantageRows');
      expect(table[0]?.Action).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
      expect(table[0]?.Condition).toEqual({
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`v#${vantage}`] },
      });
    }
  });

  it('lets Lambda manage the VPC network interfaces but denies those actions to the function code', () => {
    const { Resources } = build(deployableConfig()).resources;
    const statements = statementsOf(Resources, 'ProbeDashazDashaRole');
    const [create] = grants(statements, 'ec2:CreateNetworkInterface');
    expect(resourcesOf(create as never)).toEqual([
      sub('network-interface/*'),
      sub('subnet/subnet-0a'),
      sub(`security-group/\${ProbeDashazDashaSecurityGroup.GroupId}`),
    ]);
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.flatMap((s) => s.Action)).toEqual(
      expect.arrayContaining([
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ]),
    );
    for (const d of denies) {
      expect(arnText(d.Condition?.ArnEquals?.['lambda:SourceFunctionArn'])).toContain(
        ':function:ha-arbiter-ci-probe-az-a',
      );
    }
  });
});

describe('Arbiter side IAM', () => {
  it('grants each mutating EC2 action only on the ARNs named in the config', () => {
    const statements = statementsOf(build(deployableConfig()).resources.Resources, 'ArbiterRole');
    const on = (action: string) => grants(statements, action).flatMap(resourcesOf).sort();
    expect(on('ec2:AssociateAddress')).toEqual(
      [
        'elastic-ip/eipalloc-0e1',
        'instance/i-0a1',
        'instance/i-0a2',
        'network-interface/eni-0a1',
        'network-interface/eni-0a2',
      ].map(sub),
    );
    expect(on('ec2:AssignPrivateIpAddresses')).toEqual(
      ['network-interface/eni-0b1', 'network-interface/eni-0b2'].map(sub),
    );
    expect(on('ec2:ReplaceRoute')).toEqual(['route-table/rtb-0f1', 'route-table/rtb-0f2'].map(sub));
    expect(on('ec2:ReplaceRouteTableAssociation')).toEqual(
      ['route-table/rtb-0e1', 'route-table/rtb-0e2', 'subnet/subnet-0d1'].map(sub),
    );
    expect(on('ec2:StopInstances')).toEqual(['instance/i-0b1', 'instance/i-0b2'].map(sub));
  });

  it('grants no StopInstances when no group fences with stop', () => {
    const config = deployableConfig();
    config.groups[1] = { ...config.groups[1], policy: { quorum: 1 } };
    const statements = statementsOf(build(config).resources.Resources, 'ArbiterRole');
    expect(grants(statements, 'ec2:StopInstances')).toEqual([]);
  });

  it('limits table access to the groups of the config, state and history partitions', () => {
    const statements = statementsOf(build(deployableConfig()).resources.Resources, 'ArbiterRole');
    const [table] = grants(statements, 'dynamodb:UpdateItem');
    expect(table?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys']).toEqual([
      'g#nat',
      'g#vip',
      'g#web-lb',
      'h#nat',
      'h#vip',
      'h#web-lb',
    ]);
  });

  it("lets the arbiter side read the groups' state and their vantages' rows in one statement, and never write a vantage's rows", () => {
    const { Resources } = build(deployableConfig()).resources;
    for (const role of ['ArbiterRole', 'FailoverRole', 'StatusRole', 'ControlRole']) {
      const statements = statementsOf(Resources, role);
      const [read] = grants(statements, 'dynamodb:BatchGetItem');
      expect(read?.Action, role).toEqual(['dynamodb:BatchGetItem']);
      // One statement for both kinds of partition: a BatchGetItem of the state item with the
      // verdict rows names both, and ForAllValues needs every key in one statement's list.
      expect(read?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'], role).toEqual([
        'g#nat',
        'g#vip',
        'g#web-lb',
        'v#az-a',
        'v#az-c',
      ]);
      const writes = statements.filter((st) =>
        (st.Action as string[]).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
      );
      for (const w of writes) {
        expect(
          leadingKeys(w).filter((k) => k.startsWith('v#')),
          role,
        ).toEqual([]);
      }
    }
  });

  it('gives status read-only access, and control the EC2 moves it needs to leave a banned holder', () => {
    const { Resources } = build(deployableConfig()).resources;
    const status = statementsOf(Resources, 'StatusRole');
    const writes = /^(dynamodb:(Put|Update|Delete)|ec2:(Associate|Assign|Replace|Stop)|sns:Publish)/;
    expect(
      status
        .filter((s) => s.Effect === 'Allow' && s.Sid !== 'LambdaVpcManageEni')
        .flatMap((s) => s.Action)
        .filter((a) => writes.test(a)),
    ).toEqual([]);
    const control = statementsOf(Resources, 'ControlRole');
    const failover = statementsOf(Resources, 'FailoverRole');
    const ec2Of = (statements: typeof control) =>
      statements
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith('ec2:'))
        .sort();
    expect(ec2Of(control)).toEqual(ec2Of(failover));
    expect(ec2Of(control)).toContain('ec2:AssociateAddress');
    expect(grants(control, 'sns:Publish')).toHaveLength(1);
  });

  it('grants ssm:SendCommand for an OS hook only with its document on the group instances', () => {
    const config = deployableConfig();
    config.groups[1] = { ...config.groups[1], osHook: { configure: 'ip addr add {ip}/24 dev eth0' } };
    const statements = statementsOf(build(config).resources.Resources, 'ArbiterRole');
    expect(grants(statements, 'ssm:SendCommand').flatMap(resourcesOf).sort()).toEqual([
      sub('instance/i-0b1'),
      sub('instance/i-0b2'),
      `arn:\${AWS::Partition}:ssm:\${AWS::Region}::document/AWS-RunShellScript`,
    ]);
  });

  it('keeps the arbiter side out of the VPC by default', () => {
    const stack = build(deployableConfig());
    expect(stack.functions.arbiter?.vpc).toBeUndefined();
    expect(Object.keys(stack.resources.Resources).filter((k) => k.includes('InterfaceEndpoint'))).toEqual([]);
  });

  it('puts the arbiter side in the VPC with EC2 and SNS interface endpoints when asked', () => {
    const stack = build(deployableConfig(), { arbiterInVpc: 'true' });
    const { Resources } = stack.resources;
    expect(stack.functions.arbiter?.vpc).toMatchObject({ subnetIds: ['subnet-0a', 'subnet-0c'] });
    expect(stack.functions['notify-slack']?.vpc).toBeUndefined();
    expect(Resources.Ec2InterfaceEndpoint?.Properties).toMatchObject({
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: ['subnet-0a', 'subnet-0c'],
    });
    expect(Resources.SnsInterfaceEndpoint).toBeDefined();
    // The arbiter's own code may still assign IPs on the configured ENIs, and on nothing else.
    const deny = statementsOf(Resources, 'ArbiterRole').find(
      (s) => s.Sid === 'DenyIpAssignmentToCodeOutsideConfig',
    );
    expect(((deny?.NotResource ?? []) as unknown[]).map(arnText)).toEqual(
      ['network-interface/eni-0b1', 'network-interface/eni-0b2'].map(sub),
    );
  });
});

describe('Network and data', () => {
  it("adds the DynamoDB gateway endpoint to the vantages' route tables, or uses a named one", () => {
    const created = build(deployableConfig()).resources.Resources.DynamoDbGatewayEndpoint;
    expect(created?.Properties).toMatchObject({
      VpcEndpointType: 'Gateway',
      RouteTableIds: ['rtb-0a', 'rtb-0c'],
    });
    const config = deployableConfig();
    delete config.vantages[0]?.routeTable;
    const existing = build(config, { dynamodbEndpoint: 'vpce-0123abcd' }).resources.Resources;
    expect(existing.DynamoDbGatewayEndpoint).toBeUndefined();
  });

  it('uses a given DynamoDB prefix list instead of looking it up at deploy time', () => {
    const { Resources } = build(deployableConfig(), { dynamodbPrefixList: 'pl-02cd2c6b' }).resources;
    expect(Resources.DynamoDbPrefixList).toBeUndefined();
    const rules = Resources.ProbeDashazDashaSecurityGroup?.Properties?.SecurityGroupEgress as Record<
      string,
      unknown
    >[];
    expect(rules.at(-1)).toMatchObject({ DestinationPrefixListId: 'pl-02cd2c6b', FromPort: 443 });
  });

  it('keeps the inline prefix list lookup under the 4,096 characters CloudFormation allows', () => {
    expect(readFileSync(PREFIX_LIST_LOOKUP_SOURCE, 'utf8').length).toBeLessThan(MAX_INLINE_CODE_CHARS);
  });

  it('subscribes the email and the Slack forwarder only when their parameters are set', () => {
    const bare = build(deployableConfig());
    expect(bare.resources.Resources.AlertEmailSubscription).toBeUndefined();
    expect(bare.functions['notify-slack']?.events).toBeUndefined();

    const full = build(deployableConfig(), {
      alertEmail: 'ops@example.com',
      slackWebhookParameter: '/ha-arbiter/slack-webhook',
    });
    expect(full.resources.Resources.AlertEmailSubscription?.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(full.functions['notify-slack']?.events).toEqual([
      { sns: { arn: { Ref: 'AlertTopic' }, topicName: 'alerts' } },
    ]);
    const statements = statementsOf(full.resources.Resources, 'NotifyDashslackRole');
    expect(grants(statements, 'ssm:GetParameter').flatMap(resourcesOf)).toEqual([
      `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/ha-arbiter/slack-webhook`,
    ]);
    expect(grants(statements, 'kms:Decrypt')[0]?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': `ssm.\${AWS::Region}.amazonaws.com` } },
    });
  });

  it('ends the arbiter before its lease can expire', () => {
    const config = deployableConfig();
    config.arbiter = { leaseSeconds: 40 };
    expect(build(config).functions.arbiter?.timeout).toBe(30);
    expect(build(deployableConfig()).functions.arbiter?.timeout).toBe(50);
  });

  it('ends every function that holds a lease (arbiter, failover, control) before the lease can expire', () => {
    const config = deployableConfig();
    config.arbiter = { leaseSeconds: 40 };
    const { functions } = build(config);
    expect([functions.arbiter?.timeout, functions.failover?.timeout, functions.control?.timeout]).toEqual([
      30, 30, 30,
    ]);
  });
});

describe('Validation at package time', () => {
  it('has a default in serverless.yml for every deploy parameter', () => {
    const doc = parseDocument(readFileSync(join(SERVICE_DIR, 'serverless.yml'), 'utf8'), {
      logLevel: 'silent',
    });
    const defaults = (doc.toJS() as { params: { default: Record<string, unknown> } }).params.default;
    expect(Object.keys(defaults).sort()).toEqual([...PARAM_NAMES].sort());
  });

  it('fails with the same ConfigError text as the runtime loader', () => {
    const text = 'version: 1\nvantages: []\ngroups: []\n';
    const runtime = errorOf(() => parseConfig(text, 'arbiter.yml'));
    expect(errorOf(() => build(text)).message).toBe(runtime.message);
  });

  it('names what AWS needs beyond the schema', () => {
    const config = deployableConfig();
    delete (config as { vpc?: string }).vpc;
    delete config.vantages[1]?.routeTable;
    (config.groups[0] as { nodes: { address: string }[] }).nodes[1]!.address = 'lb-2.internal';
    config.arbiter = { leaseSeconds: 20 };
    const error = errorOf(() => build(config));
    expect(error.message).toMatch(/^arbiter\.yml is invalid:/);
    expect(error.issues).toEqual([
      expect.stringMatching(/^vpc = missing: /),
      expect.stringMatching(/^vantages\[1\]\.routeTable = missing: .*dynamodbEndpoint/),
      expect.stringMatching(/^groups\[0\]\.nodes\[1\]\.address = "lb-2\.internal": must be an IPv4 address/),
      expect.stringMatching(/^arbiter\.leaseSeconds = 20: must be at least 25/),
    ]);
  });

  it('refuses names longer than Lambda allows', () => {
    const config = deployableConfig();
    config.vantages[0]!.id = 'a-very-long-vantage-identifier-in-eu-central-1';
    config.groups[1] = { ...config.groups[1], vantages: [config.vantages[0]!.id] };
    expect(errorOf(() => build(config, {}, 'production')).issues).toEqual([
      expect.stringMatching(/^vantages\[0\]\.id = .*Lambda allows 64/),
    ]);
  });

  it('rejects bad deploy parameters by name', () => {
    const error = errorOf(() =>
      build(deployableConfig(), {
        arbiterInVpc: 'yes',
        alertEmail: 'ops',
        slackWebhookParameter: 'https://hooks.slack.com/services/T0/B0/x',
        proberMemory: '64',
        config: '../elsewhere.yml',
      }),
    );
    expect(error.message).toMatch(/^deploy parameters is invalid:/);
    expect(error.issues.map((i) => i.split(' = ')[0])).toEqual([
      '--param config',
      '--param alertEmail',
      '--param slackWebhookParameter',
      '--param arbiterInVpc',
      '--param proberMemory',
    ]);
  });
});

describe('Audit trail (auditTrailDays)', () => {
  it('adds nothing without the parameter', () => {
    const { Resources } = build(deployableConfig()).resources;
    const types = Object.values(Resources).map((r) => r.Type);
    expect(types).not.toContain('AWS::CloudTrail::Trail');
    expect(types).not.toContain('AWS::S3::Bucket');
  });

  it('records the data events of the failover and control invokes only, in a trail of its own', () => {
    const { Resources } = build(deployableConfig(), { auditTrailDays: '90' }).resources;
    const trail = Resources[AuditIds.trail];
    expect(trail?.Type).toBe('AWS::CloudTrail::Trail');
    expect(trail?.DependsOn).toEqual([AuditIds.bucketPolicy]);
    expect(trail?.Properties).toMatchObject({
      TrailName: 'ha-arbiter-ci-audit',
      S3BucketName: { Ref: AuditIds.bucket },
      IsLogging: true,
      EnableLogFileValidation: true,
    });
    const selectors = trail?.Properties?.AdvancedEventSelectors as {
      FieldSelectors: { Field: string; Equals: unknown[] }[];
    }[];
    expect(selectors).toHaveLength(1);
    const fields = Object.fromEntries(selectors[0]!.FieldSelectors.map((f) => [f.Field, f.Equals]));
    expect(fields.eventCategory).toEqual(['Data']);
    expect(fields['resources.type']).toEqual(['AWS::Lambda::Function']);
    expect((fields['resources.ARN'] ?? []).map(arnText)).toEqual([
      `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:ha-arbiter-ci-failover`,
      `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:ha-arbiter-ci-control`,
    ]);
  });

  it('writes into a private bucket that forgets the records after the given days', () => {
    const { Resources } = build(deployableConfig(), { auditTrailDays: '90' }).resources;
    const bucket = Resources[AuditIds.bucket];
    expect(bucket?.Type).toBe('AWS::S3::Bucket');
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 90 }] },
    });
  });

  it('lets CloudTrail, for this trail only, check the bucket ACL and write its log files', () => {
    const { Resources } = build(deployableConfig(), { auditTrailDays: '30' }).resources;
    const policy = Resources[AuditIds.bucketPolicy]?.Properties?.PolicyDocument as {
      Statement: {
        Sid: string;
        Effect: string;
        Principal: unknown;
        Action: string;
        Resource: unknown;
        Condition: Record<string, Record<string, unknown>>;
      }[];
    };
    const trailArn = `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/ha-arbiter-ci-audit`;
    const [acl, write] = policy.Statement;
    expect(acl).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
    });
    expect(arnText(acl?.Condition.StringEquals?.['aws:SourceArn'])).toBe(trailArn);
    expect(write).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(arnText(write?.Resource)).toBe(`\${AuditTrailBucket.Arn}/AWSLogs/\${AWS::AccountId}/*`);
    expect(write?.Condition.StringEquals?.['s3:x-amz-acl']).toBe('bucket-owner-full-control');
    expect(arnText(write?.Condition.StringEquals?.['aws:SourceArn'])).toBe(trailArn);
  });

  it('refuses a retention that is not a whole number of days, naming the parameter', () => {
    expect(errorOf(() => build(deployableConfig(), { auditTrailDays: 'forever' })).message).toContain(
      '--param auditTrailDays = "forever": must be a whole number of days from 1 to 3650',
    );
  });
});
