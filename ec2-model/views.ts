import type { RouteTargetRecord } from './records';
import type { Ec2State } from './state';

/** The node an address or route leads to. */
export interface Holder {
  readonly instanceId: string;
  readonly networkInterfaceId: string;
  /** The private IP the address lands on. */
  readonly privateIpAddress: string;
  /** Loopback endpoint of the instance's node server, when known. */
  readonly endpoint: string | undefined;
}

/** Where a route sends traffic: an instance (via its ENI) or a gateway (`local`, `igw-...`). */
export interface RouteTarget {
  readonly instanceId?: string;
  readonly networkInterfaceId?: string;
  readonly gatewayId?: string;
  readonly endpoint?: string;
}

/**
 * "Who holds this address / where does this route go". Two implementations:
 * the API view (what Describe reports, changes at once) and the data path
 * (what packets see, changes only after the propagation delay).
 */
export interface AddressView {
  /** The node an Elastic IP reaches, or null when unassociated or unknown. */
  holderOfPublicIp(publicIp: string): Holder | null;
  /** The node holding a private IP, or null. */
  holderOfPrivateIp(privateIp: string): Holder | null;
  /** Where a route of a table points, or null when there is no such route. */
  routeTarget(routeTableId: string, destinationCidr: string): RouteTarget | null;
  /** The route table a subnet uses (explicit association, else the main table), or null. */
  routeTableOfSubnet(subnetId: string): string | null;
}

/** The parts of a holder that propagate; the endpoint is looked up when asked. */
export interface HolderRef {
  readonly networkInterfaceId: string;
  readonly privateIpAddress: string;
}

/** A route target before endpoint lookup. */
export type TargetRef = { readonly networkInterfaceId: string } | { readonly gatewayId: string };

function targetRef(target: RouteTargetRecord): TargetRef {
  if (target.kind === 'eni') return { networkInterfaceId: target.networkInterfaceId };
  if (target.kind === 'gateway') return { gatewayId: target.gatewayId };
  return { gatewayId: 'local' };
}

/** Raw API-side lookups, without endpoint resolution. */
export const apiRefs = {
  publicIp(world: Ec2State, publicIp: string): HolderRef | null {
    const association = world.addressByPublicIp(publicIp)?.association;
    return association
      ? { networkInterfaceId: association.networkInterfaceId, privateIpAddress: association.privateIp }
      : null;
  },
  privateIp(world: Ec2State, privateIp: string): HolderRef | null {
    const eni = world.eniByPrivateIp(privateIp);
    return eni ? { networkInterfaceId: eni.id, privateIpAddress: privateIp } : null;
  },
  route(world: Ec2State, routeTableId: string, cidr: string): TargetRef | null {
    const route = world.routeTables.get(routeTableId)?.routes.find((r) => r.destination === cidr);
    return route ? targetRef(route.target) : null;
  },
  subnet(world: Ec2State, subnetId: string): string | null {
    return world.routeTableOfSubnet(subnetId)?.id ?? null;
  },
};

/** Completes a holder reference with its instance and endpoint. */
export function resolveHolder(world: Ec2State, ref: HolderRef | null): Holder | null {
  if (!ref) return null;
  const eni = world.networkInterfaces.get(ref.networkInterfaceId);
  if (!eni) return null;
  return { ...ref, instanceId: eni.instanceId, endpoint: world.instances.get(eni.instanceId)?.endpoint };
}

/** Completes a route target reference with its instance and endpoint. */
export function resolveTarget(world: Ec2State, ref: TargetRef | null): RouteTarget | null {
  if (!ref) return null;
  if ('gatewayId' in ref) return { gatewayId: ref.gatewayId };
  const eni = world.networkInterfaces.get(ref.networkInterfaceId);
  if (!eni) return { networkInterfaceId: ref.networkInterfaceId };
  return {
    networkInterfaceId: eni.id,
    instanceId: eni.instanceId,
    endpoint: world.instances.get(eni.instanceId)?.endpoint,
  };
}

/** The API view: reflects every change immediately, like Describe calls. */
export function apiView(world: Ec2State): AddressView {
  return {
    holderOfPublicIp: (ip) => resolveHolder(world, apiRefs.publicIp(world, ip)),
    holderOfPrivateIp: (ip) => resolveHolder(world, apiRefs.privateIp(world, ip)),
    routeTarget: (rtb, cidr) => resolveTarget(world, apiRefs.route(world, rtb, cidr)),
    routeTableOfSubnet: (subnetId) => apiRefs.subnet(world, subnetId),
  };
}

/**
 * Every data-path-relevant fact of the world as key -> JSON value, so the data
 * path can diff successive states and delay only what changed.
 */
export function dataPathFacts(world: Ec2State): Map<string, string> {
  const facts = new Map<string, string>();
  for (const a of world.addresses.values()) {
    facts.set(`public:${a.publicIp}`, JSON.stringify(apiRefs.publicIp(world, a.publicIp)));
  }
  for (const eni of world.networkInterfaces.values()) {
    for (const ip of eni.privateIps) facts.set(`private:${ip}`, JSON.stringify(apiRefs.privateIp(world, ip)));
  }
  for (const table of world.routeTables.values()) {
    for (const r of table.routes) {
      facts.set(`route:${table.id}|${r.destination}`, JSON.stringify(targetRef(r.target)));
    }
  }
  for (const subnetId of world.subnets.keys()) {
    facts.set(`subnet:${subnetId}`, JSON.stringify(apiRefs.subnet(world, subnetId)));
  }
  return facts;
}
