import { Ec2Error, notFound } from '../errors';
import type {
  AddressRecord,
  InstanceRecord,
  NetworkInterfaceRecord,
  RouteTableRecord,
  SubnetRecord,
} from '../records';
import type { Ec2State } from '../state';

/**
 * Resource lookups that fail the way EC2 does: a badly shaped id is
 * `*.Malformed`, a well-shaped unknown id is `*.NotFound`.
 */

function wellFormed(id: string, prefix: string): boolean {
  return new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id);
}

/** An instance by id. */
export function requireInstance(world: Ec2State, id: string): InstanceRecord {
  if (!wellFormed(id, 'i')) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  const instance = world.instances.get(id);
  if (!instance) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  return instance;
}

/** A network interface by id. */
export function requireEni(world: Ec2State, id: string): NetworkInterfaceRecord {
  if (!wellFormed(id, 'eni'))
    throw new Ec2Error('InvalidNetworkInterfaceID.Malformed', `Invalid id: "${id}"`);
  const eni = world.networkInterfaces.get(id);
  if (!eni) throw notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface', id);
  return eni;
}

/** An Elastic IP by allocation id. */
export function requireAddress(world: Ec2State, allocationId: string): AddressRecord {
  const address = world.addresses.get(allocationId);
  if (!address) throw notFound('InvalidAllocationID.NotFound', 'allocation', allocationId);
  return address;
}

/** An Elastic IP by public address. */
export function requireAddressByPublicIp(world: Ec2State, publicIp: string): AddressRecord {
  const address = world.addressByPublicIp(publicIp);
  if (!address) throw new Ec2Error('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);
  return address;
}

/** A route table by id. */
export function requireRouteTable(world: Ec2State, id: string): RouteTableRecord {
  if (!wellFormed(id, 'rtb')) throw new Ec2Error('InvalidRouteTableID.Malformed', `Invalid id: "${id}"`);
  const table = world.routeTables.get(id);
  if (!table) throw notFound('InvalidRouteTableID.NotFound', 'routeTable', id);
  return table;
}

/** A subnet by id. */
export function requireSubnet(world: Ec2State, id: string): SubnetRecord {
  if (!wellFormed(id, 'subnet')) throw new Ec2Error('InvalidSubnetID.Malformed', `Invalid id: "${id}"`);
  const subnet = world.subnets.get(id);
  if (!subnet) throw notFound('InvalidSubnetID.NotFound', 'subnet', id);
  return subnet;
}

/**
 * The ENI an instance-targeted call acts on. EC2 refuses instance targets when
 * the instance has several interfaces, because the choice would be ambiguous.
 */
export function singleEniOf(world: Ec2State, instance: InstanceRecord): NetworkInterfaceRecord {
  if (instance.networkInterfaceIds.length > 1) {
    throw new Ec2Error(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${instance.id}'. Please specify an interface ID for the operation instead.`,
    );
  }
  const eni = world.primaryEniOf(instance.id);
  if (!eni) throw new Ec2Error('InvalidInstanceID', `Instance '${instance.id}' has no network interface`);
  return eni;
}
