import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../infra/build';
import { type CallResource, callerKeys, type ExpectedCall, expectedCalls } from '../../infra/iam/calls';
import { roleLogicalId } from '../../infra/names';
import {
  Authorizer,
  type Principal,
  resolveIntrinsics,
  type StackNames,
  streamArn,
  tableArn,
} from '../../local/cloud/auth/index';
import { keys } from '../../shared/adapters/dynamo/keys';
import { statementsOf } from './helpers/iam';
import { SERVICE_DIR } from './helpers/osls';
import { build, deployableConfig } from './helpers/stack';

/**
 * The generated roles, simulated with AWS's authorization data (iam-simulate): every call the
 * code makes (infra/iam/calls.ts) must be allowed, and calls no function should ever make must
 * be denied. A missing grant or an over-broad one fails here, not in production.
 */
const NAMES: StackNames = {
  region: 'us-east-1',
  accountId: '123456789012',
  tableName: 'ha-arbiter-ci-Table-1A2B3C',
  topicArn: 'arn:aws:sns:us-east-1:123456789012:ha-arbiter-ci-AlertTopic-1A2B3C',
  service: 'ha-arbiter',
  stage: 'ci',
};
const SLACK = '/ha-arbiter/slack-webhook';

function arnOf(resource: CallResource): string {
  const { region, accountId } = NAMES;
  switch (resource.kind) {
    case 'table':
      return tableArn(NAMES);
    case 'stream':
      return streamArn(NAMES);
    case 'topic':
      return NAMES.topicArn;
    case 'ec2':
      return `arn:aws:ec2:${region}:${accountId}:${resource.type}/${resource.id}`;
    case 'ssm-document':
      return resource.name.startsWith('AWS-')
        ? `arn:aws:ssm:${region}::document/${resource.name}`
        : `arn:aws:ssm:${region}:${accountId}:document/${resource.name}`;
    case 'ssm-parameter':
      return `arn:aws:ssm:${region}:${accountId}:parameter/${resource.name.replace(/^\//, '')}`;
    case 'kms-key':
      return `arn:aws:kms:${region}:${accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    case 'any':
      return '*';
  }
}

/**
 * The key policy of the AWS managed key `aws/ssm`, which decrypts SecureString parameters: any
 * principal of the account, through SSM only. KMS needs a key policy to allow, too.
 */
const SSM_MANAGED_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': NAMES.accountId,
          'kms:ViaService': `ssm.${NAMES.region}.amazonaws.com`,
        },
      },
    },
  ],
};

const authorizer = new Authorizer({ accountId: NAMES.accountId, region: NAMES.region, enabled: true });

/** Every resource of the call checked on its own, as IAM does; the first refusal, or undefined. */
async function refusal(principal: Principal, call: ExpectedCall): Promise<string | undefined> {
  for (const resource of call.resources) {
    const context: Record<string, string | string[]> = { ...call.context };
    if (call.action.startsWith('ec2:')) context['ec2:Region'] = NAMES.region;
    if (resource.kind === 'table' && resource.leadingKeys.length > 0) {
      context['dynamodb:LeadingKeys'] = [...resource.leadingKeys];
    }
    if (resource.kind === 'kms-key') context['kms:CallerAccount'] = NAMES.accountId;
    const denial = await authorizer.check({
      principal,
      action: call.action,
      resources: [arnOf(resource)],
      context,
      ...(resource.kind === 'kms-key' ? { resourcePolicy: SSM_MANAGED_KEY_POLICY } : {}),
    });
    if (denial) return `${call.action} (${call.why}): ${denial.message}`;
  }
  return undefined;
}

function principalsOf(stack: Stack): Map<string, Principal> {
  const out = new Map<string, Principal>();
  for (const key of callerKeys(stack.config)) {
    const statements = statementsOf(stack.resources.Resources, roleLogicalId(key));
    out.set(key, {
      name: key,
      arn: `arn:aws:sts::${NAMES.accountId}:assumed-role/${key}-role/ha-arbiter-ci-${key}`,
      // Calls made by the function's code carry it (Lambda's own ENI calls do not).
      functionArn: `arn:aws:lambda:${NAMES.region}:${NAMES.accountId}:function:ha-arbiter-ci-${key}`,
      // The template's own statements, intrinsics resolved as CloudFormation would.
      policies: [
        {
          Version: '2012-10-17',
          Statement: resolveIntrinsics(statements, NAMES) as Record<string, unknown>[],
        },
      ],
    });
  }
  return out;
}

/** Mutating EC2 calls on resources no config names. */
const FOREIGN_EC2: ExpectedCall[] = [
  {
    action: 'ec2:AssociateAddress',
    resources: [
      { kind: 'ec2', type: 'elastic-ip', id: 'eipalloc-0fffffffffffffff0' },
      { kind: 'ec2', type: 'network-interface', id: 'eni-0fffffffffffffff0' },
    ],
    why: 'an Elastic IP of another workload',
  },
  {
    action: 'ec2:AssignPrivateIpAddresses',
    resources: [{ kind: 'ec2', type: 'network-interface', id: 'eni-0fffffffffffffff0' }],
    why: 'an ENI of another workload',
  },
  {
    action: 'ec2:ReplaceRoute',
    resources: [{ kind: 'ec2', type: 'route-table', id: 'rtb-0fffffffffffffff0' }],
    why: 'a route table of another workload',
  },
  {
    action: 'ec2:ReplaceRouteTableAssociation',
    resources: [
      { kind: 'ec2', type: 'route-table', id: 'rtb-0fffffffffffffff0' },
      { kind: 'ec2', type: 'subnet', id: 'subnet-0fffffffffffffff0' },
    ],
    why: 'a subnet of another workload',
  },
  {
    action: 'ec2:StopInstances',
    resources: [{ kind: 'ec2', type: 'instance', id: 'i-0fffffffffffffff0' }],
    why: 'an instance of another workload',
  },
];

const table = (...leadingKeys: string[]): CallResource => ({ kind: 'table', leadingKeys });

/** Calls each prober must never be allowed: the lease/state row, history, other vantages' rows. */
function forbiddenForProber(stack: Stack, vantage: string): ExpectedCall[] {
  const others = stack.config.vantages.filter((v) => v.id !== vantage).map((v) => v.id);
  return [
    ...stack.config.groups.flatMap((g) => [
      { action: 'dynamodb:PutItem', resources: [table(keys.groupPk(g.id))], why: `${g.id}'s state row` },
      { action: 'dynamodb:UpdateItem', resources: [table(keys.groupPk(g.id))], why: `${g.id}'s lease` },
      { action: 'dynamodb:PutItem', resources: [table(keys.historyPk(g.id))], why: `${g.id}'s history` },
    ]),
    ...others.flatMap((other) => [
      {
        action: 'dynamodb:PutItem',
        resources: [table(keys.vantagePk(other))],
        why: `vantage ${other}'s rows`,
      },
      {
        action: 'dynamodb:PutItem',
        resources: [table(keys.vantagePk(vantage), keys.vantagePk(other))],
        why: `its own rows and ${other}'s in one request`,
      },
    ]),
    { action: 'dynamodb:Scan', resources: [table()], why: 'the whole table' },
    { action: 'sns:Publish', resources: [{ kind: 'topic' }], why: 'alerts' },
  ];
}

/** Status only reads: no table write, no publish, no EC2 change on the config's own resources. */
function forbiddenForStatus(stack: Stack): ExpectedCall[] {
  const full = expectedCalls(stack.config, { region: NAMES.region });
  return [
    ...stack.config.groups.flatMap((g) =>
      ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'].flatMap(
        (action) =>
          [keys.groupPk(g.id), keys.historyPk(g.id)].map((pk) => ({
            action,
            resources: [table(pk)],
            why: pk,
          })),
      ),
    ),
    { action: 'sns:Publish', resources: [{ kind: 'topic' }], why: 'alerts' },
    ...(full.failover ?? []).filter(
      (c) => c.action.startsWith('ec2:') && !c.action.startsWith('ec2:Describe'),
    ),
  ];
}

const cases: Array<{ name: string; stack: () => Stack }> = [
  {
    name: "the repository's arbiter.yml",
    stack: () =>
      build(readFileSync(join(SERVICE_DIR, 'arbiter.yml'), 'utf8'), { slackWebhookParameter: SLACK }),
  },
  {
    name: 'a config with every resource kind, a fence and an OS hook',
    stack: () => {
      const config = deployableConfig();
      const vip = config.groups[1] as Record<string, unknown>;
      // A document of the account's own: iam-data's SSM document ARN pattern has an account,
      // so an AWS-owned document (`arn:aws:ssm:<region>::document/AWS-...`) cannot be simulated.
      vip.osHook = { document: 'ha-arbiter-move-ip' };
      return build(config, { slackWebhookParameter: SLACK });
    },
  },
];

describe.each(cases)('Generated IAM, simulated: $name', ({ stack: makeStack }) => {
  let stack: Stack;
  let principals: Map<string, Principal>;
  beforeAll(() => {
    stack = makeStack();
    principals = principalsOf(stack);
  });
  const principal = (key: string) => principals.get(key) as Principal;

  it('allows every call each function makes', async () => {
    const calls = expectedCalls(stack.config, { region: NAMES.region, slackWebhookParameter: SLACK });
    const refused: string[] = [];
    for (const key of callerKeys(stack.config)) {
      expect(calls[key], key).toBeDefined();
      for (const call of calls[key] ?? []) {
        const why = await refusal(principal(key), call);
        if (why) refused.push(`${key}: ${why}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it("denies a prober the group's state row, history and other vantages' rows", async () => {
    const allowed: string[] = [];
    for (const v of stack.config.vantages) {
      for (const call of forbiddenForProber(stack, v.id)) {
        if (!(await refusal(principal(`probe-${v.id}`), call)))
          allowed.push(`probe-${v.id}: ${call.action} on ${call.why}`);
      }
    }
    expect(allowed).toEqual([]);
  });

  it('denies status every write', async () => {
    const allowed: string[] = [];
    for (const call of forbiddenForStatus(stack)) {
      if (!(await refusal(principal('status'), call))) allowed.push(`${call.action} (${call.why})`);
    }
    expect(allowed).toEqual([]);
  });

  it('denies every function a mutating EC2 call on a resource the config does not name', async () => {
    const allowed: string[] = [];
    for (const key of callerKeys(stack.config)) {
      for (const call of FOREIGN_EC2) {
        if (!(await refusal(principal(key), call))) allowed.push(`${key}: ${call.action} on ${call.why}`);
      }
    }
    expect(allowed).toEqual([]);
  });
});
