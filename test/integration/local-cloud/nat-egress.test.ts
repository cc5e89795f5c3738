import { fileURLToPath } from 'node:url';
import {
  DescribeManagedPrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  ReplaceRouteTableAssociationCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalCloud, parseTopology, startLocalCloud, TopologyError } from '../../../local/cloud/index';
import {
  type EgressForwarder,
  type NodeFleet,
  type OutsideTarget,
  startEgressForwarder,
  startNodeFleet,
  startOutsideTarget,
} from '../../../local/nodes/index';
import { runPreflightCli } from '../../../scripts/preflight';
import { topologyObject } from '../movers/cloud';
import { ec2Client } from './clients';
import { get } from './http-get';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const NAT_EGRESS = here('../../../local/topologies/nat-egress.yml');
const ENDPOINTS_CONFIG = here('../../fixtures/configs/nat-egress-endpoints.yml');
const PRIVATE_A = 'subnet-0c1b2c3d4e5f6011a';
const NAT_A = 'i-0c1b2c3d4e5f60001';
const NAT_B = 'i-0c1b2c3d4e5f60002';

describe('gateway endpoint routes in the EC2 emulator', () => {
  let cloud: LocalCloud | undefined;
  let ec2: EC2Client | undefined;
  afterEach(async () => {
    ec2?.destroy();
    await cloud?.close();
    cloud = undefined;
  });

  it('returns pl-... via vpce-... routes, the gateway endpoint and its prefix list as AWS does', async () => {
    cloud = await startLocalCloud({ topology: NAT_EGRESS, seed: 3 });
    ec2 = ec2Client(cloud);
    const tables = await ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0c1b2c3d4e5f6000a'] }),
    );
    const routes = tables.RouteTables?.[0]?.Routes ?? [];
    expect(routes).toContainEqual({
      DestinationPrefixListId: 'pl-02cd2c6b',
      GatewayId: 'vpce-0c1b2c3d4e5f60001',
      State: 'active',
      Origin: 'CreateRoute',
    });
    const byPrefixList = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route.destination-prefix-list-id', Values: ['pl-02cd2c6b'] }],
      }),
    );
    expect(byPrefixList.RouteTables?.map((t) => t.RouteTableId).sort()).toEqual([
      'rtb-0c1b2c3d4e5f6000a',
      'rtb-0c1b2c3d4e5f600ff',
    ]);

    const gateways = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-type', Values: ['Gateway'] }] }),
    );
    expect(gateways.VpcEndpoints).toHaveLength(1);
    expect(gateways.VpcEndpoints?.[0]).toMatchObject({
      VpcEndpointId: 'vpce-0c1b2c3d4e5f60001',
      VpcEndpointType: 'Gateway',
      ServiceName: 'com.amazonaws.us-east-1.dynamodb',
      State: 'available',
      VpcId: 'vpc-0c1b2c3d4e5f60718',
      RouteTableIds: ['rtb-0c1b2c3d4e5f6000a', 'rtb-0c1b2c3d4e5f600ff'],
    });
    const interfaces = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [
          { Name: 'vpc-endpoint-type', Values: ['Interface'] },
          { Name: 'vpc-endpoint-state', Values: ['available'] },
        ],
      }),
    );
    expect(interfaces.VpcEndpoints).toEqual([]);
    await expect(
      ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0c1b2c3d4e5f6ffff'] })),
    ).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound' });

    const lists = await ec2.send(
      new DescribeManagedPrefixListsCommand({
        Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.us-east-1.dynamodb'] }],
      }),
    );
    expect(lists.PrefixLists?.map((p) => p.PrefixListId)).toEqual(['pl-02cd2c6b']);
  });

  it('lists declared interface endpoints', async () => {
    const topology = topologyObject(NAT_EGRESS) as Record<string, unknown>;
    topology.vpcEndpoints = [{ id: 'vpce-0c1b2c3d4e5f60ec2', service: 'ec2', subnets: [PRIVATE_A] }];
    cloud = await startLocalCloud({ topology: topology as never, seed: 3 });
    ec2 = ec2Client(cloud);
    const out = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-type', Values: ['Interface'] }] }),
    );
    expect(out.VpcEndpoints?.[0]).toMatchObject({
      VpcEndpointId: 'vpce-0c1b2c3d4e5f60ec2',
      ServiceName: 'com.amazonaws.us-east-1.ec2',
      SubnetIds: [PRIVATE_A],
    });
  });

  it('rejects a prefix-list route to anything but a gateway endpoint, and an endpoint route to a CIDR', () => {
    const topology = topologyObject(NAT_EGRESS) as { routeTables: Array<{ routes: unknown[] }> };
    topology.routeTables[1]!.routes.push(
      { destination: 'pl-0123abcd', target: 'eni-0c1b2c3d4e5f60001' },
      { destination: '192.0.2.0/24', target: 'vpce-0c1b2c3d4e5f60001' },
    );
    let error: TopologyError | undefined;
    try {
      parseTopology(topology);
    } catch (e) {
      error = e as TopologyError;
    }
    expect(error).toBeInstanceOf(TopologyError);
    expect(error?.issues.join('\n')).toContain('must go to a gateway endpoint vpce-');
    expect(error?.issues.join('\n')).toContain('needs a prefix list pl-... as destination');
  });

  it('npm run preflight: a prober behind the NAT it watches passes with the endpoint route, fails without', async () => {
    const out = await runPreflightCli(
      ['--config', ENDPOINTS_CONFIG, '--topology', NAT_EGRESS, '--verbose'],
      {},
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'ok    [path] vantage private-a (subnet-0c1b2c3d4e5f6011a, rtb-0c1b2c3d4e5f6000a): reaches DynamoDB through the gateway endpoint route (pl-02cd2c6b via vpce-0c1b2c3d4e5f60001), not through the NAT of group nat',
    );
    expect(out.stdout).toMatch(
      /ERROR \[path\] vantage private-b \(subnet-0c1b2c3d4e5f6011b, rtb-0c1b2c3d4e5f6000b\): the prober reaches DynamoDB through a NAT it watches \(group nat moves the default route of rtb-0c1b2c3d4e5f6000b\) and the route table has no DynamoDB gateway endpoint route/,
    );
    expect(out.stdout).toContain('--route-table-ids rtb-0c1b2c3d4e5f6000b');
  });
});

describe('the NAT data path on loopback', () => {
  let cloud: LocalCloud | undefined;
  let fleet: NodeFleet | undefined;
  let outside: OutsideTarget | undefined;
  let fwd: EgressForwarder | undefined;
  let ec2: EC2Client | undefined;
  afterEach(async () => {
    ec2?.destroy();
    ec2 = undefined;
    await fwd?.close();
    await outside?.close();
    await fleet?.close();
    await cloud?.close();
    cloud = fleet = outside = fwd = undefined;
  });

  async function rig(propagationDelayMs = 0) {
    cloud = await startLocalCloud({ topology: NAT_EGRESS, seed: 5, faults: { propagationDelayMs } });
    fleet = await startNodeFleet(cloud, { ephemeralPorts: true });
    outside = await startOutsideTarget();
    const nodes = fleet;
    fwd = await startEgressForwarder({
      subnet: PRIVATE_A,
      view: cloud.dataPath,
      natState: (id) => {
        const s = nodes.node(id).status();
        return s === 'down' ? 'down' : s === 'hung' ? 'hung' : 'up';
      },
      outside: outside.endpoint,
    });
    return { cloud, fleet, outside, fwd };
  }

  it('forwards through the live NAT, refuses through a killed one, holds through a hung one', async () => {
    const { fleet, outside, fwd } = await rig();
    expect(await get(`${fwd.url}/x`)).toMatchObject({ status: 200 });
    expect(fwd.forwarded()).toEqual({ [NAT_A]: 1 });
    outside.answer(429, '/limited');
    expect(await get(`${fwd.url}/limited`)).toMatchObject({ status: 429 });

    fleet.node(NAT_A).hang();
    expect(await get(`${fwd.url}/x`, 300)).toEqual({ error: 'timeout' });
    await fleet.node(NAT_A).kill();
    await new Promise((r) => setTimeout(r, 60));
    expect(fwd.path()).toMatchObject({ state: 'closed', via: NAT_A });
    expect(await get(`${fwd.url}/x`)).toEqual({ error: 'ECONNREFUSED' });
    await fleet.node(NAT_A).revive();
    await new Promise((r) => setTimeout(r, 60));
    expect(await get(`${fwd.url}/x`)).toMatchObject({ status: 200 });
  });

  it('follows a route table association move only after the propagation delay', async () => {
    const { cloud, fwd } = await rig(500);
    ec2 = ec2Client(cloud);
    const assoc = await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: 'rtbassoc-0c1b2c3d4e5f6011a',
        RouteTableId: 'rtb-0c1b2c3d4e5f600ff',
      }),
    );
    expect(assoc.NewAssociationId).toMatch(/^rtbassoc-/);
    expect(cloud.world.routeTableOfSubnet(PRIVATE_A)).toBe('rtb-0c1b2c3d4e5f600ff');
    expect(fwd.path().via).toBe(NAT_A);
    expect(await get(`${fwd.url}/x`)).toMatchObject({ status: 200 });
    await cloud.dataPath.whenSettled();
    expect(fwd.path()).toMatchObject({ state: 'open', via: NAT_B });
    expect(await get(`${fwd.url}/x`)).toMatchObject({ status: 200 });
    expect(fwd.forwarded()).toEqual({ [NAT_A]: 1, [NAT_B]: 1 });
  });
});
