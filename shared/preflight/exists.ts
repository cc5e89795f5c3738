import type { RouteTable } from '@aws-sdk/client-ec2';
import type { ArbiterConfig, GroupConfig, NodeConfig, ResourceConfig, VantageConfig } from '../config/schema';
import type { Findings } from './finding';
import { type Inventory, routeTableOfSubnet } from './inventory';

const CHECK = 'exists';

/** `node lb-1 of group web-lb`. */
export function nodeLabel(group: GroupConfig, node: NodeConfig): string {
  return `node ${node.id} of group ${group.id}`;
}

/** True if a route of the table sends traffic to this node (its ENI or its instance). */
export function routesThrough(table: RouteTable, node: NodeConfig, destination = '0.0.0.0/0'): boolean {
  return (table.Routes ?? []).some(
    (r) =>
      r.DestinationCidrBlock === destination &&
      ((node.eni !== undefined && r.NetworkInterfaceId === node.eni) || r.InstanceId === node.instanceId),
  );
}

/**
 * Everything the config names exists and fits together: instances (and their state), ENIs
 * attached to the node's instance, Elastic IP allocations, subnets, route tables, the route
 * each `route` resource replaces, the explicit association each `route-table-association`
 * subnet needs, and a default route through the node in each node's own route table.
 */
export function checkExistence(config: ArbiterConfig, inv: Inventory, f: Findings): void {
  for (const v of config.vantages) checkVantage(v, inv, f);
  for (const g of config.groups) {
    for (const n of g.nodes) checkNode(g, n, inv, f);
    for (const r of g.resources) checkResource(g, r, inv, f);
  }
}

function checkVantage(v: VantageConfig, inv: Inventory, f: Findings): void {
  const readable = (action: string) => !inv.unreadable.has(action);
  if (readable('DescribeSubnets') && !inv.subnets.has(v.subnet)) {
    f.error(
      CHECK,
      `${v.subnet} (vantage ${v.id})`,
      'subnet does not exist',
      'fix vantages[].subnet in the config',
    );
  }
  if (v.routeTable && readable('DescribeRouteTables')) {
    const actual = routeTableOfSubnet(inv, v.subnet).table?.RouteTableId;
    if (!inv.routeTables.has(v.routeTable)) {
      f.error(
        CHECK,
        `${v.routeTable} (vantage ${v.id})`,
        'route table does not exist',
        'fix vantages[].routeTable',
      );
    } else if (actual && actual !== v.routeTable) {
      f.warning(
        CHECK,
        `${v.routeTable} (vantage ${v.id})`,
        `the config names ${v.routeTable}, but subnet ${v.subnet} is routed by ${actual}`,
        `set vantages[].routeTable to ${actual} (the DynamoDB gateway endpoint must be on the table that routes the subnet)`,
      );
    }
  }
}

function checkResource(g: GroupConfig, r: ResourceConfig, inv: Inventory, f: Findings): void {
  const readable = (action: string) => !inv.unreadable.has(action);
  if (r.kind === 'elastic-ip' && readable('DescribeAddresses')) {
    if (!inv.addresses.has(r.allocationId)) {
      f.error(
        CHECK,
        `${r.allocationId} (group ${g.id})`,
        'Elastic IP allocation does not exist',
        'fix resources[].allocationId, or allocate one with AllocateAddress',
      );
    } else {
      f.ok(CHECK, `${r.allocationId} (group ${g.id})`, 'Elastic IP allocation exists');
    }
  }
  if (r.kind === 'route' && readable('DescribeRouteTables')) {
    for (const t of r.routeTables) {
      const table = inv.routeTables.get(t);
      if (!table) {
        f.error(CHECK, `${t} (group ${g.id})`, 'route table does not exist', 'fix resources[].routeTables');
      } else if (!table.Routes?.some((x) => x.DestinationCidrBlock === r.destination)) {
        f.error(
          CHECK,
          `${t} (group ${g.id})`,
          `route table has no route for ${r.destination}; ReplaceRoute only replaces an existing route`,
          `create it once: aws ec2 create-route --route-table-id ${t} --destination-cidr-block ${r.destination} --network-interface-id ${g.nodes[0]?.eni ?? '<eni of the active node>'}`,
        );
      } else {
        f.ok(CHECK, `${t} (group ${g.id})`, `route ${r.destination} exists`);
      }
    }
  }
  if (r.kind === 'route-table-association' && readable('DescribeRouteTables')) {
    for (const s of r.subnets) {
      if (readable('DescribeSubnets') && !inv.subnets.has(s)) {
        f.error(CHECK, `${s} (group ${g.id})`, 'subnet does not exist', 'fix resources[].subnets');
        continue;
      }
      const { associationId } = routeTableOfSubnet(inv, s);
      if (!associationId) {
        f.error(
          CHECK,
          `${s} (group ${g.id})`,
          'subnet has no explicit route table association (it uses the main table), so there is no association id to replace',
          `associate it once with the active node's route table: aws ec2 associate-route-table --subnet-id ${s} --route-table-id ${g.nodes[0]?.routeTable ?? '<rtb>'}`,
        );
      } else {
        f.ok(CHECK, `${s} (group ${g.id})`, `subnet is explicitly associated (${associationId})`);
      }
    }
  }
}

function checkNode(g: GroupConfig, n: NodeConfig, inv: Inventory, f: Findings): void {
  const label = nodeLabel(g, n);
  if (!inv.unreadable.has('DescribeInstances')) {
    const instance = inv.instances.get(n.instanceId);
    if (!instance) {
      f.error(CHECK, `${n.instanceId} (${label})`, 'instance does not exist', 'fix nodes[].instanceId');
    } else {
      const state = instance.State?.Name;
      if (state === 'terminated' || state === 'shutting-down') {
        f.error(
          CHECK,
          `${n.instanceId} (${label})`,
          `instance is ${state}`,
          'replace the node in the config',
        );
      } else if (state !== 'running') {
        f.warning(
          CHECK,
          `${n.instanceId} (${label})`,
          `instance is ${state ?? 'in an unknown state'}; it cannot take over while not running`,
          'start it, or ban the node until it is back',
        );
      }
    }
  }
  if (n.eni && !inv.unreadable.has('DescribeNetworkInterfaces')) {
    const eni = inv.enis.get(n.eni);
    if (!eni) {
      f.error(CHECK, `${n.eni} (${label})`, 'network interface does not exist', 'fix nodes[].eni');
    } else {
      const attached = eni.Attachment?.InstanceId;
      if (attached !== n.instanceId) {
        f.error(
          CHECK,
          `${n.eni} (${label})`,
          `network interface is attached to ${attached ?? 'no instance'}, not to ${n.instanceId}`,
          "set nodes[].eni to an ENI of the node's instance",
        );
      }
      if (n.subnet && eni.SubnetId && n.subnet !== eni.SubnetId) {
        f.error(
          CHECK,
          `${n.eni} (${label})`,
          `the config says subnet ${n.subnet}, but the ENI is in ${eni.SubnetId}`,
          `set nodes[].subnet to ${eni.SubnetId}`,
        );
      }
      if (n.privateIp && !eni.PrivateIpAddresses?.some((a) => a.PrivateIpAddress === n.privateIp)) {
        f.error(
          CHECK,
          `${n.eni} (${label})`,
          `private IP ${n.privateIp} is not an address of the ENI`,
          'fix nodes[].privateIp, or leave it out to use the primary IP',
        );
      }
    }
  }
  if (n.routeTable && !inv.unreadable.has('DescribeRouteTables')) {
    const table = inv.routeTables.get(n.routeTable);
    if (!table) {
      f.error(CHECK, `${n.routeTable} (${label})`, 'route table does not exist', 'fix nodes[].routeTable');
    } else if (!routesThrough(table, n)) {
      f.warning(
        CHECK,
        `${n.routeTable} (${label})`,
        `the node's route table has no 0.0.0.0/0 route through ${n.id}; subnets moved to it would not go through this NAT`,
        `aws ec2 create-route --route-table-id ${n.routeTable} --destination-cidr-block 0.0.0.0/0 --network-interface-id ${n.eni ?? '<eni>'}`,
      );
    }
  }
}
