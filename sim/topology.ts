import type { EC2Client } from '@aws-sdk/client-ec2';
import { ensureTopology } from '../local/cloud/topology';
import type { Topology } from '../local/cloud/topology-schema';
import { createMover } from '../shared/adapters/aws/movers';
import { validateConfig } from '../shared/config/load';
import type { ArbiterConfig, GroupConfig, ResourceConfig } from '../shared/config/schema';

/** Start of simulated time: a fixed instant, never the wall clock. */
export const SIM_EPOCH = Date.UTC(2026, 10, 23, 0, 0, 0);

const NODE_IDS = ['n1', 'n2', 'n3'] as const;
/** The subnet of the nodes' ENIs (the secondary IP moves inside it). */
const NODE_SUBNET = { id: 'subnet-00000000000000b1', cidr: '10.0.1.0/24', az: 'us-east-1a' } as const;
/** Subnets whose route-table association moves. */
const PRIVATE_SUBNETS = [
  { id: 'subnet-00000000000000d1', cidr: '10.0.2.0/24', az: 'us-east-1a' },
  { id: 'subnet-00000000000000d2', cidr: '10.0.3.0/24', az: 'us-east-1b' },
] as const;
const VANTAGE_IDS = ['va', 'vb', 'vc'] as const;

/** One configuration the simulator runs (policy and shape of the group). */
export interface Variant {
  name: string;
  nodes: number;
  vantages: number;
  quorum: number;
  cooldownSeconds: number;
  failback: 'manual' | 'auto';
  holdDownSeconds: number;
  breaker: { maxFailovers: number; windowSeconds: number };
  mode: 'active' | 'observe';
  leaseSeconds: number;
  /** Lambda timeout of the arbiter; null = no timeout (a paused process may wake up much later). */
  arbiterTimeoutMs: number | null;
  /** Move every resource kind that has a mover, not only the Elastic IP. */
  allResources: boolean;
  /** `fence: stop`: StopInstances on the failed node after a move. */
  fence: boolean;
  drift: 'repair' | 'report';
}

/** The variants, indexed by an episode's `variant` (modulo their number). */
export const VARIANTS: readonly Variant[] = [
  base({ name: '3 nodes, quorum 2 of 3, sticky' }),
  base({
    name: '2 nodes, 2 vantages, failback auto',
    nodes: 2,
    vantages: 2,
    failback: 'auto',
    holdDownSeconds: 60,
  }),
  base({ name: '3 nodes, quorum 1, cooldown 30 s', quorum: 1, cooldownSeconds: 30 }),
  base({ name: 'every resource kind together', allResources: true }),
  base({ name: 'short lease (10 s), Lambda timeout 8 s', leaseSeconds: 10, arbiterTimeoutMs: 8_000 }),
  base({ name: 'circuit breaker 2 per 10 min', breaker: { maxFailovers: 2, windowSeconds: 600 } }),
  base({ name: 'observe mode', mode: 'observe' }),
  base({
    name: 'no cooldown, failback auto, all resources',
    cooldownSeconds: 0,
    failback: 'auto',
    allResources: true,
  }),
  base({ name: 'fence: stop, drift: report', fence: true, drift: 'report' }),
  base({ name: 'lease 25 s, 2 nodes, cooldown 5 s', leaseSeconds: 25, nodes: 2, cooldownSeconds: 5 }),
];

function base(v: Partial<Variant> & { name: string }): Variant {
  return {
    nodes: 3,
    vantages: 3,
    quorum: 2,
    cooldownSeconds: 60,
    failback: 'manual',
    holdDownSeconds: 60,
    breaker: { maxFailovers: 50, windowSeconds: 3600 },
    mode: 'active',
    leaseSeconds: 60,
    arbiterTimeoutMs: null,
    allResources: false,
    fence: false,
    drift: 'repair',
    ...v,
  };
}

const ALL_RESOURCES: ResourceConfig[] = [
  { kind: 'elastic-ip', allocationId: 'eipalloc-0000000000000001' },
  { kind: 'secondary-ip', ip: '10.0.1.100' },
  { kind: 'route', destination: '0.0.0.0/0', routeTables: ['rtb-000000000000000a', 'rtb-000000000000000b'] },
  { kind: 'route-table-association', subnets: [PRIVATE_SUBNETS[0].id, PRIVATE_SUBNETS[1].id] },
];

/** Resource kinds that have a mover in shared/adapters/aws/movers today. */
export function supportedResources(): ResourceConfig[] {
  const probe = { id: 'probe', nodes: [], resources: [] } as unknown as GroupConfig;
  return ALL_RESOURCES.filter((r) => {
    try {
      createMover(r, probe, {} as EC2Client);
      return true;
    } catch {
      return false;
    }
  });
}

/** The validated config of a variant (through the real config validation). */
export function buildConfig(variant: Variant): ArbiterConfig {
  const resources = variant.allResources ? supportedResources() : [ALL_RESOURCES[0] as ResourceConfig];
  const raw = {
    version: 1,
    vantages: VANTAGE_IDS.slice(0, variant.vantages).map((id, i) => ({
      id,
      subnet: `subnet-00000000000000f${i}`,
    })),
    arbiter: { leaseSeconds: variant.leaseSeconds, heartbeatSeconds: 30, maxEventAgeSeconds: 30 },
    groups: [
      {
        id: 'web',
        check: { type: 'http', port: 80, path: '/healthz' },
        nodes: NODE_IDS.slice(0, variant.nodes).map((id, i) => ({
          id,
          instanceId: `i-000000000000000${i + 1}`,
          address: `10.0.1.${11 + i}`,
          eni: `eni-000000000000000${i + 1}`,
          routeTable: `rtb-00000000000000c${i + 1}`,
          priority: 200 - 50 * i,
        })),
        resources,
        policy: {
          intervalSeconds: 5,
          timeoutMs: 2000,
          fall: 2,
          rise: 2,
          quorum: variant.quorum,
          staleAfterSeconds: 90,
          cooldownSeconds: variant.cooldownSeconds,
          failback: variant.failback,
          holdDownSeconds: variant.holdDownSeconds,
          breaker: variant.breaker,
          mode: variant.mode,
          graceSeconds: 30,
          fence: variant.fence ? 'stop' : 'none',
          drift: variant.drift,
        },
      },
    ],
  };
  return validateConfig(raw, `simulation variant "${variant.name}"`);
}

/**
 * EC2 as the episode starts, as a topology of the one EC2 model (validated like a
 * topology file): every resource on the first (highest-priority) node.
 */
export function buildTopology(group: GroupConfig): Topology {
  const key = JSON.stringify(group.nodes);
  const cached = TOPOLOGIES.get(key);
  if (cached) return cached;
  const topology = validTopology(group);
  TOPOLOGIES.set(key, topology);
  return topology;
}

/** Validated topologies by node list: every episode of a variant starts from the same one. */
const TOPOLOGIES = new Map<string, Topology>();

function validTopology(group: GroupConfig): Topology {
  const first = group.nodes[0];
  if (!first?.eni) throw new Error('the first node needs an ENI');
  const launchTime = new Date(SIM_EPOCH - 86_400_000).toISOString();
  return ensureTopology({
    vpc: { id: 'vpc-00000000000000a1', cidr: '10.0.0.0/16' },
    subnets: [NODE_SUBNET, ...PRIVATE_SUBNETS],
    instances: group.nodes.map((n, i) => ({
      id: n.instanceId,
      name: n.id,
      subnet: NODE_SUBNET.id,
      launchTime,
      sourceDestCheck: false,
      networkInterfaces: [
        {
          id: n.eni as string,
          privateIp: n.address,
          secondaryPrivateIps: i === 0 ? ['10.0.1.100'] : [],
        },
      ],
    })),
    elasticIps: [
      {
        allocationId: 'eipalloc-0000000000000001',
        publicIp: '203.0.113.10',
        association: { networkInterface: first.eni },
      },
    ],
    routeTables: [
      { id: 'rtb-00000000000000e1', name: 'main', main: true },
      { id: 'rtb-000000000000000a', routes: [{ destination: '0.0.0.0/0', target: first.eni }] },
      { id: 'rtb-000000000000000b', routes: [{ destination: '0.0.0.0/0', target: first.eni }] },
      ...group.nodes.map((n, i) => ({
        id: n.routeTable as string,
        routes: [{ destination: '0.0.0.0/0', target: n.eni as string }],
        associations: i === 0 ? PRIVATE_SUBNETS.map((s) => ({ subnet: s.id })) : [],
      })),
    ],
  });
}
