import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  DisassociateAddressCommand,
  EC2Client,
  paginateDescribeInstances,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
  UnassignPrivateIpAddressesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directClient } from '../../../ec2-model/direct-client';
import { Ec2Model } from '../../../ec2-model/model';
import { type LocalCloud, parseTopology, type TopologyInput } from '../../../local/cloud/index';
import { postForm, startCloud } from './fixtures';

const SEED = 7;
const LAUNCHED = '2026-01-05T10:00:00.000Z';
const eni = (n: number) => `eni-0c0000000000000${n}`;
const instance = (n: number) => `i-0c0000000000000${n}`;
const EIP = 'eipalloc-0c00000000000001';
const SPARE_EIP = 'eipalloc-0c00000000000002';
const MAIN = 'rtb-0c00000000000001';
const PRIVATE = 'rtb-0c00000000000002';
const SUBNET_A = 'subnet-0c00000000000001';
const SUBNET_B = 'subnet-0c00000000000002';

/** Seven instances (so paging shows), a VIP with an Elastic IP on it, two route tables, endpoints. */
const TOPOLOGY: TopologyInput = {
  vpc: { id: 'vpc-0c00000000000001', cidr: '10.0.0.0/16' },
  subnets: [
    { id: SUBNET_A, cidr: '10.0.1.0/24', az: 'us-east-1a', name: 'public-a' },
    { id: SUBNET_B, cidr: '10.0.2.0/24', az: 'us-east-1b', name: 'private-b' },
  ],
  instances: [1, 2, 3, 4, 5, 6, 7].map((n) => ({
    id: instance(n),
    name: `node-${n}`,
    subnet: SUBNET_A,
    launchTime: LAUNCHED,
    sourceDestCheck: n > 2,
    networkInterfaces: [
      {
        id: eni(n),
        privateIp: `10.0.1.${10 + n}`,
        secondaryPrivateIps: n === 1 ? ['10.0.1.100'] : [],
        maxPrivateIps: n === 3 ? 1 : 10,
      },
    ],
  })),
  elasticIps: [
    {
      allocationId: EIP,
      publicIp: '203.0.113.10',
      association: { networkInterface: eni(1), privateIp: '10.0.1.100' },
    },
    { allocationId: SPARE_EIP, publicIp: '203.0.113.11' },
  ],
  routeTables: [
    {
      id: MAIN,
      name: 'main',
      main: true,
      routes: [
        { destination: '0.0.0.0/0', target: 'igw-0c00000000000001' },
        { destination: 'pl-02cd2c6b', target: 'vpce-0c00000000000001' },
      ],
    },
    {
      id: PRIVATE,
      name: 'private',
      routes: [{ destination: '0.0.0.0/0', target: eni(1) }],
      associations: [{ subnet: SUBNET_B }],
    },
  ],
  vpcEndpoints: [{ id: 'vpce-0c00000000000002', service: 'ec2', subnets: [SUBNET_A] }],
};

/** What a caller sees of one call: the output without `$metadata`, or the error's code, message and status. */
type Answer =
  | { ok: Record<string, unknown> }
  | { error: { name: string; message: string; fault: unknown; status: unknown } };

/** Any EC2 command; `send` is overloaded per command, so the script holds them as this. */
type Ec2Command = { readonly input: object };

async function answer(client: EC2Client, command: Ec2Command): Promise<Answer> {
  try {
    const { $metadata: _, ...out } = (await client.send(command as never)) as unknown as Record<
      string,
      unknown
    >;
    return { ok: out };
  } catch (err) {
    const e = err as {
      name: string;
      message: string;
      $fault?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    return {
      error: { name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode },
    };
  }
}

/** One scripted step: a command built from what earlier answers said (ids that change on every move). */
type Step = (seen: Answer[]) => Ec2Command;

const lastOk = (seen: Answer[]) => {
  for (let i = seen.length - 1; i >= 0; i--) {
    const a = seen[i];
    if (a && 'ok' in a) return a.ok;
  }
  return {};
};
const privateAssociation = (seen: Answer[]) => {
  for (let i = seen.length - 1; i >= 0; i--) {
    const a = seen[i];
    if (!a || !('ok' in a)) continue;
    if (typeof a.ok.NewAssociationId === 'string') return a.ok.NewAssociationId;
    const tables = a.ok.RouteTables as {
      Associations?: { SubnetId?: string; RouteTableAssociationId?: string }[];
    }[];
    const found = tables?.flatMap((t) => t.Associations ?? []).find((x) => x.SubnetId === SUBNET_B);
    if (found?.RouteTableAssociationId) return found.RouteTableAssociationId;
  }
  return 'rtbassoc-0000000000000000f';
};

const SCRIPT: Step[] = [
  () => new DescribeInstancesCommand({}),
  () => new DescribeInstancesCommand({ MaxResults: 5 }),
  (seen) => new DescribeInstancesCommand({ MaxResults: 5, NextToken: lastOk(seen).NextToken as string }),
  () => new DescribeInstancesCommand({ MaxResults: 4 }),
  () => new DescribeInstancesCommand({ InstanceIds: [instance(1)], MaxResults: 5 }),
  () => new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }),
  () => new DescribeInstancesCommand({ InstanceIds: ['i-nope'] }),
  () => new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['node-?'] }], MaxResults: 6 }),
  () => new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }),
  () => new DescribeNetworkInterfacesCommand({ MaxResults: 5 }),
  () =>
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.1.100'] }],
    }),
  () => new DescribeNetworkInterfacesCommand({ NextToken: 'not-a-token' }),
  () => new DescribeInstanceStatusCommand({ IncludeAllInstances: true, MaxResults: 5 }),
  () => new DescribeAddressesCommand({}),
  () => new DescribeAddressesCommand({ AllocationIds: [EIP] }),
  () => new DescribeSubnetsCommand({ MaxResults: 5 }),
  () => new DescribeVpcsCommand({}),
  () => new DescribeVpcsCommand({ VpcIds: ['vpc-0c000000000000ff'] }),
  () => new DescribeVpcEndpointsCommand({}),
  () => new DescribeManagedPrefixListsCommand({}),
  () => new DescribeRouteTablesCommand({}),
  // Elastic IP association: refused without AllowReassociation, DryRun, then a move.
  () => new AssociateAddressCommand({ AllocationId: EIP, NetworkInterfaceId: eni(2) }),
  () =>
    new AssociateAddressCommand({
      AllocationId: EIP,
      NetworkInterfaceId: eni(2),
      AllowReassociation: true,
      DryRun: true,
    }),
  () => new AssociateAddressCommand({ AllocationId: SPARE_EIP, InstanceId: instance(4) }),
  () =>
    new AssociateAddressCommand({
      AllocationId: SPARE_EIP,
      NetworkInterfaceId: eni(4),
      PrivateIpAddress: '10.0.1.99',
    }),
  () =>
    new AssociateAddressCommand({ AllocationId: 'eipalloc-0c000000000000ff', NetworkInterfaceId: eni(4) }),
  () => new DescribeAddressesCommand({}),
  (seen) => {
    const spare = (lastOk(seen).Addresses as { AllocationId: string; AssociationId?: string }[]).find(
      (a) => a.AllocationId === SPARE_EIP,
    );
    return new DisassociateAddressCommand({ AssociationId: spare?.AssociationId as string });
  },
  // A secondary IP's reassignment carries its Elastic IP along.
  () =>
    new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: eni(2), PrivateIpAddresses: ['10.0.1.100'] }),
  () =>
    new AssignPrivateIpAddressesCommand({
      NetworkInterfaceId: eni(2),
      PrivateIpAddresses: ['10.0.1.100'],
      AllowReassignment: true,
    }),
  () => new DescribeAddressesCommand({ AllocationIds: [EIP] }),
  () =>
    new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: eni(3), SecondaryPrivateIpAddressCount: 1 }),
  () =>
    new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: eni(5), SecondaryPrivateIpAddressCount: 2 }),
  () =>
    new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: eni(2), PrivateIpAddresses: ['10.0.1.100'] }),
  () => new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni(1), eni(2), eni(5)] }),
  // Routes and route-table associations (a new association id on every replace).
  () =>
    new ReplaceRouteCommand({
      RouteTableId: PRIVATE,
      DestinationCidrBlock: '0.0.0.0/0',
      NetworkInterfaceId: eni(2),
    }),
  () =>
    new ReplaceRouteCommand({
      RouteTableId: PRIVATE,
      DestinationCidrBlock: '10.9.0.0/16',
      NetworkInterfaceId: eni(2),
    }),
  () =>
    new ReplaceRouteCommand({
      RouteTableId: MAIN,
      DestinationCidrBlock: '10.0.0.0/16',
      NetworkInterfaceId: eni(2),
    }),
  () => new DescribeRouteTablesCommand({ RouteTableIds: [PRIVATE] }),
  () => new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [SUBNET_B] }] }),
  (seen) =>
    new ReplaceRouteTableAssociationCommand({ AssociationId: privateAssociation(seen), RouteTableId: MAIN }),
  (seen) =>
    new ReplaceRouteTableAssociationCommand({
      AssociationId: privateAssociation(seen),
      RouteTableId: PRIVATE,
    }),
  (seen) => {
    // The id from before the last replace is stale now.
    const stale = (seen[seen.length - 2] as { ok?: { NewAssociationId?: string } }).ok?.NewAssociationId;
    return new ReplaceRouteTableAssociationCommand({ AssociationId: stale as string, RouteTableId: MAIN });
  },
  () => new DescribeRouteTablesCommand({ MaxResults: 5 }),
  // Instance state.
  () => new StopInstancesCommand({ InstanceIds: [instance(7)], DryRun: true }),
  () => new StopInstancesCommand({ InstanceIds: [instance(7)] }),
  () => new DescribeInstanceStatusCommand({ InstanceIds: [instance(6), instance(7)] }),
  () => new DescribeInstancesCommand({ InstanceIds: [instance(7)] }),
];

describe('The EC2 model through the wire and through the direct client', () => {
  let cloud: LocalCloud;
  let wire: EC2Client;

  beforeAll(async () => {
    cloud = await startCloud(TOPOLOGY, { seed: SEED, describeLag: 0 });
    wire = new EC2Client(cloud.clientConfig('ec2'));
  });
  afterAll(async () => {
    wire?.destroy();
    await cloud?.close();
  });

  it('gives the same answer to every call of one scripted sequence, ids included', async () => {
    const model = new Ec2Model(parseTopology(TOPOLOGY), { seed: SEED, describeLag: 0 });
    const direct = directClient(model).client;
    const wireSeen: Answer[] = [];
    const directSeen: Answer[] = [];
    for (const [i, step] of SCRIPT.entries()) {
      const overWire = await answer(wire, step(wireSeen));
      const inProcess = await answer(direct, step(directSeen));
      expect({ step: i, answer: inProcess }).toEqual({ step: i, answer: overWire });
      wireSeen.push(overWire);
      directSeen.push(inProcess);
    }
    // The script is not trivially all-success or all-error.
    const errors = wireSeen.filter((a) => 'error' in a).map((a) => ('error' in a ? a.error.name : ''));
    expect(new Set(errors)).toEqual(
      new Set([
        'InvalidParameterValue',
        'InvalidParameterCombination',
        'InvalidInstanceID.NotFound',
        'InvalidInstanceID.Malformed',
        'InvalidPaginationToken',
        'InvalidVpcID.NotFound',
        'Resource.AlreadyAssociated',
        'DryRunOperation',
        'InvalidAllocationID.NotFound',
        'PrivateIpAddressLimitExceeded',
        'InvalidRoute.NotFound',
        'InvalidAssociationID.NotFound',
      ]),
    );
  });

  it('pages DescribeInstances 5 + 2 for the SDK paginator, on both', async () => {
    const model = new Ec2Model(parseTopology(TOPOLOGY), { seed: SEED, describeLag: 0 });
    const pages = async (client: EC2Client) => {
      const sizes: number[] = [];
      for await (const page of paginateDescribeInstances({ client, pageSize: 5 }, {})) {
        sizes.push(page.Reservations?.length ?? 0);
      }
      return sizes;
    };
    expect(await pages(wire)).toEqual([5, 2]);
    expect(await pages(directClient(model).client)).toEqual([5, 2]);
  });
});

describe('The EC2 wire envelope', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startCloud(TOPOLOGY, { seed: SEED, describeLag: 0 });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const code = async (form: Record<string, string>) => {
    const res = await postForm(cloud.ec2Endpoint, form);
    const body = await res.text();
    return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'none' };
  };

  it('answers an unknown Version with NoSuchVersion and a missing one with MissingParameter', async () => {
    expect(await code({ Action: 'DescribeVpcs', Version: '2014-01-01' })).toEqual({
      status: 400,
      code: 'NoSuchVersion',
    });
    expect(await code({ Action: 'DescribeVpcs' })).toEqual({ status: 400, code: 'MissingParameter' });
    expect(await code({ Action: 'DescribeVpcs', Version: '2016-11-15' })).toEqual({
      status: 200,
      code: 'none',
    });
  });

  it('refuses a parameter the action does not take, and a badly typed one', async () => {
    expect(await code({ Action: 'DescribeAddresses', Version: '2016-11-15', MaxResults: '5' })).toEqual({
      status: 400,
      code: 'UnknownParameter',
    });
    expect(await code({ Action: 'DescribeInstances', Version: '2016-11-15', MaxResults: 'five' })).toEqual({
      status: 400,
      code: 'InvalidParameterValue',
    });
  });
});

describe('Describe lag over the wire', () => {
  it('shows the old holder to a Describe right after a move, the new one once the lag has passed', async () => {
    const cloud = await startCloud(TOPOLOGY, { seed: SEED, describeLag: 400 });
    const ec2 = new EC2Client(cloud.clientConfig('ec2'));
    try {
      const holder = async () =>
        (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [EIP] }))).Addresses?.[0]
          ?.NetworkInterfaceId;
      await ec2.send(
        new AssociateAddressCommand({
          AllocationId: EIP,
          NetworkInterfaceId: eni(2),
          AllowReassociation: true,
        }),
      );
      expect(await holder()).toBe(eni(1));
      // Mutations validate against the latest state: the address is associated (to eni 2) now.
      const refused = await answer(
        ec2,
        new AssociateAddressCommand({ AllocationId: EIP, NetworkInterfaceId: eni(3) }),
      );
      expect(refused).toMatchObject({ error: { name: 'Resource.AlreadyAssociated' } });
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await holder()).toBe(eni(2));
      // What traffic follows is the latest state, not a lagging Describe.
      expect(cloud.world.holderOfPublicIp('203.0.113.10')?.networkInterfaceId).toBe(eni(2));
    } finally {
      ec2.destroy();
      await cloud.close();
    }
  });
});
