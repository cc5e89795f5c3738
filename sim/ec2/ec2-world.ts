import { sdkError } from './sdk-error';
import { Versioned } from './versioned';

interface InstanceRec {
  id: string;
  state: string;
  impaired: boolean;
  launchTime: number;
}

interface EniRec {
  id: string;
  instanceId: string;
  subnetId: string;
  primaryIp: string;
  secondary: Versioned<readonly string[]>;
}

interface Association {
  eni?: string;
  privateIp?: string;
  associationId?: string;
}

interface AddressRec {
  allocationId: string;
  publicIp: string;
  assoc: Versioned<Association>;
}

interface RouteTableRec {
  id: string;
  /** Destination CIDR -> target ENI. */
  routes: Versioned<Readonly<Record<string, string>>>;
}

interface SubnetAssociation {
  subnetId: string;
  routeTableId: string;
}

/** The starting topology of the model. */
export interface Ec2Topology {
  instances: { id: string; launchTime: number }[];
  enis: { id: string; instanceId: string; subnetId: string; primaryIp: string; secondary?: string[] }[];
  addresses: { allocationId: string; publicIp: string; eni?: string; privateIp?: string }[];
  routeTables: { id: string; routes: Record<string, string>; subnets?: string[] }[];
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

/** The EC2 calls that change something (the ones the invariants watch). */
export const MUTATING_ACTIONS: ReadonlySet<string> = new Set([
  'AssociateAddress',
  'DisassociateAddress',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
  'ReplaceRoute',
  'ReplaceRouteTableAssociation',
  'StopInstances',
]);

/**
 * An in-memory model of the part of EC2 the arbiter uses, written from the EC2 API
 * reference (not from AWS itself): Elastic IP association with reassociation, secondary
 * private IPs with reassignment inside one subnet (an Elastic IP on the moved IP follows it),
 * routes, route-table associations whose id changes on every replace, instance state and
 * status checks. Describe calls see changes only after a propagation lag given per call.
 */
export class Ec2World {
  private readonly instances = new Map<string, InstanceRec>();
  private readonly enis = new Map<string, EniRec>();
  private readonly addresses = new Map<string, AddressRec>();
  private readonly routeTables = new Map<string, RouteTableRec>();
  private readonly associations: Versioned<Readonly<Record<string, SubnetAssociation>>>;
  private nextId = 1;

  constructor(topology: Ec2Topology) {
    for (const i of topology.instances) {
      this.instances.set(i.id, { id: i.id, state: 'running', impaired: false, launchTime: i.launchTime });
    }
    for (const e of topology.enis) {
      this.enis.set(e.id, { ...e, secondary: new Versioned<readonly string[]>(e.secondary ?? []) });
    }
    for (const a of topology.addresses) {
      const assoc: Association = a.eni
        ? {
            eni: a.eni,
            privateIp: a.privateIp ?? this.eni(a.eni).primaryIp,
            associationId: this.id('eipassoc'),
          }
        : {};
      this.addresses.set(a.allocationId, {
        allocationId: a.allocationId,
        publicIp: a.publicIp,
        assoc: new Versioned(assoc),
      });
    }
    const assocs: Record<string, SubnetAssociation> = {};
    for (const t of topology.routeTables) {
      this.routeTables.set(t.id, { id: t.id, routes: new Versioned({ ...t.routes }) });
      for (const s of t.subnets ?? []) assocs[this.id('rtbassoc')] = { subnetId: s, routeTableId: t.id };
    }
    this.associations = new Versioned<Readonly<Record<string, SubnetAssociation>>>(assocs);
  }

  /**
   * Runs one EC2 action.
   * @param now the time the request lands.
   * @param lagMs how stale this call's reads may be (eventual consistency).
   * @throws an SDK-shaped error with the EC2 error code as `name`.
   */
  handle(action: string, input: Input, now: number, lagMs: number): Output {
    switch (action) {
      case 'DescribeInstances':
        return this.describeInstances(input);
      case 'DescribeInstanceStatus':
        return this.describeInstanceStatus(input);
      case 'DescribeAddresses':
        return this.describeAddresses(input, now, lagMs);
      case 'AssociateAddress':
        return this.associateAddress(input, now);
      case 'DisassociateAddress':
        return this.disassociateAddress(input, now);
      case 'DescribeNetworkInterfaces':
        return this.describeNetworkInterfaces(input, now, lagMs);
      case 'AssignPrivateIpAddresses':
        return this.assignPrivateIps(input, now);
      case 'DescribeRouteTables':
        return this.describeRouteTables(input, now, lagMs);
      case 'ReplaceRoute':
        return this.replaceRoute(input, now);
      case 'ReplaceRouteTableAssociation':
        return this.replaceAssociation(input, now);
      case 'StopInstances':
        return this.stopInstances(input);
      default:
        throw sdkError('InvalidAction', `the simulator's EC2 model does not implement ${action}`, 400);
    }
  }

  // --- the simulator's side: truth and faults -------------------------------------------

  /** Sets an instance's state (stopped/running) as a fault; a start sets a new launch time. */
  setInstanceState(id: string, state: string, now: number): void {
    const i = this.instance(id);
    if (i.state !== 'running' && state === 'running') i.launchTime = now;
    i.state = state;
  }

  setImpaired(id: string, impaired: boolean): void {
    this.instance(id).impaired = impaired;
  }

  instanceTruth(id: string): { state: string; impaired: boolean; launchTime: number } {
    const i = this.instance(id);
    return { state: i.state, impaired: i.impaired, launchTime: i.launchTime };
  }

  /** The ENI an Elastic IP is on now (no lag), and its private IP. */
  addressTruth(allocationId: string): { eni?: string; privateIp?: string } {
    const a = this.addresses.get(allocationId)?.assoc.value ?? {};
    return { ...(a.eni ? { eni: a.eni } : {}), ...(a.privateIp ? { privateIp: a.privateIp } : {}) };
  }

  /** The ENI that has a secondary private IP now. */
  secondaryIpTruth(ip: string): string | undefined {
    for (const e of this.enis.values()) if (e.secondary.value.includes(ip)) return e.id;
    return undefined;
  }

  /** The ENI a route points to now. */
  routeTruth(routeTableId: string, destination: string): string | undefined {
    return this.routeTables.get(routeTableId)?.routes.value[destination];
  }

  /** The route table a subnet is associated with now. */
  subnetTableTruth(subnetId: string): string | undefined {
    return Object.values(this.associations.value).find((a) => a.subnetId === subnetId)?.routeTableId;
  }

  // --- instances -------------------------------------------------------------------------

  private describeInstances(input: Input): Output {
    const ids = this.requestedInstances(input);
    return {
      Reservations: ids.map((id) => {
        const i = this.instance(id);
        return {
          ReservationId: `r-${id.slice(2)}`,
          Instances: [
            {
              InstanceId: i.id,
              State: { Name: i.state, Code: stateCode(i.state) },
              LaunchTime: new Date(i.launchTime),
            },
          ],
        };
      }),
    };
  }

  private describeInstanceStatus(input: Input): Output {
    const ids = this.requestedInstances(input);
    const all = input.IncludeAllInstances === true;
    return {
      InstanceStatuses: ids
        .map((id) => this.instance(id))
        .filter((i) => all || i.state === 'running')
        .map((i) => {
          const status = i.state !== 'running' ? 'not-applicable' : i.impaired ? 'impaired' : 'ok';
          return {
            InstanceId: i.id,
            InstanceState: { Name: i.state, Code: stateCode(i.state) },
            InstanceStatus: { Status: status },
            SystemStatus: { Status: i.state !== 'running' ? 'not-applicable' : 'ok' },
          };
        }),
    };
  }

  private stopInstances(input: Input): Output {
    const ids = this.requestedInstances(input);
    return {
      StoppingInstances: ids.map((id) => {
        const i = this.instance(id);
        const previous = i.state;
        i.state = 'stopped';
        return {
          InstanceId: id,
          PreviousState: { Name: previous, Code: stateCode(previous) },
          CurrentState: { Name: 'stopped', Code: 80 },
        };
      }),
    };
  }

  private requestedInstances(input: Input): string[] {
    const ids = strings(input.InstanceIds);
    for (const id of ids) this.instance(id);
    return ids.length > 0 ? ids : [...this.instances.keys()];
  }

  private instance(id: string): InstanceRec {
    const i = this.instances.get(id);
    if (!i) throw sdkError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`, 400);
    return i;
  }

  // --- Elastic IPs -----------------------------------------------------------------------

  private describeAddresses(input: Input, now: number, lagMs: number): Output {
    const ids = strings(input.AllocationIds);
    for (const id of ids) this.address(id);
    const list = ids.length > 0 ? ids.map((id) => this.address(id)) : [...this.addresses.values()];
    return {
      Addresses: list.map((a) => {
        const seen = a.assoc.seen(now, lagMs);
        const instanceId = seen.eni ? this.enis.get(seen.eni)?.instanceId : undefined;
        return {
          AllocationId: a.allocationId,
          PublicIp: a.publicIp,
          Domain: 'vpc',
          ...(seen.eni ? { NetworkInterfaceId: seen.eni, PrivateIpAddress: seen.privateIp } : {}),
          ...(seen.associationId ? { AssociationId: seen.associationId } : {}),
          ...(instanceId ? { InstanceId: instanceId } : {}),
        };
      }),
    };
  }

  private associateAddress(input: Input, now: number): Output {
    const a = this.address(String(input.AllocationId));
    const eniId = input.NetworkInterfaceId as string | undefined;
    if (!eniId) throw sdkError('MissingParameter', 'NetworkInterfaceId or InstanceId is required', 400);
    const eni = this.eni(eniId);
    const privateIp = (input.PrivateIpAddress as string | undefined) ?? eni.primaryIp;
    if (privateIp !== eni.primaryIp && !eni.secondary.value.includes(privateIp)) {
      throw sdkError('InvalidParameterValue', `${privateIp} is not assigned to ${eni.id}`, 400);
    }
    const current = a.assoc.value;
    const alreadyThere = current.eni === eni.id && current.privateIp === privateIp;
    if (current.eni && !alreadyThere && input.AllowReassociation !== true) {
      throw sdkError('Resource.AlreadyAssociated', `${a.allocationId} is already associated`, 400);
    }
    const associationId = this.id('eipassoc');
    a.assoc.set({ eni: eni.id, privateIp, associationId }, now);
    return { AssociationId: associationId };
  }

  private disassociateAddress(input: Input, now: number): Output {
    const id = String(input.AssociationId);
    const a = [...this.addresses.values()].find((x) => x.assoc.value.associationId === id);
    if (!a) throw sdkError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`, 400);
    a.assoc.set({}, now);
    return {};
  }

  private address(id: string): AddressRec {
    const a = this.addresses.get(id);
    if (!a) throw sdkError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`, 400);
    return a;
  }

  // --- network interfaces and secondary IPs ----------------------------------------------

  private describeNetworkInterfaces(input: Input, now: number, lagMs: number): Output {
    const ids = strings(input.NetworkInterfaceIds);
    for (const id of ids) this.eni(id);
    const list = ids.length > 0 ? ids.map((id) => this.eni(id)) : [...this.enis.values()];
    const views = list.map((e) => ({ e, secondary: e.secondary.seen(now, lagMs) }));
    const filtered = views.filter(({ e, secondary }) =>
      filters(input).every(([name, values]) => {
        switch (name) {
          case 'network-interface-id':
            return values.includes(e.id);
          case 'subnet-id':
            return values.includes(e.subnetId);
          case 'attachment.instance-id':
            return values.includes(e.instanceId);
          case 'private-ip-address':
          case 'addresses.private-ip-address':
            return values.some((v) => v === e.primaryIp || secondary.includes(v));
          default:
            throw sdkError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
        }
      }),
    );
    return {
      NetworkInterfaces: filtered.map(({ e, secondary }) => ({
        NetworkInterfaceId: e.id,
        SubnetId: e.subnetId,
        PrivateIpAddress: e.primaryIp,
        Status: 'in-use',
        Attachment: { InstanceId: e.instanceId, Status: 'attached', DeviceIndex: 0 },
        PrivateIpAddresses: [
          { PrivateIpAddress: e.primaryIp, Primary: true, ...this.eipOn(e.id, e.primaryIp, now, lagMs) },
          ...secondary.map((ip) => ({
            PrivateIpAddress: ip,
            Primary: false,
            ...this.eipOn(e.id, ip, now, lagMs),
          })),
        ],
      })),
    };
  }

  private eipOn(eni: string, ip: string, now: number, lagMs: number): Output {
    for (const a of this.addresses.values()) {
      const seen = a.assoc.seen(now, lagMs);
      if (seen.eni === eni && seen.privateIp === ip) {
        return {
          Association: {
            PublicIp: a.publicIp,
            AllocationId: a.allocationId,
            AssociationId: seen.associationId,
          },
        };
      }
    }
    return {};
  }

  private assignPrivateIps(input: Input, now: number): Output {
    const eni = this.eni(String(input.NetworkInterfaceId));
    const ips = strings(input.PrivateIpAddresses);
    if (ips.length === 0) throw sdkError('MissingParameter', 'PrivateIpAddresses is required', 400);
    for (const ip of ips) {
      if (ip === eni.primaryIp || eni.secondary.value.includes(ip)) continue;
      const owner = [...this.enis.values()].find((e) => e.primaryIp === ip || e.secondary.value.includes(ip));
      if (owner) {
        if (owner.primaryIp === ip)
          throw sdkError('InvalidParameterValue', `${ip} is a primary address`, 400);
        if (owner.subnetId !== eni.subnetId) {
          throw sdkError('InvalidParameterValue', `${ip} is not in subnet ${eni.subnetId}`, 400);
        }
        if (input.AllowReassignment !== true) {
          throw sdkError('PrivateIpAddressInUse', `${ip} is assigned to ${owner.id}`, 400);
        }
        owner.secondary.set(
          owner.secondary.value.filter((x) => x !== ip),
          now,
        );
        // An Elastic IP associated with the moved private IP follows it.
        for (const a of this.addresses.values()) {
          const v = a.assoc.value;
          if (v.eni === owner.id && v.privateIp === ip) a.assoc.set({ ...v, eni: eni.id }, now);
        }
      }
      eni.secondary.set([...eni.secondary.value, ip], now);
    }
    return {
      NetworkInterfaceId: eni.id,
      AssignedPrivateIpAddresses: ips.map((ip) => ({ PrivateIpAddress: ip })),
    };
  }

  private eni(id: string): EniRec {
    const e = this.enis.get(id);
    if (!e)
      throw sdkError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${id}' does not exist`,
        400,
      );
    return e;
  }

  // --- routes and route-table associations -----------------------------------------------

  private describeRouteTables(input: Input, now: number, lagMs: number): Output {
    const ids = strings(input.RouteTableIds);
    for (const id of ids) this.routeTable(id);
    const list = ids.length > 0 ? ids.map((id) => this.routeTable(id)) : [...this.routeTables.values()];
    const assocs = Object.entries(this.associations.seen(now, lagMs));
    const views = list.map((t) => ({
      t,
      routes: t.routes.seen(now, lagMs),
      assocs: assocs.filter(([, a]) => a.routeTableId === t.id),
    }));
    const filtered = views.filter((v) =>
      filters(input).every(([name, values]) => {
        switch (name) {
          case 'route-table-id':
            return values.includes(v.t.id);
          case 'association.subnet-id':
            return v.assocs.some(([, a]) => values.includes(a.subnetId));
          case 'association.route-table-association-id':
            return v.assocs.some(([id]) => values.includes(id));
          case 'route.destination-cidr-block':
            return values.some((d) => v.routes[d] !== undefined);
          default:
            throw sdkError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
        }
      }),
    );
    return {
      RouteTables: filtered.map((v) => ({
        RouteTableId: v.t.id,
        Routes: Object.entries(v.routes).map(([cidr, eni]) => ({
          DestinationCidrBlock: cidr,
          NetworkInterfaceId: eni,
          InstanceId: this.enis.get(eni)?.instanceId,
          State: this.instanceOfEniRunning(eni) ? 'active' : 'blackhole',
          Origin: 'CreateRoute',
        })),
        Associations: v.assocs.map(([id, a]) => ({
          RouteTableAssociationId: id,
          RouteTableId: a.routeTableId,
          SubnetId: a.subnetId,
          Main: false,
          AssociationState: { State: 'associated' },
        })),
      })),
    };
  }

  private instanceOfEniRunning(eni: string): boolean {
    const id = this.enis.get(eni)?.instanceId;
    return id !== undefined && this.instances.get(id)?.state === 'running';
  }

  private replaceRoute(input: Input, now: number): Output {
    const t = this.routeTable(String(input.RouteTableId));
    const destination = String(input.DestinationCidrBlock);
    if (t.routes.value[destination] === undefined) {
      throw sdkError(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${destination} in ${t.id}`,
        400,
      );
    }
    const eni = this.eni(String(input.NetworkInterfaceId));
    t.routes.set({ ...t.routes.value, [destination]: eni.id }, now);
    return {};
  }

  private replaceAssociation(input: Input, now: number): Output {
    const id = String(input.AssociationId);
    const current = this.associations.value;
    const old = current[id];
    if (!old)
      throw sdkError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`, 400);
    const table = this.routeTable(String(input.RouteTableId));
    const newId = this.id('rtbassoc');
    const next: Record<string, SubnetAssociation> = { ...current };
    delete next[id];
    next[newId] = { subnetId: old.subnetId, routeTableId: table.id };
    this.associations.set(next, now);
    return { NewAssociationId: newId, AssociationState: { State: 'associated' } };
  }

  private routeTable(id: string): RouteTableRec {
    const t = this.routeTables.get(id);
    if (!t) throw sdkError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`, 400);
    return t;
  }

  private id(prefix: string): string {
    const n = this.nextId++;
    return `${prefix}-${n.toString(16).padStart(8, '0')}`;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function filters(input: Input): [string, string[]][] {
  const list = (input.Filters as { Name?: string; Values?: string[] }[] | undefined) ?? [];
  return list.map((f) => [String(f.Name), (f.Values ?? []).map(String)]);
}

function stateCode(state: string): number {
  return (
    { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 }[state] ?? 0
  );
}
