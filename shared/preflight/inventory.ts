import {
  type Address,
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type NetworkInterface,
  type RouteTable,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { mapEc2Error } from '../adapters/aws/ec2-errors';
import type { ArbiterConfig } from '../config/schema';
import { messageOf, UnauthorizedError } from '../domain/errors';
import type { Findings } from './finding';

/** What EC2 says about everything the config names, gathered once. */
export interface Inventory {
  instances: Map<string, Instance>;
  enis: Map<string, NetworkInterface>;
  addresses: Map<string, Address>;
  subnets: Map<string, Subnet>;
  /** Route tables by id: the ones the config names and the ones routing its subnets. */
  routeTables: Map<string, RouteTable>;
  /** Addresses per ENI by instance type, from DescribeInstanceTypes (empty if not allowed). */
  ipv4PerEni: Map<string, number>;
  /** The VPC's main route table (routes subnets without an explicit association). */
  mainRouteTable?: RouteTable;
  /** Describe calls that failed, by action: their checks are skipped, not passed. */
  unreadable: Set<string>;
}

/** The ids a config names, by kind. */
export function namedIds(config: ArbiterConfig) {
  const instances = new Set<string>();
  const enis = new Set<string>();
  const allocations = new Set<string>();
  const subnets = new Set<string>(config.vantages.map((v) => v.subnet));
  const routeTables = new Set<string>();
  for (const v of config.vantages) if (v.routeTable) routeTables.add(v.routeTable);
  for (const g of config.groups) {
    for (const n of g.nodes) {
      instances.add(n.instanceId);
      if (n.eni) enis.add(n.eni);
      if (n.routeTable) routeTables.add(n.routeTable);
      if (n.subnet) subnets.add(n.subnet);
    }
    for (const r of g.resources) {
      if (r.kind === 'elastic-ip') allocations.add(r.allocationId);
      if (r.kind === 'route') for (const t of r.routeTables) routeTables.add(t);
      if (r.kind === 'route-table-association') for (const s of r.subnets) subnets.add(s);
    }
  }
  return { instances, enis, allocations, subnets, routeTables };
}

/** A Describe that cannot fail preflight by throwing: a failure becomes a finding and `[]`. */
type GuardedRead = <T>(action: string, fn: () => Promise<T[]>) => Promise<T[]>;

function guardedRead(findings: Findings, unreadable: Set<string>): GuardedRead {
  return async (action, fn) => {
    try {
      return await fn();
    } catch (error) {
      unreadable.add(action);
      const mapped = mapEc2Error(error, action);
      if (mapped instanceof UnauthorizedError) {
        findings.error(
          'permission',
          `ec2:${action}`,
          `the role may not call ${action}: ${messageOf(mapped)}`,
          `allow ec2:${action} in the arbiter's IAM policy (Describe calls do not support resource-level permissions: use Resource "*")`,
        );
      } else {
        findings.error(
          'describe',
          `ec2:${action}`,
          `${action} failed: ${messageOf(mapped)}`,
          'check the endpoint, region and credentials, then run preflight again',
        );
      }
      return [];
    }
  };
}

const byFilter = (name: string, values: Set<string>): Filter[] => [{ Name: name, Values: [...values] }];

/**
 * Reads instances, ENIs, Elastic IPs, subnets and route tables with filters (a missing id is
 * simply absent, instead of failing the whole call). A Describe the role may not call is an
 * error finding that names the IAM action.
 */
export async function gatherInventory(
  config: ArbiterConfig,
  ec2: EC2Client,
  findings: Findings,
  extraSubnets: readonly string[] = [],
): Promise<Inventory> {
  const ids = namedIds(config);
  for (const s of extraSubnets) ids.subnets.add(s);
  const unreadable = new Set<string>();
  const read = guardedRead(findings, unreadable);
  const { instances, enis, addresses, subnets } = await readNamed(ec2, ids, read);
  // The arbiter also reads status checks (impaired counts as DOWN): make sure it may.
  const found = instances.map((i) => i.InstanceId).filter((id): id is string => id !== undefined);
  if (found.length > 0) {
    await read('DescribeInstanceStatus', async () => {
      await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: found, IncludeAllInstances: true }));
      return [];
    });
  }

  const vpcId = subnets[0]?.VpcId ?? config.vpc;
  const [named, routing, main] = await Promise.all([
    ids.routeTables.size === 0
      ? Promise.resolve([])
      : read('DescribeRouteTables', () =>
          describeRouteTables(ec2, byFilter('route-table-id', ids.routeTables)),
        ),
    read('DescribeRouteTables', () =>
      describeRouteTables(ec2, byFilter('association.subnet-id', ids.subnets)),
    ),
    vpcId
      ? read('DescribeRouteTables', () =>
          describeRouteTables(ec2, [
            { Name: 'association.main', Values: ['true'] },
            { Name: 'vpc-id', Values: [vpcId] },
          ]),
        )
      : Promise.resolve([]),
  ]);

  const routeTables = new Map<string, RouteTable>();
  for (const t of [...named, ...routing, ...main]) if (t.RouteTableId) routeTables.set(t.RouteTableId, t);
  return {
    instances: keyed(instances, (i) => i.InstanceId),
    enis: keyed(enis, (e) => e.NetworkInterfaceId),
    addresses: keyed(addresses, (a) => a.AllocationId),
    subnets: keyed(subnets, (s) => s.SubnetId),
    routeTables,
    ipv4PerEni: await eniLimits(ec2, instances),
    ...(main[0] ? { mainRouteTable: main[0] } : {}),
    unreadable,
  };
}

/** The instances, ENIs, Elastic IPs and subnets the config names, read at once. */
async function readNamed(ec2: EC2Client, ids: ReturnType<typeof namedIds>, read: GuardedRead) {
  const [instances, enis, addresses, subnets] = await Promise.all([
    ids.instances.size === 0
      ? []
      : read('DescribeInstances', () =>
          pages(async (token) => {
            const out = await ec2.send(
              new DescribeInstancesCommand({
                Filters: byFilter('instance-id', ids.instances),
                NextToken: token,
              }),
            );
            return { items: (out.Reservations ?? []).flatMap((r) => r.Instances ?? []), next: out.NextToken };
          }),
        ),
    ids.enis.size === 0
      ? []
      : read('DescribeNetworkInterfaces', () =>
          pages(async (token) => {
            const out = await ec2.send(
              new DescribeNetworkInterfacesCommand({
                Filters: byFilter('network-interface-id', ids.enis),
                NextToken: token,
              }),
            );
            return { items: out.NetworkInterfaces ?? [], next: out.NextToken };
          }),
        ),
    ids.allocations.size === 0
      ? []
      : read('DescribeAddresses', async () => {
          const out = await ec2.send(
            new DescribeAddressesCommand({ Filters: byFilter('allocation-id', ids.allocations) }),
          );
          return out.Addresses ?? [];
        }),
    read('DescribeSubnets', () =>
      pages(async (token) => {
        const out = await ec2.send(
          new DescribeSubnetsCommand({ Filters: byFilter('subnet-id', ids.subnets), NextToken: token }),
        );
        return { items: out.Subnets ?? [], next: out.NextToken };
      }),
    ),
  ]);
  return { instances, enis, addresses, subnets };
}

/** Every page of DescribeRouteTables for these filters. */
function describeRouteTables(ec2: EC2Client, filters: Filter[]): Promise<RouteTable[]> {
  return pages(async (token) => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: filters, NextToken: token }));
    return { items: out.RouteTables ?? [], next: out.NextToken };
  });
}

/** Addresses per ENI of each instance type in use, from DescribeInstanceTypes. */
async function eniLimits(ec2: EC2Client, instances: readonly Instance[]): Promise<Map<string, number>> {
  const types = new Set(instances.flatMap((i) => (i.InstanceType ? [String(i.InstanceType)] : [])));
  const ipv4PerEni = new Map<string, number>();
  if (types.size === 0) return ipv4PerEni;
  try {
    const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [...types] as never }));
    for (const t of out.InstanceTypes ?? []) {
      const n = t.NetworkInfo?.Ipv4AddressesPerInterface;
      if (t.InstanceType && n !== undefined) ipv4PerEni.set(t.InstanceType, n);
    }
  } catch {
    // Optional: the built-in table and configured limits cover common types.
  }
  return ipv4PerEni;
}

/** The route table routing a subnet: its explicit association, else the VPC's main table. */
export function routeTableOfSubnet(
  inv: Inventory,
  subnet: string,
): { table?: RouteTable; associationId?: string } {
  for (const table of inv.routeTables.values()) {
    const a = table.Associations?.find((x) => x.SubnetId === subnet && x.Main !== true);
    if (a)
      return { table, ...(a.RouteTableAssociationId ? { associationId: a.RouteTableAssociationId } : {}) };
  }
  return inv.mainRouteTable ? { table: inv.mainRouteTable } : {};
}

async function pages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>,
) {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...page.items);
    token = page.next;
  } while (token);
  return all;
}

function keyed<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (k) map.set(k, item);
  }
  return map;
}
