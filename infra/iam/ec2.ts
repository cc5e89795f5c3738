import type { ArbiterConfig, GroupConfig } from '../../shared/config/schema';
import { arn, type CfnValue, type IamStatement } from '../cfn';

/**
 * The read-only EC2 calls the arbiter side makes (observe holders, instance state). Listed one
 * by one rather than `ec2:Describe*`, so the policy says what the code does; a mover that
 * starts calling another Describe API must add it here.
 */
export const EC2_READ_ACTIONS = [
  'ec2:DescribeAddresses',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceStatus',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSubnets',
] as const;

/** Every EC2 call that changes something; each is granted only on ARNs named in the config. */
export const EC2_MUTATING_ACTIONS = [
  'ec2:AssociateAddress',
  'ec2:DisassociateAddress',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'ec2:ReplaceRoute',
  'ec2:ReplaceRouteTableAssociation',
  'ec2:StopInstances',
] as const;

const ec2Arn = (type: string, id: string) => arn('ec2', `${type}/${id}`);

/** Collects resources per action set, so each set becomes one statement without duplicates. */
class StatementSet {
  private readonly sets = new Map<
    string,
    { sid: string; actions: string[]; resources: Map<string, CfnValue> }
  >();

  add(sid: string, actions: string[], type: string, ids: Iterable<string | undefined>): void {
    const set = this.sets.get(sid) ?? { sid, actions, resources: new Map<string, CfnValue>() };
    for (const id of ids) if (id !== undefined) set.resources.set(`${type}/${id}`, ec2Arn(type, id));
    this.sets.set(sid, set);
  }

  statements(): IamStatement[] {
    return [...this.sets.values()]
      .filter((s) => s.resources.size > 0)
      .map((s) => ({
        Sid: s.sid,
        Effect: 'Allow' as const,
        Action: s.actions,
        Resource: [...s.resources.keys()].sort().map((k) => s.resources.get(k) as CfnValue),
      }));
  }
}

/**
 * The mutating EC2 permissions the config needs, each on exact ARNs:
 * - elastic-ip: Associate/DisassociateAddress on the allocations and the nodes' ENIs and instances;
 * - secondary-ip: Assign/UnassignPrivateIpAddresses on the nodes' ENIs;
 * - route: ReplaceRoute on the listed route tables;
 * - route-table-association: ReplaceRouteTableAssociation on the nodes' route tables and the subnets;
 * - fence: stop: StopInstances on the group's instances.
 */
export function ec2MutationStatements(config: ArbiterConfig): IamStatement[] {
  const set = new StatementSet();
  for (const group of config.groups) addGroup(set, group);
  return set.statements();
}

function addGroup(set: StatementSet, group: GroupConfig): void {
  const enis = group.nodes.map((n) => n.eni);
  const instances = group.nodes.map((n) => n.instanceId);
  const addressActions = ['ec2:AssociateAddress', 'ec2:DisassociateAddress'];
  for (const r of group.resources) {
    switch (r.kind) {
      case 'elastic-ip':
        set.add('MoveElasticIps', addressActions, 'elastic-ip', [r.allocationId]);
        set.add('MoveElasticIps', addressActions, 'network-interface', enis);
        set.add('MoveElasticIps', addressActions, 'instance', instances);
        break;
      case 'secondary-ip':
        set.add(
          'MoveSecondaryIps',
          ['ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          'network-interface',
          enis,
        );
        break;
      case 'route':
        set.add('MoveRoutes', ['ec2:ReplaceRoute'], 'route-table', r.routeTables);
        break;
      case 'route-table-association':
        set.add(
          'MoveRouteTableAssociations',
          ['ec2:ReplaceRouteTableAssociation'],
          'route-table',
          group.nodes.map((n) => n.routeTable),
        );
        set.add('MoveRouteTableAssociations', ['ec2:ReplaceRouteTableAssociation'], 'subnet', r.subnets);
        break;
    }
  }
  if (group.policy.fence === 'stop') set.add('FenceInstances', ['ec2:StopInstances'], 'instance', instances);
}

/** The ENIs the config lets the arbiter assign private IPs on (secondary-ip groups). */
export function secondaryIpEnis(config: ArbiterConfig): CfnValue[] {
  const ids = new Set<string>();
  for (const g of config.groups) {
    if (!g.resources.some((r) => r.kind === 'secondary-ip')) continue;
    for (const n of g.nodes) if (n.eni !== undefined) ids.add(n.eni);
  }
  return [...ids].sort().map((id) => ec2Arn('network-interface', id));
}
