import { keys } from '../../shared/adapters/dynamo/keys';
import type { ArbiterConfig, GroupConfig } from '../../shared/config/schema';
import { FIXED_FUNCTIONS, proberKey } from '../names';
import { EC2_READ_ACTIONS } from './ec2';

/**
 * What each function's code calls on AWS, written down once, next to the policies that must
 * allow it: test/infra/iam-calls.test.ts simulates every call below against the generated
 * template (each must be allowed) and a list of calls no function makes (each must be denied).
 * A new SDK call in the code belongs here first; a grant no call here needs is a grant too many.
 */

/** What one call touches, in the stack's own terms (the check resolves them to ARNs). */
export type CallResource =
  /** The table; `leadingKeys`: the partition keys the request reads or writes. */
  | { readonly kind: 'table'; readonly leadingKeys: readonly string[] }
  | { readonly kind: 'stream' }
  | { readonly kind: 'topic' }
  | {
      readonly kind: 'ec2';
      readonly type: 'elastic-ip' | 'instance' | 'network-interface' | 'route-table' | 'subnet';
      readonly id: string;
    }
  | { readonly kind: 'ssm-document'; readonly name: string }
  | { readonly kind: 'ssm-parameter'; readonly name: string }
  | { readonly kind: 'kms-key' }
  /** Actions IAM does not scope to resources (Describe calls). */
  | { readonly kind: 'any' };

/** One API call as IAM sees it: every resource must be allowed. */
export interface ExpectedCall {
  readonly action: string;
  readonly resources: readonly CallResource[];
  /** Extra condition keys the service adds (e.g. `kms:ViaService`). */
  readonly context?: Readonly<Record<string, string>>;
  /** Where in the code, in a few words. */
  readonly why: string;
}

/** What the calls depend on besides the config. */
export interface CallOptions {
  /** The SSM parameter of the Slack webhook, when notify-slack posts to Slack. */
  readonly slackWebhookParameter?: string;
  readonly region: string;
}

const table = (...leadingKeys: string[]): CallResource => ({ kind: 'table', leadingKeys });
const ec2 = (type: Extract<CallResource, { kind: 'ec2' }>['type'], id: string): CallResource => ({
  kind: 'ec2',
  type,
  id,
});

/** A vantage's own partition: its verdicts and its heartbeat. */
const vantageRows = (vantage: string): string => keys.vantagePk(vantage);

/** The group read: heartbeats of the group's vantages, then its state with their verdicts. */
function readGroup(group: GroupConfig): ExpectedCall[] {
  const vantages = group.vantages.map(vantageRows);
  return [
    { action: 'dynamodb:BatchGetItem', resources: [table(...vantages)], why: 'readGroup: heartbeats' },
    {
      action: 'dynamodb:BatchGetItem',
      resources: [table(keys.groupPk(group.id), ...vantages)],
      why: 'readGroup: state and verdicts',
    },
  ];
}

/** Lease, state and history writes of a function that moves or changes a group. */
function writeGroup(group: GroupConfig): ExpectedCall[] {
  return [
    { action: 'dynamodb:UpdateItem', resources: [table(keys.groupPk(group.id))], why: 'lease and state' },
    { action: 'dynamodb:PutItem', resources: [table(keys.historyPk(group.id))], why: 'history row' },
  ];
}

/** The EC2 moves (and fence) a group's resources need, on the exact ARNs the code names. */
function moves(group: GroupConfig): ExpectedCall[] {
  const out: ExpectedCall[] = [];
  for (const r of group.resources) {
    for (const n of group.nodes) {
      switch (r.kind) {
        case 'elastic-ip':
          if (n.eni) {
            out.push({
              action: 'ec2:AssociateAddress',
              resources: [ec2('elastic-ip', r.allocationId), ec2('network-interface', n.eni)],
              why: `elastic-ip mover: ${r.allocationId} to ${n.id}`,
            });
          }
          break;
        case 'secondary-ip':
          if (n.eni) {
            out.push({
              action: 'ec2:AssignPrivateIpAddresses',
              resources: [ec2('network-interface', n.eni)],
              why: `secondary-ip mover: ${r.ip} to ${n.id}`,
            });
          }
          break;
        case 'route':
          for (const t of r.routeTables) {
            out.push({
              action: 'ec2:ReplaceRoute',
              resources: [ec2('route-table', t)],
              why: `route mover: ${r.destination} in ${t} to ${n.id}`,
            });
          }
          break;
        case 'route-table-association':
          for (const s of r.subnets) {
            if (!n.routeTable) continue;
            out.push({
              action: 'ec2:ReplaceRouteTableAssociation',
              resources: [ec2('route-table', n.routeTable), ec2('subnet', s)],
              why: `association mover: ${s} to ${n.routeTable}`,
            });
          }
          break;
      }
    }
  }
  if (group.policy.fence === 'stop') {
    for (const n of group.nodes) {
      out.push({
        action: 'ec2:StopInstances',
        resources: [ec2('instance', n.instanceId)],
        why: 'fence: stop',
      });
    }
  }
  const hook = (group as { osHook?: { document?: string } }).osHook;
  if (hook) {
    for (const n of group.nodes) {
      out.push({
        action: 'ssm:SendCommand',
        resources: [
          { kind: 'ssm-document', name: hook.document ?? 'AWS-RunShellScript' },
          ec2('instance', n.instanceId),
        ],
        why: `OS hook on ${n.id}`,
      });
    }
  }
  return out;
}

const describes: ExpectedCall[] = EC2_READ_ACTIONS.map((action) => ({
  action,
  resources: [{ kind: 'any' } as const],
  why: 'observe holders and instance state',
}));

/**
 * Every call each function's code makes, by function key (`probe-<vantage>` for probers).
 * Logging (CloudWatch Logs) is left out: Lambda writes the logs with the role, not the code.
 */
export function expectedCalls(config: ArbiterConfig, options: CallOptions): Record<string, ExpectedCall[]> {
  const groups = config.groups;
  const each = (f: (g: GroupConfig) => ExpectedCall[]) => groups.flatMap(f);
  const history = each((g) => [
    { action: 'dynamodb:Query', resources: [table(keys.historyPk(g.id))], why: 'last events' },
  ]);
  const publish: ExpectedCall = { action: 'sns:Publish', resources: [{ kind: 'topic' }], why: 'alerts' };
  const calls: Record<string, ExpectedCall[]> = {
    arbiter: [
      ...each(readGroup),
      ...each(writeGroup),
      ...['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => ({
        action,
        resources: [{ kind: 'stream' } as const],
        why: 'stream trigger (the event source mapping reads with the role)',
      })),
      publish,
      ...describes,
      ...each(moves),
    ],
    failover: [...each(readGroup), ...each(writeGroup), publish, ...describes, ...each(moves)],
    // A rehearsed failover and back through the manual path; its DryRuns (readiness) are
    // authorized as the real moves are.
    drill: [...each(readGroup), ...each(writeGroup), ...history, publish, ...describes, ...each(moves)],
    control: [...each(readGroup), ...each(writeGroup), ...history, publish, ...describes, ...each(moves)],
    status: [...each(readGroup), ...history, ...describes],
    // Preflight sends only DryRun calls, which IAM authorizes exactly like the real ones.
    preflight: [...describes, ...each(moves).filter((c) => c.action.startsWith('ec2:'))],
    'notify-slack': options.slackWebhookParameter
      ? [
          {
            action: 'ssm:GetParameter',
            resources: [{ kind: 'ssm-parameter', name: options.slackWebhookParameter }],
            why: 'the Slack webhook URL',
          },
          {
            action: 'kms:Decrypt',
            resources: [{ kind: 'kms-key' }],
            context: { 'kms:ViaService': `ssm.${options.region}.amazonaws.com` },
            why: 'SSM decrypts the SecureString for the caller',
          },
        ]
      : [],
  };
  for (const v of config.vantages) {
    const probes = groups.some((g) => g.vantages.includes(v.id));
    calls[proberKey(v.id)] = probes
      ? [
          { action: 'dynamodb:Query', resources: [table(vantageRows(v.id))], why: 'loadVerdicts' },
          {
            action: 'dynamodb:PutItem',
            resources: [table(vantageRows(v.id))],
            why: 'verdicts and heartbeat',
          },
        ]
      : [];
  }
  return calls;
}

/** The function keys the table covers: every fixed function and one prober per vantage. */
export function callerKeys(config: ArbiterConfig): string[] {
  return [...FIXED_FUNCTIONS, ...config.vantages.map((v) => proberKey(v.id))];
}
