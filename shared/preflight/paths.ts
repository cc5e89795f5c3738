import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../config/schema';
import { egressVantages } from '../domain/egress-health';
import { routesThrough } from './exists';
import type { Findings } from './finding';
import { type Inventory, routeTableOfSubnet } from './inventory';
import { isRouting } from './nodes';

/** How a subnet reaches the outside. */
export interface SubnetPath {
  subnet: string;
  table?: RouteTable;
  defaultRoute?: Route;
  /** A DynamoDB (or S3) gateway endpoint route: prefix list via vpce-. */
  endpointRoute?: Route;
  /** Groups whose NAT carries this subnet's default route (now, or after a failover). */
  protectedBy: { group: GroupConfig; node?: NodeConfig; how: string }[];
}

/** Works out a subnet's route table, default route, endpoint route and protecting NAT groups. */
export function subnetPath(config: ArbiterConfig, inv: Inventory, subnet: string): SubnetPath {
  const { table } = routeTableOfSubnet(inv, subnet);
  const routes = table?.Routes ?? [];
  const defaultRoute = routes.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  const endpointRoute = routes.find(
    (r) => r.DestinationPrefixListId?.startsWith('pl-') && r.GatewayId?.startsWith('vpce-'),
  );
  const protectedBy: SubnetPath['protectedBy'] = [];
  for (const g of config.groups) {
    if (!isRouting(g)) continue;
    for (const r of g.resources) {
      if (r.kind === 'route-table-association' && r.subnets.includes(subnet)) {
        protectedBy.push({ group: g, how: `group ${g.id} moves this subnet's route table association` });
      }
      if (
        r.kind === 'route' &&
        r.destination === '0.0.0.0/0' &&
        table?.RouteTableId &&
        r.routeTables.includes(table.RouteTableId)
      ) {
        protectedBy.push({ group: g, how: `group ${g.id} moves the default route of ${table.RouteTableId}` });
      }
    }
    const node = table ? g.nodes.find((n) => routesThrough(table, n)) : undefined;
    if (node && !protectedBy.some((p) => p.group === g)) {
      protectedBy.push({
        group: g,
        node,
        how: `its default route goes through node ${node.id} of group ${g.id}`,
      });
    }
  }
  return {
    subnet,
    ...(table ? { table } : {}),
    ...(defaultRoute ? { defaultRoute } : {}),
    ...(endpointRoute ? { endpointRoute } : {}),
    protectedBy,
  };
}

function regionOf(inv: Inventory, subnet: string): string {
  const az = inv.subnets.get(subnet)?.AvailabilityZone;
  return az ? az.replace(/[a-z]$/, '') : '<region>';
}

function targetOf(route: Route | undefined): string {
  if (!route) return 'no default route';
  return (
    route.NetworkInterfaceId ??
    route.InstanceId ??
    route.NatGatewayId ??
    route.GatewayId ??
    route.TransitGatewayId ??
    'an unknown target'
  );
}

/** Options of the path checks. */
export interface PathOptions {
  /** Subnets the arbiter runs in; none means outside the VPC (the default and recommended). */
  arbiterSubnets?: readonly string[];
  /** Service names of the VPC's interface endpoints, e.g. `com.amazonaws.us-east-1.ec2`, if known. */
  interfaceEndpoints?: ReadonlySet<string>;
}

/**
 * No prober's path to DynamoDB runs through a NAT the arbiter protects (unless a DynamoDB
 * gateway endpoint route keeps DynamoDB off that path), no arbiter's path to EC2/SNS does, and
 * every egress vantage really goes out through its group's NAT.
 */
export function checkPaths(
  config: ArbiterConfig,
  inv: Inventory,
  f: Findings,
  options: PathOptions = {},
): void {
  if (inv.unreadable.has('DescribeRouteTables')) return;
  checkProberPaths(config, inv, f);
  checkEgressPaths(config, inv, f);
  checkArbiterPaths(config, inv, f, options);
}

/** Each prober reaches DynamoDB, and not through a NAT it watches (unless by an endpoint route). */
function checkProberPaths(config: ArbiterConfig, inv: Inventory, f: Findings): void {
  for (const v of config.vantages) {
    const path = subnetPath(config, inv, v.subnet);
    const resource = `vantage ${v.id} (${v.subnet}${path.table?.RouteTableId ? `, ${path.table.RouteTableId}` : ''})`;
    const endpointFix = `add a DynamoDB gateway endpoint (free) to ${path.table?.RouteTableId ?? "the subnet's route table"}: aws ec2 create-vpc-endpoint --vpc-id ${inv.subnets.get(v.subnet)?.VpcId ?? '<vpc>'} --service-name com.amazonaws.${regionOf(inv, v.subnet)}.dynamodb --route-table-ids ${path.table?.RouteTableId ?? '<rtb>'}`;
    if (!path.table) {
      f.warning(
        'path',
        resource,
        'cannot tell how the subnet is routed (no route table found)',
        'check the subnet and its route table',
      );
      continue;
    }
    const nat = path.protectedBy[0];
    if (path.endpointRoute) {
      f.ok(
        'path',
        resource,
        `reaches DynamoDB through the gateway endpoint route (${path.endpointRoute.DestinationPrefixListId} via ${path.endpointRoute.GatewayId})${nat ? `, not through the NAT of group ${nat.group.id}` : ''}`,
      );
    } else if (nat) {
      f.error(
        'path',
        resource,
        `the prober reaches DynamoDB through a NAT it watches (${nat.how}) and the route table has no DynamoDB gateway endpoint route: when that NAT fails, the prober cannot write the verdicts that would fail it over`,
        endpointFix,
      );
    } else if (path.defaultRoute?.GatewayId?.startsWith('igw-')) {
      f.warning(
        'path',
        resource,
        `the subnet's default route is the internet gateway ${path.defaultRoute.GatewayId}, but Lambda functions in a VPC get no public IP: the prober cannot reach DynamoDB that way`,
        endpointFix,
      );
    } else if (!path.defaultRoute) {
      f.error(
        'path',
        resource,
        'no route to DynamoDB: no gateway endpoint route and no default route',
        endpointFix,
      );
    } else {
      f.ok(
        'path',
        resource,
        `reaches DynamoDB through ${targetOf(path.defaultRoute)}, which no group of this config moves`,
      );
    }
  }
}

/** Each egress vantage goes out through its group's NAT. */
function checkEgressPaths(config: ArbiterConfig, inv: Inventory, f: Findings): void {
  for (const g of config.groups) {
    for (const vantage of egressVantages(g)) {
      const v = config.vantages.find((x) => x.id === vantage);
      if (!v) continue;
      const path = subnetPath(config, inv, v.subnet);
      const resource = `egress vantage ${v.id} of group ${g.id} (${v.subnet})`;
      if (path.protectedBy.some((p) => p.group === g)) {
        f.ok('path', resource, `egress probes go out through the NAT of group ${g.id}`);
      } else {
        f.error(
          'path',
          resource,
          `egress probes from this vantage go out through ${targetOf(path.defaultRoute)}, not through a node of group ${g.id}, so they say nothing about its NAT`,
          `list under check.from only vantages in subnets routed through group ${g.id}`,
        );
      }
    }
  }
}

/** The arbiter reaches EC2 and SNS, and not through a NAT it protects. */
function checkArbiterPaths(config: ArbiterConfig, inv: Inventory, f: Findings, options: PathOptions): void {
  const subnets = options.arbiterSubnets ?? [];
  if (subnets.length === 0) {
    f.ok(
      'path',
      'arbiter',
      'runs outside the VPC: reaches EC2 and SNS directly, never through a NAT it protects',
    );
    return;
  }
  for (const s of subnets) {
    const path = subnetPath(config, inv, s);
    const nat = path.protectedBy[0];
    const resource = `arbiter subnet ${s}`;
    if (!nat) {
      f.ok(
        'path',
        resource,
        `reaches EC2 and SNS through ${targetOf(path.defaultRoute)}, which no group of this config moves`,
      );
      continue;
    }
    const region = regionOf(inv, s);
    const missing = ['ec2', 'sns'].filter(
      (svc) => !options.interfaceEndpoints?.has(`com.amazonaws.${region}.${svc}`),
    );
    if (missing.length === 0) {
      f.ok(
        'path',
        resource,
        `its default route goes through a protected NAT (${nat.how}), but EC2 and SNS are reached through interface endpoints`,
      );
    } else {
      f.error(
        'path',
        resource,
        `the arbiter reaches ${missing.map((m) => m.toUpperCase()).join(' and ')} through a NAT it protects (${nat.how}): when that NAT fails, the arbiter cannot fail it over`,
        `run the arbiter outside the VPC (the default), or add interface endpoints with private DNS for ${missing.map((m) => `com.amazonaws.${region}.${m}`).join(' and ')}`,
      );
    }
  }
}
