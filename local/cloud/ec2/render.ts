import type { XmlObject } from '../util/xml.js';
import {
  type AddressRecord,
  INSTANCE_STATE_CODES,
  type InstanceRecord,
  type InstanceStateName,
  type NetworkInterfaceRecord,
  type RouteTableRecord,
  type StatusCheck,
  type SubnetRecord,
  type VpcEndpointRecord,
} from '../world/model.js';
import type { World } from '../world/world.js';

/**
 * Turns world records into EC2 XML element trees, using the element names of
 * the 2016-11-15 API (`instancesSet`, `privateIpAddressesSet`, ...), which is
 * what the SDK's deserializer looks for.
 */

/** `ip-10-0-1-10.ec2.internal` in us-east-1, `ip-...<region>.compute.internal` elsewhere. */
export function privateDnsName(world: World, ip: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return world.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${world.region}.compute.internal`;
}

/** `<instanceState>` / `<currentState>` content. */
export function stateXml(state: InstanceStateName): XmlObject {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

function tagSet(tags: Record<string, string>): XmlObject[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function eipAssociationXml(
  world: World,
  address: AddressRecord | undefined,
  withIds: boolean,
): XmlObject | undefined {
  if (!address?.association) return undefined;
  return {
    publicIp: address.publicIp,
    publicDnsName: `ec2-${address.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com`,
    ipOwnerId: world.accountId,
    allocationId: withIds ? address.allocationId : undefined,
    associationId: withIds ? address.association.id : undefined,
  };
}

function privateIpsXml(world: World, eni: NetworkInterfaceRecord, withIds: boolean): XmlObject[] {
  return eni.privateIps.map((ip, index) => ({
    privateIpAddress: ip,
    privateDnsName: privateDnsName(world, ip),
    primary: index === 0,
    association: eipAssociationXml(world, world.addressOn(eni.id, ip), withIds),
  }));
}

function attachmentXml(world: World, eni: NetworkInterfaceRecord, withInstance: boolean): XmlObject {
  const instance = world.instances.get(eni.instanceId);
  return {
    attachmentId: eni.attachmentId,
    instanceId: withInstance ? eni.instanceId : undefined,
    instanceOwnerId: withInstance ? world.accountId : undefined,
    deviceIndex: eni.deviceIndex,
    networkCardIndex: 0,
    status: 'attached',
    attachTime: instance?.launchTime,
    deleteOnTermination: eni.deviceIndex === 0,
  };
}

/** An `<item>` of `networkInterfaceSet` in DescribeNetworkInterfaces. */
export function networkInterfaceXml(world: World, eni: NetworkInterfaceRecord): XmlObject {
  const primaryIp = eni.privateIps[0] ?? '';
  return {
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    vpcId: world.vpcId,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    ownerId: world.accountId,
    requesterManaged: false,
    status: 'in-use',
    macAddress: eni.macAddress,
    privateIpAddress: primaryIp,
    privateDnsName: privateDnsName(world, primaryIp),
    sourceDestCheck: eni.sourceDestCheck,
    groupSet: [],
    attachment: attachmentXml(world, eni, true),
    association: eipAssociationXml(world, world.addressOn(eni.id, primaryIp), true),
    tagSet: [],
    privateIpAddressesSet: privateIpsXml(world, eni, true),
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  };
}

function instanceEniXml(world: World, eni: NetworkInterfaceRecord): XmlObject {
  const primaryIp = eni.privateIps[0] ?? '';
  return {
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    vpcId: world.vpcId,
    description: eni.description,
    ownerId: world.accountId,
    status: 'in-use',
    macAddress: eni.macAddress,
    privateIpAddress: primaryIp,
    privateDnsName: privateDnsName(world, primaryIp),
    sourceDestCheck: eni.sourceDestCheck,
    groupSet: [],
    attachment: attachmentXml(world, eni, false),
    association: eipAssociationXml(world, world.addressOn(eni.id, primaryIp), false),
    privateIpAddressesSet: privateIpsXml(world, eni, false),
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  };
}

/** An `<item>` of `instancesSet` in DescribeInstances. */
export function instanceXml(world: World, instance: InstanceRecord): XmlObject {
  const enis = instance.networkInterfaceIds
    .map((id) => world.networkInterfaces.get(id))
    .filter((eni): eni is NetworkInterfaceRecord => eni !== undefined);
  const primary = enis[0];
  const primaryIp = primary?.privateIps[0];
  const publicIp = primary && primaryIp ? world.addressOn(primary.id, primaryIp)?.publicIp : undefined;
  const stopped = instance.state === 'stopped' || instance.state === 'stopping';
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: primaryIp ? privateDnsName(world, primaryIp) : '',
    dnsName: '',
    reason: stopped ? 'User initiated' : '',
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: instance.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: instance.subnetId,
    vpcId: world.vpcId,
    privateIpAddress: primaryIp,
    ipAddress: publicIp,
    sourceDestCheck: primary?.sourceDestCheck ?? true,
    groupSet: [],
    stateReason: stopped
      ? {
          code: 'Client.UserInitiatedShutdown',
          message: 'Client.UserInitiatedShutdown: User initiated shutdown',
        }
      : undefined,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    networkInterfaceSet: enis.map((eni) => instanceEniXml(world, eni)),
    ebsOptimized: false,
    enaSupport: true,
  };
}

function statusSummary(state: InstanceStateName, check: StatusCheck): XmlObject {
  if (state !== 'running') return { status: 'not-applicable' };
  return { status: check, details: [{ name: 'reachability', status: check === 'ok' ? 'passed' : 'failed' }] };
}

/** An `<item>` of `instanceStatusSet` in DescribeInstanceStatus. */
export function instanceStatusXml(instance: InstanceRecord): XmlObject {
  return {
    instanceId: instance.id,
    availabilityZone: instance.availabilityZone,
    instanceState: stateXml(instance.state),
    systemStatus: statusSummary(instance.state, instance.systemStatus),
    instanceStatus: statusSummary(instance.state, instance.instanceStatus),
  };
}

/** An `<item>` of `addressesSet` in DescribeAddresses. */
export function addressXml(world: World, address: AddressRecord): XmlObject {
  const association = address.association;
  const eni = association ? world.networkInterfaces.get(association.networkInterfaceId) : undefined;
  return {
    publicIp: address.publicIp,
    allocationId: address.allocationId,
    domain: 'vpc',
    instanceId: eni?.instanceId,
    associationId: association?.id,
    networkInterfaceId: association?.networkInterfaceId,
    networkInterfaceOwnerId: association ? world.accountId : undefined,
    privateIpAddress: association?.privateIp,
    tagSet: [],
    publicIpv4Pool: 'amazon',
    networkBorderGroup: world.region,
  };
}

/** `use1-az1` style zone id, derived from the zone letter. */
function zoneId(world: World, zone: string): string {
  const [area = 'us', direction = 'east', number = '1'] = world.region.split('-');
  const letter = zone.slice(-1);
  return `${area}${direction.charAt(0)}${number}-az${letter.charCodeAt(0) - 96}`;
}

/** An `<item>` of `subnetSet` in DescribeSubnets. */
export function subnetXml(world: World, subnet: SubnetRecord): XmlObject {
  return {
    subnetId: subnet.id,
    subnetArn: `arn:aws:ec2:${world.region}:${world.accountId}:subnet/${subnet.id}`,
    state: 'available',
    vpcId: world.vpcId,
    ownerId: world.accountId,
    cidrBlock: subnet.cidr,
    availableIpAddressCount: world.availableIpCount(subnet.id),
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: zoneId(world, subnet.availabilityZone),
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    tagSet: subnet.name ? [{ key: 'Name', value: subnet.name }] : [],
  };
}

/** An `<item>` of `routeTableSet` in DescribeRouteTables. */
export function routeTableXml(world: World, table: RouteTableRecord): XmlObject {
  return {
    routeTableId: table.id,
    vpcId: world.vpcId,
    ownerId: world.accountId,
    routeSet: table.routes.map((route) => {
      const t = route.target;
      if (t.kind === 'local') {
        return {
          destinationCidrBlock: route.destination,
          gatewayId: 'local',
          state: 'active',
          origin: 'CreateRouteTable',
        };
      }
      if (t.kind === 'gateway' && route.destination.startsWith('pl-')) {
        // A gateway endpoint route: AWS adds it when the endpoint is created for the table.
        return {
          destinationPrefixListId: route.destination,
          gatewayId: t.gatewayId,
          state: 'active',
          origin: 'CreateRoute',
        };
      }
      if (t.kind === 'gateway') {
        return {
          destinationCidrBlock: route.destination,
          gatewayId: t.gatewayId,
          state: 'active',
          origin: 'CreateRoute',
        };
      }
      const eni = world.networkInterfaces.get(t.networkInterfaceId);
      const running = eni !== undefined && world.instances.get(eni.instanceId)?.state === 'running';
      return {
        destinationCidrBlock: route.destination,
        instanceId: eni?.instanceId,
        instanceOwnerId: eni ? world.accountId : undefined,
        networkInterfaceId: t.networkInterfaceId,
        // Traffic to a stopped instance is dropped; AWS reports such routes as blackhole.
        state: running ? 'active' : 'blackhole',
        origin: 'CreateRoute',
      };
    }),
    associationSet: table.associations.map((a) => ({
      routeTableAssociationId: a.id,
      routeTableId: table.id,
      subnetId: a.subnetId,
      main: a.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    tagSet: table.name ? [{ key: 'Name', value: table.name }] : [],
  };
}

/** An `<item>` of `vpcEndpointSet` in DescribeVpcEndpoints. */
export function vpcEndpointXml(world: World, endpoint: VpcEndpointRecord): XmlObject {
  const routeTableIds =
    endpoint.type === 'Gateway'
      ? [...world.routeTables.values()]
          .filter((t) =>
            t.routes.some((r) => r.target.kind === 'gateway' && r.target.gatewayId === endpoint.id),
          )
          .map((t) => t.id)
      : [];
  return {
    vpcEndpointId: endpoint.id,
    vpcEndpointType: endpoint.type,
    vpcId: world.vpcId,
    serviceName: endpoint.serviceName,
    state: endpoint.state,
    routeTableIdSet: routeTableIds,
    subnetIdSet: [...endpoint.subnetIds],
    privateDnsEnabled: endpoint.type === 'Interface',
    ownerId: world.accountId,
    tagSet: [],
  };
}
