import type { Topology } from '../topology-schema.js';
import { parseCidr } from '../util/cidr.js';
import type { IdFactory } from '../util/ids.js';
import type {
  AddressRecord,
  InstanceRecord,
  InstanceStateName,
  NetworkInterfaceRecord,
  RouteTableAssociationRecord,
  RouteTableRecord,
  StatusCheck,
  SubnetRecord,
  VpcEndpointRecord,
} from './model.js';
import { populateWorld } from './populate.js';

/** Called when an instance changes state (e.g. so a demo can kill the node of a stopped instance). */
export type InstanceStateListener = (
  instanceId: string,
  state: InstanceStateName,
  previous: InstanceStateName,
) => void;

/**
 * The API-side state of the local cloud: what Describe calls report. Mutating
 * EC2 actions change these records directly; the data path (see `data-path.ts`)
 * follows them after the propagation delay.
 */
export class World {
  readonly region: string;
  readonly accountId: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly subnets = new Map<string, SubnetRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly networkInterfaces = new Map<string, NetworkInterfaceRecord>();
  readonly addresses = new Map<string, AddressRecord>();
  readonly routeTables = new Map<string, RouteTableRecord>();
  readonly vpcEndpoints = new Map<string, VpcEndpointRecord>();
  /** Access key id -> denied EC2 actions (`*` = all). */
  readonly denied = new Map<string, Set<string>>();
  readonly #listeners = new Set<InstanceStateListener>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(topology: Topology, ids: IdFactory, now: Date = new Date()) {
    this.region = topology.region;
    this.accountId = topology.accountId;
    this.vpcId = topology.vpc.id;
    this.vpcCidr = topology.vpc.cidr;
    populateWorld(this, topology, ids, now);
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

  /** Replaces the denied actions of an access key (empty list = allow all). */
  setDenied(accessKeyId: string, actions: readonly string[]): void {
    if (actions.length === 0) this.denied.delete(accessKeyId);
    else this.denied.set(accessKeyId, new Set(actions));
  }

  /** Sets an instance state and tells listeners. */
  setInstanceState(instanceId: string, state: InstanceStateName): void {
    const instance = this.#instance(instanceId);
    const previous = instance.state;
    if (previous === state) return;
    instance.state = state;
    for (const listener of this.#listeners) listener(instanceId, state, previous);
  }

  /** Sets the instance and/or system status check result. */
  setInstanceStatus(instanceId: string, status: { instance?: StatusCheck; system?: StatusCheck }): void {
    const instance = this.#instance(instanceId);
    if (status.instance) instance.instanceStatus = status.instance;
    if (status.system) instance.systemStatus = status.system;
  }

  /** Points an instance at the loopback endpoint its node server actually got. */
  setEndpoint(instanceId: string, endpoint: string | undefined): void {
    if (endpoint !== undefined && !/^127\.0\.0\.1:\d{1,5}$/.test(endpoint)) {
      throw new Error(`endpoint must be 127.0.0.1:PORT, got ${endpoint}`);
    }
    this.#instance(instanceId).endpoint = endpoint;
  }

  /** Subscribes to instance state changes; returns the unsubscribe function. */
  onInstanceState(listener: InstanceStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `fn` later unless the world is disposed first (used for stopping -> stopped). */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  /** Cancels pending timers. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#listeners.clear();
  }

  /** Plain-JSON dump of everything, for `GET /_local/state` and debugging. */
  snapshot(): Record<string, unknown> {
    return {
      region: this.region,
      accountId: this.accountId,
      vpc: { id: this.vpcId, cidr: this.vpcCidr },
      subnets: [...this.subnets.values()],
      instances: [...this.instances.values()],
      networkInterfaces: [...this.networkInterfaces.values()],
      addresses: [...this.addresses.values()],
      routeTables: [...this.routeTables.values()],
      vpcEndpoints: [...this.vpcEndpoints.values()],
      denied: Object.fromEntries([...this.denied].map(([key, actions]) => [key, [...actions]])),
    };
  }

  #instance(instanceId: string): InstanceRecord {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`unknown instance ${instanceId}`);
    return instance;
  }
}
