import type { DescribeRouteTablesResult, ReplaceRouteTableAssociationResult } from '@aws-sdk/client-ec2';
import { parseCidr } from '../../local/cloud/util/cidr';
import { Ec2Error } from '../errors';
import { applyFilters, type FilterTable } from '../filters';
import type { Ec2Input } from '../input';
import { PAGING, page } from '../paging';
import type { RouteTableRecord, RouteTargetRecord } from '../records';
import { routeTableShape } from '../shapes';
import type { Ec2State } from '../state';
import { requireEni, requireInstance, requireRouteTable, singleEniOf } from './lookup';
import type { Ec2Action } from './types';

function routeTableFilters(world: Ec2State): FilterTable<RouteTableRecord> {
  const eniTargets = (t: RouteTableRecord) =>
    t.routes.map((r) => (r.target.kind === 'eni' ? r.target.networkInterfaceId : undefined));
  return {
    tags: (t): Record<string, string> => (t.name ? { Name: t.name } : {}),
    fields: {
      'route-table-id': (t) => t.id,
      'vpc-id': () => world.vpcId,
      'association.subnet-id': (t) => t.associations.map((a) => a.subnetId),
      'association.route-table-association-id': (t) => t.associations.map((a) => a.id),
      'association.route-table-id': (t) => (t.associations.length > 0 ? t.id : undefined),
      'association.main': (t) => t.associations.some((a) => a.main),
      'route.destination-cidr-block': (t) =>
        t.routes.filter((r) => !r.destination.startsWith('pl-')).map((r) => r.destination),
      'route.destination-prefix-list-id': (t) =>
        t.routes.filter((r) => r.destination.startsWith('pl-')).map((r) => r.destination),
      'route.network-interface-id': eniTargets,
      'route.instance-id': (t) =>
        eniTargets(t).map((id) => (id ? world.networkInterfaces.get(id)?.instanceId : id)),
      'route.gateway-id': (t) =>
        t.routes.map((r) =>
          r.target.kind === 'gateway' ? r.target.gatewayId : r.target.kind === 'local' ? 'local' : undefined,
        ),
    },
  };
}

/** DescribeRouteTables (RouteTableIds, filters, paging). */
export const DescribeRouteTables: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeRouteTablesResult {
    const ids = input.list('RouteTableIds');
    const selected =
      ids.length === 0 ? [...state.routeTables.values()] : ids.map((id) => requireRouteTable(state, id));
    const tables = applyFilters(selected, input.filters(), routeTableFilters(state));
    const { items, nextToken } = page('DescribeRouteTables', PAGING.DescribeRouteTables, input, tables);
    return {
      RouteTables: items.map((t) => routeTableShape(state, t)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};

function newTarget(world: Ec2State, params: Ec2Input): RouteTargetRecord {
  const targets = ['NetworkInterfaceId', 'InstanceId', 'GatewayId'].filter((name) => params.str(name));
  if (targets.length === 0) {
    throw new Ec2Error(
      'MissingParameter',
      'The request must contain a route target (NetworkInterfaceId, InstanceId or GatewayId)',
    );
  }
  if (targets.length > 1) {
    throw new Ec2Error(
      'InvalidParameterCombination',
      `Specify only one route target, got ${targets.join(', ')}`,
    );
  }
  const eniId = params.str('NetworkInterfaceId');
  if (eniId) return { kind: 'eni', networkInterfaceId: requireEni(world, eniId).id };
  const instanceId = params.str('InstanceId');
  if (instanceId)
    return { kind: 'eni', networkInterfaceId: singleEniOf(world, requireInstance(world, instanceId)).id };
  const gatewayId = params.str('GatewayId') ?? '';
  if (!/^igw-[0-9a-f]{8,17}$/.test(gatewayId)) {
    throw new Ec2Error('InvalidParameterValue', `Invalid value '${gatewayId}' for gatewayId`);
  }
  return { kind: 'gateway', gatewayId };
}

/** ReplaceRoute: the route must exist (InvalidRoute.NotFound otherwise); the local route is fixed. */
export const ReplaceRoute: Ec2Action = {
  mutating: true,
  run({ state: world, input: params }) {
    const table = requireRouteTable(world, params.required('RouteTableId'));
    const destination = params.required('DestinationCidrBlock');
    if (!parseCidr(destination)) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `Value (${destination}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`,
      );
    }
    const route = table.routes.find((r) => r.destination === destination);
    if (!route) {
      throw new Ec2Error(
        'InvalidRoute.NotFound',
        `There is no route defined for '${destination}' in the route table. Use CreateRoute instead.`,
      );
    }
    if (route.target.kind === 'local') {
      throw new Ec2Error('InvalidParameterValue', `The local route for ${destination} cannot be replaced`);
    }
    route.target = newTarget(world, params);
    return {};
  },
};

/**
 * ReplaceRouteTableAssociation. The id must be the current one (a stale id from
 * before an earlier replace is InvalidAssociationID.NotFound), and every replace
 * returns a new id, so callers must re-read it before the next move.
 */
export const ReplaceRouteTableAssociation: Ec2Action = {
  mutating: true,
  run({ state: world, input: params, services }): ReplaceRouteTableAssociationResult {
    const associationId = params.required('AssociationId');
    const found = world.routeTableAssociation(associationId);
    if (!found) {
      throw new Ec2Error(
        'InvalidAssociationID.NotFound',
        `The association ID '${associationId}' does not exist`,
      );
    }
    const target = requireRouteTable(world, params.required('RouteTableId'));
    const { table, association } = found;
    table.associations = table.associations.filter((a) => a !== association);
    const newAssociationId = services.ids.next('rtbassoc');
    target.associations = [
      ...target.associations,
      { id: newAssociationId, subnetId: association.subnetId, main: association.main },
    ];
    return { NewAssociationId: newAssociationId, AssociationState: { State: 'associated' } };
  },
};
