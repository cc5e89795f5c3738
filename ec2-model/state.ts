import { parseCidr } from '../local/cloud/util/cidr';
import type {
  AddressRecord,
  InstanceRecord,
  NetworkInterfaceRecord,
  RouteTableAssociationRecord,
  RouteTableRecord,
  SubnetRecord,
  VpcEndpointRecord,
} from './records';

/** Region, account and VPC: fixed for the life of a model. */
export interface Ec2Identity {
  readonly region: string;
  readonly accountId: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
}

/**
 * One version of EC2's state: the records the actions read and change, and the
 * lookups several actions share. The model keeps the latest version (which every
 * mutation validates against, as AWS does) and a short log of older clones that
 * lagging Describe calls may answer from.
 */
export class Ec2State implements Ec2Identity {
  readonly subnets = new Map<string, SubnetRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly networkInterfaces = new Map<string, NetworkInterfaceRecord>();
  readonly addresses = new Map<string, AddressRecord>();
  readonly routeTables = new Map<string, RouteTableRecord>();
  readonly vpcEndpoints = new Map<string, VpcEndpointRecord>();
  /** Access key id -> denied EC2 actions (`*` = all). */
  readonly denied = new Map<string, Set<string>>();

  constructor(readonly identity: Ec2Identity) {}

  get region(): string {
    return this.identity.region;
  }
  get accountId(): string {
    return this.identity.accountId;
  }
  get vpcId(): string {
    return this.identity.vpcId;
  }
  get vpcCidr(): string {
    return this.identity.vpcCidr;
  }

  /** A deep copy: later mutations of this state do not show in the copy. */
  clone(): Ec2State {
    const copy = new Ec2State(this.identity);
    const each = <T>(from: Map<string, T>, to: Map<string, T>) => {
      for (const [id, record] of from) to.set(id, structuredClone(record));
    };
    each(this.subnets, copy.subnets);
    each(this.instances, copy.instances);
    each(this.networkInterfaces, copy.networkInterfaces);
    each(this.addresses, copy.addresses);
    each(this.routeTables, copy.routeTables);
    each(this.vpcEndpoints, copy.vpcEndpoints);
    for (const [key, actions] of this.denied) copy.denied.set(key, new Set(actions));
    return copy;
  }

  /** The ENI at device index 0 of an instance. */
  primaryEniOf(instanceId: string): NetworkInterfaceRecord | undefined {
    const id = this.instances.get(instanceId)?.networkInterfaceIds[0];
    return id === undefined ? undefined : this.networkInterfaces.get(id);
  }

  /** The ENI holding a private IP, if any. */
  eniByPrivateIp(ip: string): NetworkInterfaceRecord | undefined {
    for (const eni of this.networkInterfaces.values()) if (eni.privateIps.includes(ip)) return eni;
    return undefined;
  }

  /** The Elastic IP bound to a given ENI and private IP, if any. */
  addressOn(networkInterfaceId: string, privateIp: string): AddressRecord | undefined {
    for (const a of this.addresses.values()) {
      if (a.association?.networkInterfaceId === networkInterfaceId && a.association.privateIp === privateIp)
        return a;
    }
    return undefined;
  }

  /** The Elastic IP by public address. */
  addressByPublicIp(publicIp: string): AddressRecord | undefined {
    for (const a of this.addresses.values()) if (a.publicIp === publicIp) return a;
    return undefined;
  }

  /** The Elastic IP with a given association id. */
  addressByAssociationId(associationId: string): AddressRecord | undefined {
    for (const a of this.addresses.values()) if (a.association?.id === associationId) return a;
    return undefined;
  }

  /** The route table association with this id, and its table. */
  routeTableAssociation(
    associationId: string,
  ): { table: RouteTableRecord; association: RouteTableAssociationRecord } | undefined {
    for (const table of this.routeTables.values()) {
      const association = table.associations.find((a) => a.id === associationId);
      if (association) return { table, association };
    }
    return undefined;
  }

  /** The table routing a subnet: its explicit association, else the main table. */
  routeTableOfSubnet(subnetId: string): RouteTableRecord | undefined {
    if (!this.subnets.has(subnetId)) return undefined;
    let main: RouteTableRecord | undefined;
    for (const table of this.routeTables.values()) {
      for (const a of table.associations) {
        if (a.subnetId === subnetId) return table;
        if (a.main) main = table;
      }
    }
    return main;
  }

  /** Private IPs in use in a subnet (for AvailableIpAddressCount and auto-assignment). */
  usedIpsInSubnet(subnetId: string): Set<string> {
    const used = new Set<string>();
    for (const eni of this.networkInterfaces.values()) {
      if (eni.subnetId === subnetId) for (const ip of eni.privateIps) used.add(ip);
    }
    return used;
  }

  /** Usable addresses left in a subnet (AWS reserves five per subnet). */
  availableIpCount(subnetId: string): number {
    const subnet = this.subnets.get(subnetId);
    const block = subnet ? parseCidr(subnet.cidr) : undefined;
    if (!block) return 0;
    return Math.max(0, block.size - 5 - this.usedIpsInSubnet(subnetId).size);
  }

  /** True when the access key may not call the action. */
  isDenied(accessKeyId: string, action: string): boolean {
    const actions = this.denied.get(accessKeyId);
    return actions !== undefined && (actions.has('*') || actions.has(action));
  }
}
