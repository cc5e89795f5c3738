/** Mutable records of the EC2 model; the actions read and change them. */

/** EC2 instance state names. */
export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'shutting-down'
  | 'terminated';

/** The numeric codes EC2 reports next to each state name. */
export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** Result of an instance or system status check. */
export type StatusCheck = 'ok' | 'impaired';

/** An instance. */
export interface InstanceRecord {
  readonly id: string;
  readonly name: string;
  state: InstanceStateName;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly imageId: string;
  /** Changes when a stopped instance starts again. */
  launchTime: Date;
  readonly reservationId: string;
  instanceStatus: StatusCheck;
  systemStatus: StatusCheck;
  /** Loopback `127.0.0.1:PORT` of this instance's node server, if any. */
  endpoint: string | undefined;
  readonly tags: Record<string, string>;
  /** Ordered by device index; the first is the primary ENI. */
  readonly networkInterfaceIds: string[];
}

/** An elastic network interface, always attached to an instance here. */
export interface NetworkInterfaceRecord {
  readonly id: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly attachmentId: string;
  readonly macAddress: string;
  readonly description: string;
  readonly maxPrivateIps: number;
  sourceDestCheck: boolean;
  /** The first entry is the primary private IP; it never moves. */
  privateIps: string[];
}

/** Where an Elastic IP is bound. */
export interface AddressAssociation {
  readonly id: string;
  networkInterfaceId: string;
  privateIp: string;
}

/** An Elastic IP. */
export interface AddressRecord {
  readonly allocationId: string;
  readonly publicIp: string;
  association: AddressAssociation | undefined;
}

/** A subnet. */
export interface SubnetRecord {
  readonly id: string;
  readonly cidr: string;
  readonly availabilityZone: string;
  readonly name: string | undefined;
}

/**
 * A VPC endpoint. Gateway endpoints (DynamoDB, S3) come from the topology's `pl-... -> vpce-...`
 * routes, interface endpoints from its `vpcEndpoints`.
 */
export interface VpcEndpointRecord {
  readonly id: string;
  readonly type: 'Gateway' | 'Interface';
  /** `com.amazonaws.<region>.<service>` */
  readonly serviceName: string;
  readonly state: string;
  /** Interface endpoints: the subnets they have an address in. */
  readonly subnetIds: readonly string[];
  /** Gateway endpoints: the service's prefix list. */
  readonly prefixListId: string | undefined;
}

/**
 * What a route points at. Instance targets are stored as their ENI, as AWS does; a gateway
 * is an internet gateway (`igw-...`) or, for a prefix-list destination, a gateway endpoint (`vpce-...`).
 */
export type RouteTargetRecord =
  | { readonly kind: 'local' }
  | { readonly kind: 'gateway'; readonly gatewayId: string }
  | { readonly kind: 'eni'; readonly networkInterfaceId: string };

/** A route. */
export interface RouteRecord {
  readonly destination: string;
  target: RouteTargetRecord;
}

/** A route table association: explicit to a subnet, or the VPC's main association. */
export interface RouteTableAssociationRecord {
  readonly id: string;
  readonly subnetId: string | undefined;
  readonly main: boolean;
}

/** A route table. */
export interface RouteTableRecord {
  readonly id: string;
  readonly name: string | undefined;
  readonly routes: RouteRecord[];
  associations: RouteTableAssociationRecord[];
}
