import { keys } from '../../shared/adapters/dynamo/keys';
import type { ArbiterConfig } from '../../shared/config/schema';
import { arn, type CfnValue, type IamStatement } from '../cfn';
import { type FixedFunction, functionName, Ids, proberKey, securityGroupLogicalId } from '../names';
import type { StackParams } from '../params';
import { ec2MutationStatements, secondaryIpEnis } from './ec2';
import {
  ec2Read,
  publishAlerts,
  readParameter,
  streamRead,
  TableActions,
  tableAccess,
  vpcAttachment,
  writeLogs,
} from './statements';

/** What every policy is generated from. */
export interface PolicyInput {
  config: ArbiterConfig;
  params: StackParams;
  service: string;
  stage: string;
}

/** Functions that run in the VPC when `arbiterInVpc` is set (notify-slack needs the internet). */
export const ARBITER_SIDE_IN_VPC: readonly FixedFunction[] = [
  'arbiter',
  'failover',
  'status',
  'control',
  'preflight',
  'drill',
];

/** Every statement of every function's role, keyed by function key. */
export function functionPolicies(input: PolicyInput): Record<string, IamStatement[]> {
  const { config } = input;
  const allPartitions = config.groups.flatMap((g) => [keys.groupPk(g.id), keys.historyPk(g.id)]);
  // A group read (readGroup) is two BatchGetItems: the heartbeats of the group's vantages, then
  // the group's state item with its vantages' verdict rows. One statement holds both kinds of
  // partition, so a request that mixes them is allowed under ForAllValues; it only reads.
  const groupRows = [
    ...config.groups.map((g) => keys.groupPk(g.id)),
    ...new Set(config.groups.flatMap((g) => g.vantages).map(keys.vantagePk)),
  ];
  const readGroupRows = (): IamStatement => tableAccess('ReadGroupRows', TableActions.groupRead, groupRows);
  const mutations = ec2MutationStatements(config);
  const vpc = (key: FixedFunction): IamStatement[] =>
    input.params.arbiterInVpc && ARBITER_SIDE_IN_VPC.includes(key)
      ? vpcAttachment({
          functionArn: lambdaArn(input, key),
          subnets: vantageSubnets(config),
          securityGroupIds: [Ids.arbiterSecurityGroup],
          // The functions holding the EC2 mutations keep them on the configured ENIs.
          ownEnis: ['arbiter', 'failover', 'control', 'preflight', 'drill'].includes(key)
            ? secondaryIpEnis(config)
            : [],
        })
      : [];

  /** A function that moves addresses on an operator's request (failover, drill, control). */
  const mover = (key: FixedFunction): IamStatement[] => [
    writeLogs(key),
    tableAccess('ReadWriteGroupState', TableActions.write, allPartitions),
    readGroupRows(),
    publishAlerts(),
    ec2Read(),
    ...mutations,
    ...osHook(config),
    ...vpc(key),
  ];

  const policies: Record<string, IamStatement[]> = {
    arbiter: [
      writeLogs('arbiter'),
      tableAccess('ReadWriteGroupState', TableActions.write, allPartitions),
      readGroupRows(),
      streamRead(),
      publishAlerts(),
      ec2Read(),
      ...mutations,
      ...osHook(config),
      ...vpc('arbiter'),
    ],
    failover: mover('failover'),
    // A drill is a manual failover and back: the same rights as failover (its DryRuns need
    // the rights of the real calls, which these are).
    drill: mover('drill'),
    status: [
      writeLogs('status'),
      tableAccess('ReadGroupState', TableActions.read, allPartitions),
      readGroupRows(),
      ec2Read(),
      ...vpc('status'),
    ],
    // control reconciles the group at once after a ban or reset, so it may move the address
    // off a banned holder: the same EC2 rights as failover.
    control: mover('control'),
    // DryRun calls need the permission of the real call: the arbiter's own EC2 statements, so
    // preflight tests exactly what the arbiter may do. The code only ever sends DryRun.
    preflight: [writeLogs('preflight'), ec2Read(true), ...mutations, ...vpc('preflight')],
    'notify-slack': [
      writeLogs('notify-slack'),
      ...(input.params.slackWebhookParameter ? readParameter(input.params.slackWebhookParameter) : []),
    ],
  };

  for (const v of config.vantages) {
    const key = proberKey(v.id);
    const probes = config.groups.some((g) => g.vantages.includes(v.id));
    // Its own partition only (its verdicts and its heartbeat, shared/adapters/dynamo/keys.ts): a prober
    // can neither write a group's lease and state nor another vantage's verdicts or heartbeat.
    policies[key] = [
      writeLogs(key),
      ...(probes ? [tableAccess('OwnVantageRows', TableActions.prober, [keys.vantagePk(v.id)])] : []),
      ...vpcAttachment({
        functionArn: lambdaArn(input, key),
        subnets: [v.subnet],
        securityGroupIds: [securityGroupLogicalId(key)],
        ownEnis: [],
      }),
    ];
  }
  return policies;
}

/**
 * SSM Run Command for groups with an `osHook`: SendCommand only with the hook's document and
 * only on the group's instances. AWS-owned documents (AWS-*) have no account in their ARN.
 */
function osHook(config: ArbiterConfig): IamStatement[] {
  const resources = new Map<string, CfnValue>();
  for (const g of config.groups) {
    const hook = (g as { osHook?: { document?: string } }).osHook;
    if (!hook) continue;
    const document = hook.document ?? 'AWS-RunShellScript';
    const docArn = document.startsWith('arn:')
      ? document
      : arn('ssm', `document/${document}`, { account: !document.startsWith('AWS-') });
    resources.set(`document/${document}`, docArn);
    for (const n of g.nodes)
      resources.set(`instance/${n.instanceId}`, arn('ec2', `instance/${n.instanceId}`));
  }
  if (resources.size === 0) return [];
  const sorted = [...resources.keys()].sort().map((k) => resources.get(k) as CfnValue);
  return [{ Sid: 'RunOsHook', Effect: 'Allow', Action: ['ssm:SendCommand'], Resource: sorted }];
}

function lambdaArn(input: PolicyInput, key: string): CfnValue {
  return arn('lambda', `function:${functionName(input.service, input.stage, key)}`);
}

/** The subnets the arbiter side uses inside the VPC: one per vantage (ideally one per AZ). */
export function vantageSubnets(config: ArbiterConfig): string[] {
  return [...new Set(config.vantages.map((v) => v.subnet))];
}
