import type {
  Address,
  Instance,
  InstanceNetworkInterface,
  InstancePrivateIpAddress,
  InstanceState,
  InstanceStatus,
  InstanceStatusSummary,
  NetworkInterface,
  NetworkInterfacePrivateIpAddress,
  RouteTable,
  Subnet,
  Tag,
  Vpc,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
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
} from './records';
import type { Ec2State } from './state';

/**
 * Turns records into the output shapes of `@aws-sdk/client-ec2` (member names as
 * the SDK types them). The wire adapter writes the same objects as EC2 XML, so
 * the direct client and the HTTP server answer alike by construction.
 */

/** `ip-10-0-1-10.ec2.internal` in us-east-1, `ip-...<region>.compute.internal` elsewhere. */
export function privateDnsName(state: Ec2State, ip: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return state.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${state.region}.compute.internal`;
}

/** `State` / `CurrentState` content. */
export function stateShape(state: InstanceStateName): InstanceState {
  return { Code: INSTANCE_STATE_CODES[state], Name: state };
}

function tags(record: Record<string, string>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

function eipAssociation(state: Ec2State, address: AddressRecord | undefined, withIds: boolean) {
  if (!address?.association) return undefined;
  return {
    PublicIp: address.publicIp,
    PublicDnsName: `ec2-${address.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com`,
    IpOwnerId: state.accountId,
    ...(withIds ? { AllocationId: address.allocationId, AssociationId: address.association.id } : {}),
  };
}

function privateIps(
  state: Ec2State,
  eni: NetworkInterfaceRecord,
  withIds: boolean,
): NetworkInterfacePrivateIpAddress[] & InstancePrivateIpAddress[] {
  return eni.privateIps.map((ip, index) => {
    const association = eipAssociation(state, state.addressOn(eni.id, ip), withIds);
    return {
      PrivateIpAddress: ip,
      PrivateDnsName: privateDnsName(state, ip),
      Primary: index === 0,
      ...(association ? { Association: association } : {}),
    };
  });
}

function attachment(state: Ec2State, eni: NetworkInterfaceRecord, withInstance: boolean) {
  const instance = state.instances.get(eni.instanceId);
  return {
    AttachmentId: eni.attachmentId,
    ...(withInstance ? { InstanceId: eni.instanceId, InstanceOwnerId: state.accountId } : {}),
    DeviceIndex: eni.deviceIndex,
    NetworkCardIndex: 0,
    Status: 'attached' as const,
    ...(instance ? { AttachTime: instance.launchTime } : {}),
    DeleteOnTermination: eni.deviceIndex === 0,
  };
}

/** One item of DescribeNetworkInterfaces. */
export function networkInterfaceShape(state: Ec2State, eni: NetworkInterfaceRecord): NetworkInterface {
  return {
    ...eniFields(state, eni, true),
    AvailabilityZone: eni.availabilityZone,
    RequesterManaged: false,
    TagSet: [],
  };
}

function instanceEni(state: Ec2State, eni: NetworkInterfaceRecord): InstanceNetworkInterface {
  return eniFields(state, eni, false);
}

/**
 * What an ENI shows alike in DescribeNetworkInterfaces and inside DescribeInstances; only the
 * former (`full`) names the attachment's instance and the association and allocation ids.
 */
function eniFields(state: Ec2State, eni: NetworkInterfaceRecord, full: boolean) {
  const primaryIp = eni.privateIps[0] ?? '';
  const association = eipAssociation(state, state.addressOn(eni.id, primaryIp), full);
  return {
    NetworkInterfaceId: eni.id,
    SubnetId: eni.subnetId,
    VpcId: state.vpcId,
    Description: eni.description,
    OwnerId: state.accountId,
    Status: 'in-use' as const,
    MacAddress: eni.macAddress,
    PrivateIpAddress: primaryIp,
    PrivateDnsName: privateDnsName(state, primaryIp),
    SourceDestCheck: eni.sourceDestCheck,
    Groups: [],
    Attachment: attachment(state, eni, full),
    ...(association ? { Association: association } : {}),
    PrivateIpAddresses: privateIps(state, eni, full),
    Ipv6Addresses: [],
    InterfaceType: 'interface' as const,
  };
}

/** One instance of DescribeInstances. */
export function instanceShape(state: Ec2State, instance: InstanceRecord): Instance {
  const enis = instance.networkInterfaceIds
    .map((id) => state.networkInterfaces.get(id))
    .filter((eni): eni is NetworkInterfaceRecord => eni !== undefined);
  const primary = enis[0];
  const primaryIp = primary?.privateIps[0];
  const publicIp = primary && primaryIp ? state.addressOn(primary.id, primaryIp)?.publicIp : undefined;
  const stopped = instance.state === 'stopped' || instance.state === 'stopping';
  return {
    InstanceId: instance.id,
    ImageId: instance.imageId,
    State: stateShape(instance.state),
    PrivateDnsName: primaryIp ? privateDnsName(state, primaryIp) : '',
    PublicDnsName: '',
    StateTransitionReason: stopped ? 'User initiated' : '',
    AmiLaunchIndex: 0,
    ProductCodes: [],
    InstanceType: instance.instanceType as Instance['InstanceType'],
    LaunchTime: instance.launchTime,
    Placement: { AvailabilityZone: instance.availabilityZone, GroupName: '', Tenancy: 'default' },
    Monitoring: { State: 'disabled' },
    SubnetId: instance.subnetId,
    VpcId: state.vpcId,
    ...(primaryIp ? { PrivateIpAddress: primaryIp } : {}),
    ...(publicIp ? { PublicIpAddress: publicIp } : {}),
    SourceDestCheck: primary?.sourceDestCheck ?? true,
    SecurityGroups: [],
    ...(stopped
      ? {
          StateReason: {
            Code: 'Client.UserInitiatedShutdown',
            Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
          },
        }
      : {}),
    Architecture: 'x86_64',
    RootDeviceType: 'ebs',
    RootDeviceName: '/dev/xvda',
    BlockDeviceMappings: [],
    VirtualizationType: 'hvm',
    Tags: tags(instance.tags),
    Hypervisor: 'xen',
    NetworkInterfaces: enis.map((eni) => instanceEni(state, eni)),
    EbsOptimized: false,
    EnaSupport: true,
  };
}

function statusSummary(state: InstanceStateName, check: StatusCheck): InstanceStatusSummary {
  if (state !== 'running') return { Status: 'not-applicable' };
  return { Status: check, Details: [{ Name: 'reachability', Status: check === 'ok' ? 'passed' : 'failed' }] };
}

/** One item of DescribeInstanceStatus. */
export function instanceStatusShape(instance: InstanceRecord): InstanceStatus {
  return {
    InstanceId: instance.id,
    AvailabilityZone: instance.availabilityZone,
    InstanceState: stateShape(instance.state),
    SystemStatus: statusSummary(instance.state, instance.systemStatus),
    InstanceStatus: statusSummary(instance.state, instance.instanceStatus),
  };
}

/** One item of DescribeAddresses. */
export function addressShape(state: Ec2State, address: AddressRecord): Address {
  const association = address.association;
  const eni = association ? state.networkInterfaces.get(association.networkInterfaceId) : undefined;
  return {
    PublicIp: address.publicIp,
    AllocationId: address.allocationId,
    Domain: 'vpc',
    ...(eni ? { InstanceId: eni.instanceId } : {}),
    ...(association
      ? {
          AssociationId: association.id,
          NetworkInterfaceId: association.networkInterfaceId,
          NetworkInterfaceOwnerId: state.accountId,
          PrivateIpAddress: association.privateIp,
        }
      : {}),
    Tags: [],
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: state.region,
  };
}

/** `use1-az1` style zone id, derived from the zone letter. */
function zoneId(state: Ec2State, zone: string): string {
  const [area = 'us', direction = 'east', number = '1'] = state.region.split('-');
  const letter = zone.slice(-1);
  return `${area}${direction.charAt(0)}${number}-az${letter.charCodeAt(0) - 96}`;
}

/** One item of DescribeSubnets. */
export function subnetShape(state: Ec2State, subnet: SubnetRecord): Subnet {
  return {
    SubnetId: subnet.id,
    SubnetArn: `arn:aws:ec2:${state.region}:${state.accountId}:subnet/${subnet.id}`,
    State: 'available',
    VpcId: state.vpcId,
    OwnerId: state.accountId,
    CidrBlock: subnet.cidr,
    AvailableIpAddressCount: state.availableIpCount(subnet.id),
    AvailabilityZone: subnet.availabilityZone,
    AvailabilityZoneId: zoneId(state, subnet.availabilityZone),
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: subnet.name ? [{ Key: 'Name', Value: subnet.name }] : [],
  };
}

/** The one VPC of the model, as DescribeVpcs lists it. */
export function vpcShape(state: Ec2State): Vpc {
  return {
    VpcId: state.vpcId,
    OwnerId: state.accountId,
    State: 'available',
    CidrBlock: state.vpcCidr,
    CidrBlockAssociationSet: [
      {
        AssociationId: `vpc-cidr-assoc-${state.vpcId.slice(4)}`,
        CidrBlock: state.vpcCidr,
        CidrBlockState: { State: 'associated' },
      },
    ],
    DhcpOptionsId: 'default',
    InstanceTenancy: 'default',
    IsDefault: false,
    Tags: [],
  };
}

/** One item of DescribeRouteTables. */
export function routeTableShape(state: Ec2State, table: RouteTableRecord): RouteTable {
  return {
    RouteTableId: table.id,
    VpcId: state.vpcId,
    OwnerId: state.accountId,
    Routes: table.routes.map((route) => {
      const t = route.target;
      if (t.kind === 'local') {
        return {
          DestinationCidrBlock: route.destination,
          GatewayId: 'local',
          State: 'active',
          Origin: 'CreateRouteTable',
        };
      }
      if (t.kind === 'gateway' && route.destination.startsWith('pl-')) {
        // A gateway endpoint route: AWS adds it when the endpoint is created for the table.
        return {
          DestinationPrefixListId: route.destination,
          GatewayId: t.gatewayId,
          State: 'active',
          Origin: 'CreateRoute',
        };
      }
      if (t.kind === 'gateway') {
        return {
          DestinationCidrBlock: route.destination,
          GatewayId: t.gatewayId,
          State: 'active',
          Origin: 'CreateRoute',
        };
      }
      const eni = state.networkInterfaces.get(t.networkInterfaceId);
      const running = eni !== undefined && state.instances.get(eni.instanceId)?.state === 'running';
      return {
        DestinationCidrBlock: route.destination,
        ...(eni ? { InstanceId: eni.instanceId, InstanceOwnerId: state.accountId } : {}),
        NetworkInterfaceId: t.networkInterfaceId,
        // Traffic to a stopped instance is dropped; AWS reports such routes as blackhole.
        State: running ? 'active' : 'blackhole',
        Origin: 'CreateRoute',
      };
    }),
    Associations: table.associations.map((a) => ({
      RouteTableAssociationId: a.id,
      RouteTableId: table.id,
      ...(a.subnetId ? { SubnetId: a.subnetId } : {}),
      Main: a.main,
      AssociationState: { State: 'associated' },
    })),
    PropagatingVgws: [],
    Tags: table.name ? [{ Key: 'Name', Value: table.name }] : [],
  };
}

/** One item of DescribeVpcEndpoints. */
export function vpcEndpointShape(state: Ec2State, endpoint: VpcEndpointRecord): VpcEndpoint {
  const routeTableIds =
    endpoint.type === 'Gateway'
      ? [...state.routeTables.values()]
          .filter((t) =>
            t.routes.some((r) => r.target.kind === 'gateway' && r.target.gatewayId === endpoint.id),
          )
          .map((t) => t.id)
      : [];
  return {
    VpcEndpointId: endpoint.id,
    VpcEndpointType: endpoint.type,
    VpcId: state.vpcId,
    ServiceName: endpoint.serviceName,
    State: endpoint.state as VpcEndpoint['State'],
    RouteTableIds: routeTableIds,
    SubnetIds: [...endpoint.subnetIds],
    PrivateDnsEnabled: endpoint.type === 'Interface',
    OwnerId: state.accountId,
    Tags: [],
  };
}
