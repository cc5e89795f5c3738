import type { Topology } from '../local/cloud/topology-schema';
import type { IdFactory } from '../local/cloud/util/ids';
import type { RouteTableAssociationRecord, RouteTargetRecord } from './records';
import { Ec2State } from './state';

/** A stable pseudo MAC derived from the ENI id, so repeated runs show the same value. */
function macFor(eniId: string): string {
  let hash = 0;
  for (const ch of eniId) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  const bytes = [2, hash >>> 24, hash >>> 16, hash >>> 8, hash, eniId.length].map((b) => b & 255);
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function routeTargetFrom(target: string, world: Ec2State): RouteTargetRecord {
  if (target === 'local') return { kind: 'local' };
  if (target.startsWith('igw-') || target.startsWith('vpce-')) return { kind: 'gateway', gatewayId: target };
  if (target.startsWith('i-')) {
    // AWS stores an instance route target as the instance's primary ENI.
    return { kind: 'eni', networkInterfaceId: world.primaryEniOf(target)?.id ?? target };
  }
  return { kind: 'eni', networkInterfaceId: target };
}

function reserveTopologyIds(topology: Topology, ids: IdFactory): void {
  for (const eip of topology.elasticIps) if (eip.association?.id) ids.reserve(eip.association.id);
  for (const table of topology.routeTables) {
    if (table.mainAssociationId) ids.reserve(table.mainAssociationId);
    for (const a of table.associations) if (a.id) ids.reserve(a.id);
  }
}

/**
 * Fills a new world from a validated topology: records for subnets, instances,
 * ENIs, Elastic IPs and route tables, with generated ids where the topology
 * leaves them out (reservations, attachments, associations).
 */
export function populateState(topology: Topology, ids: IdFactory, now: Date): Ec2State {
  const world = new Ec2State({
    region: topology.region,
    accountId: topology.accountId,
    vpcId: topology.vpc.id,
    vpcCidr: topology.vpc.cidr,
  });
  reserveTopologyIds(topology, ids);

  for (const s of topology.subnets) {
    world.subnets.set(s.id, { id: s.id, cidr: s.cidr, availabilityZone: s.az, name: s.name });
  }
  for (const inst of topology.instances) {
    const subnet = world.subnets.get(inst.subnet);
    const status =
      typeof inst.status === 'string' ? { instance: inst.status, system: inst.status } : inst.status;
    const enis = [...inst.networkInterfaces].sort((a, b) => a.deviceIndex - b.deviceIndex);
    world.instances.set(inst.id, {
      id: inst.id,
      name: inst.name,
      state: inst.state,
      subnetId: inst.subnet,
      availabilityZone: subnet?.availabilityZone ?? `${world.region}a`,
      instanceType: inst.instanceType,
      imageId: inst.imageId,
      launchTime: inst.launchTime ? new Date(inst.launchTime) : now,
      reservationId: ids.next('r'),
      instanceStatus: status.instance,
      systemStatus: status.system,
      endpoint: inst.endpoint,
      tags: { Name: inst.name, ...inst.tags },
      networkInterfaceIds: enis.map((e) => e.id),
    });
    for (const eni of enis) {
      const subnetId = eni.subnet ?? inst.subnet;
      world.networkInterfaces.set(eni.id, {
        id: eni.id,
        subnetId,
        availabilityZone: world.subnets.get(subnetId)?.availabilityZone ?? `${world.region}a`,
        instanceId: inst.id,
        deviceIndex: eni.deviceIndex,
        attachmentId: ids.next('eni-attach'),
        macAddress: macFor(eni.id),
        description: eni.description,
        maxPrivateIps: eni.maxPrivateIps,
        sourceDestCheck: inst.sourceDestCheck,
        privateIps: [eni.privateIp, ...eni.secondaryPrivateIps],
      });
    }
  }
  for (const eip of topology.elasticIps) {
    const a = eip.association;
    const eni = a ? world.networkInterfaces.get(a.networkInterface) : undefined;
    world.addresses.set(eip.allocationId, {
      allocationId: eip.allocationId,
      publicIp: eip.publicIp,
      association:
        a && eni
          ? {
              id: a.id ?? ids.next('eipassoc'),
              networkInterfaceId: eni.id,
              privateIp: a.privateIp ?? eni.privateIps[0] ?? '',
            }
          : undefined,
    });
  }
  for (const table of topology.routeTables) {
    const associations: RouteTableAssociationRecord[] = table.associations.map((a) => ({
      id: a.id ?? ids.next('rtbassoc'),
      subnetId: a.subnet,
      main: false,
    }));
    if (table.main) {
      associations.unshift({
        id: table.mainAssociationId ?? ids.next('rtbassoc'),
        subnetId: undefined,
        main: true,
      });
    }
    const routes = table.routes.map((r) => ({
      destination: r.destination,
      target: routeTargetFrom(r.target, world),
    }));
    // Every VPC route table has the local route; add it when the file leaves it out.
    if (!routes.some((r) => r.destination === world.vpcCidr)) {
      routes.unshift({ destination: world.vpcCidr, target: { kind: 'local' } });
    }
    world.routeTables.set(table.id, { id: table.id, name: table.name, routes, associations });
  }
  const serviceName = (service: string) =>
    service.startsWith('com.amazonaws.') ? service : `com.amazonaws.${world.region}.${service}`;
  for (const table of topology.routeTables) {
    for (const r of table.routes) {
      if (!r.target.startsWith('vpce-') || world.vpcEndpoints.has(r.target)) continue;
      world.vpcEndpoints.set(r.target, {
        id: r.target,
        type: 'Gateway',
        serviceName: serviceName(r.service ?? 'dynamodb'),
        state: 'available',
        subnetIds: [],
        prefixListId: r.destination,
      });
    }
  }
  for (const e of topology.vpcEndpoints) {
    world.vpcEndpoints.set(e.id, {
      id: e.id,
      type: 'Interface',
      serviceName: serviceName(e.service),
      state: e.state,
      subnetIds: e.subnets,
      prefixListId: undefined,
    });
  }
  for (const [key, actions] of Object.entries(topology.permissions.deny)) {
    world.denied.set(key, new Set(actions));
  }
  return world;
}
