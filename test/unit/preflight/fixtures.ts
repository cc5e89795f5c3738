import type { Instance, NetworkInterface, RouteTable, Subnet } from '@aws-sdk/client-ec2';
import { validateConfig } from '../../../shared/config/load';
import type { ArbiterConfig } from '../../../shared/config/schema';
import type { Inventory } from '../../../shared/preflight/inventory';

export const IDS = {
  vpc: 'vpc-0e00000000000001',
  publicA: 'subnet-0e0000000000001a',
  privateA: 'subnet-0e0000000000011a',
  rtbPublic: 'rtb-0e00000000000001',
  rtbNatA: 'rtb-0e0000000000000a',
  rtbNatB: 'rtb-0e0000000000000b',
  natA: 'i-0e00000000000001',
  natB: 'i-0e00000000000002',
  eniA: 'eni-0e00000000000001',
  eniB: 'eni-0e00000000000002',
} as const;

/** A config as written, before validation. */
export interface RawConfig {
  version: 1;
  vantages: { id: string; subnet: string }[];
  groups: {
    id: string;
    check: Record<string, unknown>;
    nodes: Record<string, unknown>[];
    resources: Record<string, unknown>[];
    policy: Record<string, unknown>;
  }[];
}

/** A NAT pair moving the private subnet's association (seed 004), probed from the public subnet. */
export function natConfig(edit: (raw: RawConfig) => void = () => {}): ArbiterConfig {
  const raw: RawConfig = {
    version: 1,
    vantages: [
      { id: 'pub', subnet: IDS.publicA },
      { id: 'priv', subnet: IDS.privateA },
    ],
    groups: [
      {
        id: 'nat',
        check: { type: 'tcp', port: 22 },
        nodes: [
          {
            id: 'nat-a',
            instanceId: IDS.natA,
            address: '10.0.1.20',
            eni: IDS.eniA,
            routeTable: IDS.rtbNatA,
            priority: 200,
          },
          { id: 'nat-b', instanceId: IDS.natB, address: '10.0.2.20', eni: IDS.eniB, routeTable: IDS.rtbNatB },
        ],
        resources: [{ kind: 'route-table-association', subnets: [IDS.privateA] }],
        policy: { quorum: 1 },
      },
    ],
  };
  edit(raw);
  return validateConfig(raw, 'test config');
}

const subnet = (id: string, cidr: string): Subnet => ({
  SubnetId: id,
  CidrBlock: cidr,
  VpcId: IDS.vpc,
  AvailabilityZone: 'us-east-1a',
});

/** EC2 as it should be: private-a associated with nat-a's table, public via the internet gateway. */
export function inventory(edit: (inv: Inventory) => void = () => {}): Inventory {
  const tables: RouteTable[] = [
    {
      RouteTableId: IDS.rtbPublic,
      Associations: [
        { Main: true },
        { SubnetId: IDS.publicA, RouteTableAssociationId: 'rtbassoc-0e0000000000001a' },
      ],
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0e00000000000001' }],
    },
    {
      RouteTableId: IDS.rtbNatA,
      Associations: [{ SubnetId: IDS.privateA, RouteTableAssociationId: 'rtbassoc-0e0000000000011a' }],
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: IDS.eniA }],
    },
    {
      RouteTableId: IDS.rtbNatB,
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: IDS.eniB }],
    },
  ];
  const instance = (id: string, eni: string): Instance => ({
    InstanceId: id,
    InstanceType: 't3.micro',
    State: { Name: 'running' },
    SourceDestCheck: false,
    NetworkInterfaces: [{ NetworkInterfaceId: eni, SourceDestCheck: false }],
  });
  const eni = (id: string, instanceId: string, ip: string): NetworkInterface => ({
    NetworkInterfaceId: id,
    SubnetId: IDS.publicA,
    SourceDestCheck: false,
    Attachment: { InstanceId: instanceId },
    PrivateIpAddresses: [{ PrivateIpAddress: ip, Primary: true }],
  });
  const inv: Inventory = {
    instances: new Map([
      [IDS.natA, instance(IDS.natA, IDS.eniA)],
      [IDS.natB, instance(IDS.natB, IDS.eniB)],
    ]),
    enis: new Map([
      [IDS.eniA, eni(IDS.eniA, IDS.natA, '10.0.1.20')],
      [IDS.eniB, eni(IDS.eniB, IDS.natB, '10.0.1.21')],
    ]),
    addresses: new Map(),
    subnets: new Map([
      [IDS.publicA, subnet(IDS.publicA, '10.0.1.0/24')],
      [IDS.privateA, subnet(IDS.privateA, '10.0.11.0/24')],
    ]),
    routeTables: new Map(tables.map((t) => [t.RouteTableId!, t])),
    ipv4PerEni: new Map(),
    mainRouteTable: tables[0]!,
    unreadable: new Set(),
  };
  edit(inv);
  return inv;
}

/** Adds a DynamoDB gateway endpoint route to a table. */
export function withEndpoint(inv: Inventory, table: string): void {
  inv.routeTables
    .get(table)
    ?.Routes?.push({ DestinationPrefixListId: 'pl-02cd2c6b', GatewayId: 'vpce-0e00000000000001' });
}
