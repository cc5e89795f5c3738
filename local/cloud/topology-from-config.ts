import { createHash } from 'node:crypto';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../../shared/config/schema';
import type { TopologyInput } from './topology-schema';
import {
  type Cidr,
  cidrContains,
  intToIp,
  ipToInt,
  isIpv4,
  isReservedInSubnet,
  parseCidr,
} from './util/cidr';

/**
 * A local world that matches a config, for `npm run local -- --config mine.yml` without a
 * topology: the config's own ids (VPC, vantage and node subnets, instances, ENIs, Elastic IPs,
 * route tables) exist, each address starts on the group's preferred node (highest priority),
 * and every vantage subnet has a route table with a DynamoDB gateway endpoint route (as the
 * deployed stack creates). Ids the config leaves out are derived from a hash of what they
 * stand for, so the same config always gives the same world.
 *
 * Addresses: a node's `privateIp`, or its `address` when that is a private IPv4 address, is
 * the ENI's primary IP, and its /24 becomes the subnet's CIDR; loopback or DNS addresses get
 * made-up private IPs (the local cloud probes the node server on loopback either way).
 */
export function topologyFromConfig(config: ArbiterConfig, options: { region?: string } = {}): TopologyInput {
  const region = options.region ?? 'us-east-1';
  const nodes = uniqueNodes(config);
  const firstIp = (n: NodeConfig) => n.privateIp ?? (isPrivateIpv4(n.address) ? n.address : undefined);

  // A node without an address of its own still lives where its group's secondary IP must be.
  const vipOf = (n: NodeConfig) =>
    config.groups
      .filter((g) => g.nodes.some((x) => x.instanceId === n.instanceId))
      .flatMap((g) => g.resources)
      .find((r) => r.kind === 'secondary-ip')?.ip;
  const placeIp = (n: NodeConfig) => firstIp(n) ?? vipOf(n);

  // The VPC: the /16 of the first real address, widened until it holds every address.
  const ips = nodes.map(firstIp).filter((ip): ip is string => ip !== undefined);
  for (const g of config.groups) for (const r of g.resources) if (r.kind === 'secondary-ip') ips.push(r.ip);
  const vpcCidr = enclosingCidr(ips) ?? '10.0.0.0/16';
  const vpc = parseCidr(vpcCidr) as Cidr;

  // Subnets: the config's ids in order of appearance; each gets the /24 of a node address in it.
  const subnetIds: string[] = [];
  const addSubnet = (id: string | undefined) => {
    if (id && !subnetIds.includes(id)) subnetIds.push(id);
  };
  for (const v of config.vantages) addSubnet(v.subnet);
  for (const n of nodes) addSubnet(n.subnet);
  for (const g of config.groups)
    for (const r of g.resources) if (r.kind === 'route-table-association') r.subnets.forEach(addSubnet);
  const cidrOf = new Map<string, string>();
  const subnetOfNode = new Map<string, string>();
  const slash24 = (ip: string) => `${intToIp(ipToInt(ip) & 0xffffff00)}/24`;
  // Nodes that name their subnet first, then the others: a node without one goes to the subnet
  // that already holds its /24, or else to the next config subnet without a CIDR.
  for (const n of [...nodes.filter((x) => x.subnet), ...nodes.filter((x) => !x.subnet)]) {
    const ip = placeIp(n);
    const block = ip ? slash24(ip) : undefined;
    let subnet = n.subnet;
    if (!subnet && block) subnet = [...cidrOf].find(([, c]) => c === block)?.[0];
    if (!subnet) subnet = subnetIds.find((s) => !cidrOf.has(s));
    if (!subnet) {
      subnet = derivedId('subnet', `node ${n.instanceId}`);
      subnetIds.push(subnet);
    }
    if (block && !cidrOf.has(subnet) && ![...cidrOf.values()].includes(block)) cidrOf.set(subnet, block);
    subnetOfNode.set(n.instanceId, subnet);
  }
  const freeBlocks = free24s(vpc, new Set(cidrOf.values()));
  for (const s of subnetIds) {
    if (!cidrOf.has(s)) {
      const next = freeBlocks.next();
      if (next.done) throw new Error(`the VPC ${vpcCidr} has no free /24 left for subnet ${s}`);
      cidrOf.set(s, next.value);
    }
  }
  const azOf = (i: number) => `${region}${'abcdef'[i % 6]}`;

  // Private IPs: the node's own where it has one, else the next free address of its subnet.
  const taken = new Set<string>(ips);
  const nextIp = (subnet: string) => {
    const block = parseCidr(cidrOf.get(subnet) as string) as Cidr;
    for (let i = 10; i < 2 ** (32 - block.prefix); i++) {
      const ip = intToIp(block.network + i);
      if (!taken.has(ip) && !isReservedInSubnet(block, ip)) {
        taken.add(ip);
        return ip;
      }
    }
    throw new Error(`subnet ${subnet} (${cidrOf.get(subnet)}) has no free address left`);
  };

  const preferred = new Map<string, NodeConfig>();
  for (const g of config.groups) preferred.set(g.id, preferredNode(g));

  const instances = nodes.map((n) => {
    const subnet = subnetOfNode.get(n.instanceId) as string;
    const block = parseCidr(cidrOf.get(subnet) as string) as Cidr;
    const own = firstIp(n);
    const primary = own && cidrContains(block, own) ? own : nextIp(subnet);
    const secondary = new Set<string>();
    if (n.privateIp && n.privateIp !== primary) secondary.add(n.privateIp);
    for (const g of config.groups) {
      if (preferred.get(g.id)?.instanceId !== n.instanceId) continue;
      for (const r of g.resources) if (r.kind === 'secondary-ip') secondary.add(r.ip);
    }
    return {
      id: n.instanceId,
      name: n.id,
      subnet,
      launchTime: '2026-01-01T00:00:00Z',
      // NAT instances forward traffic that is not theirs: EC2 requires source/dest check off.
      sourceDestCheck: !config.groups.some(
        (g) =>
          g.nodes.some((x) => x.instanceId === n.instanceId) && g.resources.some((r) => r.kind === 'route'),
      ),
      networkInterfaces: [
        {
          id: n.eni ?? derivedId('eni', `instance ${n.instanceId}`),
          privateIp: primary,
          secondaryPrivateIps: [...secondary],
        },
      ],
    };
  });
  const eniOf = (instanceId: string) =>
    instances.find((i) => i.id === instanceId)?.networkInterfaces[0]?.id as string;

  const elasticIps: NonNullable<TopologyInput['elasticIps']> = [];
  let testNet = 10;
  for (const g of config.groups) {
    const holder = preferred.get(g.id) as NodeConfig;
    for (const r of g.resources) {
      if (r.kind !== 'elastic-ip') continue;
      elasticIps.push({
        allocationId: r.allocationId,
        publicIp: r.publicIp ?? `203.0.113.${testNet++}`,
        association: {
          networkInterface: eniOf(holder.instanceId),
          ...(holder.privateIp ? { privateIp: holder.privateIp } : {}),
        },
      });
    }
  }

  // Route tables: the vantages', the moved routes' and the nodes' own, then a main table.
  type Table = {
    id: string;
    routes: Array<{ destination: string; target: string }>;
    associations: Array<{ subnet: string }>;
  };
  const tables = new Map<string, Table>();
  const table = (id: string) => {
    let t = tables.get(id);
    if (!t) {
      t = { id, routes: [], associations: [] };
      tables.set(id, t);
    }
    return t;
  };
  const associated = new Set<string>();
  const associate = (tableId: string, subnet: string) => {
    if (associated.has(subnet)) return;
    associated.add(subnet);
    table(tableId).associations.push({ subnet });
  };
  for (const g of config.groups) {
    const holder = preferred.get(g.id) as NodeConfig;
    for (const n of g.nodes) if (n.routeTable) table(n.routeTable);
    for (const r of g.resources) {
      if (r.kind === 'route') {
        for (const id of r.routeTables) {
          const t = table(id);
          if (!t.routes.some((x) => x.destination === r.destination))
            t.routes.push({ destination: r.destination, target: eniOf(holder.instanceId) });
        }
      } else if (r.kind === 'route-table-association' && holder.routeTable) {
        for (const s of r.subnets) associate(holder.routeTable, s);
      }
    }
  }
  for (const v of config.vantages) if (v.routeTable) associate(v.routeTable, v.subnet);
  const mainId = derivedId('rtb', `main of ${config.vpc ?? vpcCidr}`);
  const endpointId = derivedId('vpce', `dynamodb of ${config.vpc ?? vpcCidr}`);
  const main = table(mainId);
  for (const v of config.vantages) {
    const t = tables.get(
      [...tables.values()].find((x) => x.associations.some((a) => a.subnet === v.subnet))?.id ?? mainId,
    );
    if (t && !t.routes.some((x) => x.destination.startsWith('pl-')))
      t.routes.push({ destination: DYNAMODB_PREFIX_LIST, target: endpointId });
  }

  return {
    region,
    vpc: { id: config.vpc ?? derivedId('vpc', vpcCidr), cidr: vpcCidr },
    subnets: subnetIds.map((id, i) => ({ id, cidr: cidrOf.get(id) as string, az: azOf(i) })),
    instances,
    elasticIps,
    routeTables: [...tables.values()].map((t) => ({ ...t, main: t === main })),
    sns: { topics: ['ha-arbiter-alerts'] },
  };
}

/** The prefix list the derived DynamoDB gateway endpoint routes use (DynamoDB in us-east-1). */
const DYNAMODB_PREFIX_LIST = 'pl-02cd2c6b';

/**
 * The config's ids that a topology lacks: what `npm run local -- --config X --topology T` lists
 * before starting anything, since a world without them answers every call with NotFound.
 */
export function idsMissingFromTopology(
  config: ArbiterConfig,
  topology: {
    vpc: { id: string };
    subnets: ReadonlyArray<{ id: string }>;
    instances: ReadonlyArray<{ id: string; networkInterfaces: ReadonlyArray<{ id: string }> }>;
    elasticIps: ReadonlyArray<{ allocationId: string }>;
    routeTables: ReadonlyArray<{ id: string }>;
  },
): string[] {
  const have = new Set<string>([
    topology.vpc.id,
    ...topology.subnets.map((s) => s.id),
    ...topology.instances.flatMap((i) => [i.id, ...i.networkInterfaces.map((e) => e.id)]),
    ...topology.elasticIps.map((e) => e.allocationId),
    ...topology.routeTables.map((t) => t.id),
  ]);
  const missing: string[] = [];
  const need = (id: string | undefined, what: string) => {
    if (id && !have.has(id) && !missing.some((m) => m.startsWith(`${id} `))) missing.push(`${id} (${what})`);
  };
  need(config.vpc, 'vpc');
  for (const v of config.vantages) {
    need(v.subnet, `subnet of vantage ${v.id}`);
    need(v.routeTable, `route table of vantage ${v.id}`);
  }
  for (const g of config.groups) {
    for (const n of g.nodes) {
      need(n.instanceId, `instance of node ${n.id}`);
      need(n.eni, `ENI of node ${n.id}`);
      need(n.subnet, `subnet of node ${n.id}`);
      need(n.routeTable, `route table of node ${n.id}`);
    }
    for (const r of g.resources) {
      if (r.kind === 'elastic-ip') need(r.allocationId, `Elastic IP of group ${g.id}`);
      if (r.kind === 'route') for (const t of r.routeTables) need(t, `route table of group ${g.id}`);
      if (r.kind === 'route-table-association') for (const s of r.subnets) need(s, `subnet of group ${g.id}`);
    }
  }
  return missing;
}

/** Each instance once, with the first node entry that names it. */
function uniqueNodes(config: ArbiterConfig): NodeConfig[] {
  const seen = new Map<string, NodeConfig>();
  for (const g of config.groups)
    for (const n of g.nodes) if (!seen.has(n.instanceId)) seen.set(n.instanceId, n);
  return [...seen.values()];
}

/** The node that holds a group's resources at start: the highest priority, first on a tie. */
function preferredNode(g: GroupConfig): NodeConfig {
  return g.nodes.reduce((best, n) => (n.priority > best.priority ? n : best));
}

function isPrivateIpv4(text: string): boolean {
  if (!isIpv4(text)) return false;
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some((c) =>
    cidrContains(parseCidr(c) as Cidr, text),
  );
}

/** The /16 (or wider, down to /8) that holds every address, inside one private range. */
function enclosingCidr(ips: readonly string[]): string | undefined {
  const first = ips[0];
  if (!first) return undefined;
  for (let prefix = 16; prefix >= 8; prefix--) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const network = (ipToInt(first) & mask) >>> 0;
    if (ips.every((ip) => (ipToInt(ip) & mask) >>> 0 === network)) return `${intToIp(network)}/${prefix}`;
  }
  throw new Error(
    `the node addresses ${ips.join(', ')} do not fit in one VPC (a /8 at most); write a topology for them (docs/topology.md)`,
  );
}

/** /24 blocks of the VPC not yet used, in order. */
function* free24s(vpc: Cidr, used: ReadonlySet<string>): Generator<string> {
  const size = 2 ** (32 - vpc.prefix);
  for (let offset = 0; offset + 256 <= size; offset += 256) {
    const block = `${intToIp(vpc.network + offset)}/24`;
    if (!used.has(block)) yield block;
  }
}

/** An AWS-shaped id (`prefix-0` + 16 hex digits) derived from what it stands for. */
function derivedId(prefix: string, seed: string): string {
  return `${prefix}-0${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}
