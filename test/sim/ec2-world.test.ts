import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { mapEc2Error } from '../../shared/aws/ec2-errors';
import { describeInstanceSignals } from '../../shared/aws/instances';
import type { GroupConfig, NodeConfig } from '../../shared/config/schema';
import { ThrottledError } from '../../shared/errors';
import { createMovers } from '../../shared/movers';
import { directEc2 } from '../../sim/ec2/direct-client';
import { Ec2World } from '../../sim/ec2/ec2-world';
import { sdkError } from '../../sim/ec2/sdk-error';
import { buildConfig, buildTopology, SIM_EPOCH, VARIANTS } from '../../sim/topology';

const variant = VARIANTS.find((v) => v.allResources && v.failback === 'manual') as (typeof VARIANTS)[number];
const group = buildConfig(variant).groups[0] as GroupConfig;
const node = (id: string) => group.nodes.find((n) => n.id === id) as NodeConfig;
const verify = { attempts: 3, delayMs: 10, sleep: async () => undefined };

function setup(fail?: (action: string) => void) {
  const world = new Ec2World(buildTopology(group));
  const ec2 = directEc2(world, () => SIM_EPOCH, fail);
  return { world, ec2, movers: createMovers(group, ec2.client, verify) };
}

describe('The EC2 model under the real movers', () => {
  it('starts with every resource of the group on the first node', async () => {
    const { movers } = setup();
    const holdings = await Promise.all(movers.map((m) => m.observe()));
    expect(holdings.map((h) => h.node)).toEqual(group.resources.map(() => 'n1'));
  });

  it('moves every resource kind to the target and reads it back', async () => {
    const { movers, ec2 } = setup();
    for (const m of movers) expect((await m.moveTo(node('n2'))).changed).toBe(true);
    const holdings = await Promise.all(movers.map((m) => m.observe()));
    expect(holdings.map((h) => h.node)).toEqual(group.resources.map(() => 'n2'));
    expect(ec2.calls.map((c) => c.action).filter((a) => !a.startsWith('Describe'))).toEqual([
      'AssociateAddress',
      'AssignPrivateIpAddresses',
      'ReplaceRoute',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'ReplaceRouteTableAssociation',
    ]);
  });

  it('makes no call for a resource already on the target', async () => {
    const { movers, ec2 } = setup();
    for (const m of movers) expect((await m.moveTo(node('n1'))).changed).toBe(false);
    expect(ec2.calls.every((c) => c.action.startsWith('Describe'))).toBe(true);
  });

  it('carries an Elastic IP along when its secondary private IP is reassigned', () => {
    const world = new Ec2World(buildTopology(group));
    world.handle(
      'AssociateAddress',
      {
        AllocationId: 'eipalloc-0000000000000001',
        NetworkInterfaceId: node('n1').eni,
        PrivateIpAddress: '10.0.1.100',
        AllowReassociation: true,
      },
      SIM_EPOCH,
      0,
    );
    world.handle(
      'AssignPrivateIpAddresses',
      { NetworkInterfaceId: node('n2').eni, PrivateIpAddresses: ['10.0.1.100'], AllowReassignment: true },
      SIM_EPOCH,
      0,
    );
    expect(world.addressTruth('eipalloc-0000000000000001')).toEqual({
      eni: node('n2').eni,
      privateIp: '10.0.1.100',
    });
  });

  it('refuses a route-table association id that was already replaced', () => {
    const world = new Ec2World(buildTopology(group));
    const tables = world.handle('DescribeRouteTables', {}, SIM_EPOCH, 0) as {
      RouteTables: { Associations: { RouteTableAssociationId: string }[] }[];
    };
    const id = tables.RouteTables.flatMap((t) => t.Associations)[0]?.RouteTableAssociationId as string;
    world.handle(
      'ReplaceRouteTableAssociation',
      { AssociationId: id, RouteTableId: node('n2').routeTable },
      SIM_EPOCH,
      0,
    );
    expect(() =>
      world.handle(
        'ReplaceRouteTableAssociation',
        { AssociationId: id, RouteTableId: node('n3').routeTable },
        SIM_EPOCH,
        0,
      ),
    ).toThrow(expect.objectContaining({ name: 'InvalidAssociationID.NotFound' }));
  });

  it('may show the previous holder to a Describe made within the propagation lag', () => {
    const world = new Ec2World(buildTopology(group));
    world.handle(
      'AssociateAddress',
      {
        AllocationId: 'eipalloc-0000000000000001',
        NetworkInterfaceId: node('n2').eni,
        AllowReassociation: true,
      },
      SIM_EPOCH,
      0,
    );
    const seen = (lag: number) =>
      (
        world.handle('DescribeAddresses', {}, SIM_EPOCH + 500, lag) as {
          Addresses: { NetworkInterfaceId: string }[];
        }
      ).Addresses[0]?.NetworkInterfaceId;
    expect(seen(1_000)).toBe(node('n1').eni);
    expect(seen(100)).toBe(node('n2').eni);
  });

  it('reports stopped and impaired instances to the instance signals', async () => {
    const { world, ec2 } = setup();
    world.setInstanceState(node('n2').instanceId, 'stopped', SIM_EPOCH);
    world.setImpaired(node('n3').instanceId, true);
    const signals = await describeInstanceSignals(ec2.client, group.nodes);
    expect(signals.n2?.state).toBe('stopped');
    expect(signals.n3).toMatchObject({ state: 'running', impaired: true });
  });

  it('throws throttling as an SDK-shaped error that the core maps to ThrottledError', async () => {
    const { ec2 } = setup(() => {
      throw sdkError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    });
    const error = await ec2.client.send(new DescribeAddressesCommand({})).catch((e: unknown) => e);
    expect(mapEc2Error(error, 'DescribeAddresses')).toBeInstanceOf(ThrottledError);
  });

  it('fails loudly on a call it does not implement', () => {
    const world = new Ec2World(buildTopology(group));
    expect(() => world.handle('CreateVpc', {}, SIM_EPOCH, 0)).toThrow(/does not implement CreateVpc/);
  });
});
