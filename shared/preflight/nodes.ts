import type { ArbiterConfig, GroupConfig } from '../config/schema';
import { builtInEniLimit } from './eni-limits';
import { nodeLabel } from './exists';
import type { Findings } from './finding';
import type { Inventory } from './inventory';

/** Limits preflight cannot read everywhere. */
export interface NodeCheckOptions {
  /** Private IPv4 addresses per ENI, by ENI id or instance type; wins over the API and the built-in table. */
  eniLimits?: Record<string, number>;
}

/** Groups whose nodes forward traffic for others (route targets, NAT instances). */
export function isRouting(group: GroupConfig): boolean {
  return group.resources.some((r) => r.kind === 'route' || r.kind === 'route-table-association');
}

/**
 * Node-level facts: secondary-ip nodes share one subnet and the address is in it; routing
 * nodes have the source/destination check off; each secondary-ip ENI has room for one more
 * address.
 */
export function checkNodes(
  config: ArbiterConfig,
  inv: Inventory,
  f: Findings,
  options: NodeCheckOptions = {},
): void {
  for (const g of config.groups) {
    if (g.resources.some((r) => r.kind === 'secondary-ip')) {
      checkSameSubnet(g, inv, f);
      checkEniRoom(g, inv, f, options);
    }
    if (isRouting(g)) checkSourceDest(g, inv, f);
  }
}

function checkSameSubnet(g: GroupConfig, inv: Inventory, f: Findings): void {
  const placed = g.nodes.flatMap((n) => {
    const subnet = n.eni ? inv.enis.get(n.eni)?.SubnetId : undefined;
    return subnet ? [{ node: n, subnet }] : [];
  });
  const first = placed[0];
  const other = placed.find((p) => p.subnet !== first?.subnet);
  for (const r of g.resources) {
    if (r.kind !== 'secondary-ip') continue;
    const resource = `secondary-ip ${r.ip} (group ${g.id})`;
    if (first && other) {
      f.error(
        'same-subnet',
        resource,
        `node ${first.node.id} (${first.node.eni}) is in ${first.subnet} and node ${other.node.id} (${other.node.eni}) is in ${other.subnet}; a secondary private IP cannot move between subnets`,
        'use elastic-ip (moves across subnets and AZs) or route (an overlay /32 outside the VPC CIDR) instead, or put both ENIs in one subnet',
      );
      continue;
    }
    if (!first) continue;
    f.ok('same-subnet', resource, `every node's ENI is in ${first.subnet}`);
    const cidr = inv.subnets.get(first.subnet)?.CidrBlock;
    if (cidr && !cidrContains(cidr, r.ip)) {
      f.error(
        'same-subnet',
        resource,
        `${r.ip} is outside ${first.subnet} (${cidr})`,
        `pick a free address inside ${cidr}`,
      );
    }
    for (const eni of inv.enis.values()) {
      const primary =
        eni.PrivateIpAddresses?.find((a) => a.Primary)?.PrivateIpAddress ?? eni.PrivateIpAddress;
      if (primary === r.ip) {
        f.error(
          'same-subnet',
          resource,
          `${r.ip} is the primary IP of ${eni.NetworkInterfaceId}; a primary IP never moves`,
          'use a free address as the VIP',
        );
      }
    }
  }
}

function checkEniRoom(g: GroupConfig, inv: Inventory, f: Findings, options: NodeCheckOptions): void {
  const ips = g.resources.flatMap((r) => (r.kind === 'secondary-ip' ? [r.ip] : []));
  for (const n of g.nodes) {
    const eni = n.eni ? inv.enis.get(n.eni) : undefined;
    if (!n.eni || !eni) continue;
    const held = (eni.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress);
    const needed = held.length + ips.filter((ip) => !held.includes(ip)).length;
    const type = inv.instances.get(n.instanceId)?.InstanceType;
    const { limit, source } = eniLimit(n.eni, type ? String(type) : undefined, inv, options);
    const resource = `${n.eni} (${nodeLabel(g, n)})`;
    if (limit === undefined) {
      f.warning(
        'eni-room',
        resource,
        `cannot tell how many private IPv4 addresses ${type ?? 'this instance type'} allows per ENI (DescribeInstanceTypes was not available and the type is not in the built-in table); the ENI would need ${needed}`,
        'allow ec2:DescribeInstanceTypes, or give the limit with --eni-limit <type>=<n>',
      );
    } else if (needed > limit) {
      f.error(
        'eni-room',
        resource,
        `the ENI holds ${held.length} private IPv4 address(es) and would need ${needed}, but ${type ?? 'its type'} allows ${limit} per ENI (${source})`,
        'unassign unused secondary addresses from the ENI, or use a larger instance type',
      );
    } else {
      f.ok(
        'eni-room',
        resource,
        `room for the group's secondary IPs: ${needed} of ${limit} addresses per ENI (${source})`,
      );
    }
  }
}

function eniLimit(
  eni: string,
  type: string | undefined,
  inv: Inventory,
  options: NodeCheckOptions,
): { limit?: number; source: string } {
  const configured = options.eniLimits?.[eni] ?? (type ? options.eniLimits?.[type] : undefined);
  if (configured !== undefined) return { limit: configured, source: 'configured limit' };
  const api = type ? inv.ipv4PerEni.get(type) : undefined;
  if (api !== undefined) return { limit: api, source: 'DescribeInstanceTypes' };
  const table = type ? builtInEniLimit(type) : undefined;
  if (table !== undefined) return { limit: table, source: 'built-in table' };
  return { source: 'unknown' };
}

function checkSourceDest(g: GroupConfig, inv: Inventory, f: Findings): void {
  for (const n of g.nodes) {
    const eni = n.eni ? inv.enis.get(n.eni) : undefined;
    const instance = inv.instances.get(n.instanceId);
    // Routes point at the ENI, and the check is an ENI attribute: read the ENI when configured.
    const check = eni?.SourceDestCheck ?? instance?.SourceDestCheck;
    if (check === undefined) continue;
    const resource = `${n.instanceId} (${nodeLabel(g, n)})`;
    if (check) {
      f.error(
        'source-dest-check',
        resource,
        `source/destination check is enabled on ${n.eni ?? n.instanceId}: the instance drops traffic it forwards for others, so routing through it fails`,
        n.eni
          ? `aws ec2 modify-network-interface-attribute --network-interface-id ${n.eni} --no-source-dest-check`
          : `aws ec2 modify-instance-attribute --instance-id ${n.instanceId} --no-source-dest-check`,
      );
    } else {
      f.ok('source-dest-check', resource, 'source/destination check is disabled');
    }
  }
}

/** True if the dotted-quad `ip` lies in `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const a = toInt(base ?? '');
  const b = toInt(ip);
  if (a === undefined || b === undefined || !Number.isInteger(bits)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function toInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}
