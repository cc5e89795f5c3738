import { DescribeAddressesCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { directClient, sdkError } from '../../ec2-model/direct-client';
import { Ec2Model } from '../../ec2-model/model';
import { mapEc2Error } from '../../shared/adapters/aws/ec2-errors';
import { describeInstanceSignals } from '../../shared/adapters/aws/instances';
import { createMovers } from '../../shared/adapters/aws/movers';
import type { GroupConfig, NodeConfig } from '../../shared/config/schema';
import { ThrottledError } from '../../shared/domain/errors';
import { buildConfig, buildTopology, SIM_EPOCH, VARIANTS } from '../../sim/topology';

const variant = VARIANTS.find((v) => v.allResources && v.failback === 'manual') as (typeof VARIANTS)[number];
const group = buildConfig(variant).groups[0] as GroupConfig;
const node = (id: string) => group.nodes.find((n) => n.id === id) as NodeConfig;
const verify = { attempts: 3, delayMs: 10, sleep: async () => undefined };
const EIP = 'eipalloc-0000000000000001';

/** The simulator's topology on the one model, with instant Describe answers unless told otherwise. */
function model(options: { describeLag?: number | { maxMs: number }; clock?: () => number } = {}) {
  return new Ec2Model(buildTopology(group), {
    clock: options.clock ?? (() => SIM_EPOCH),
    describeLag: options.describeLag ?? 0,
  });
}

function setup(fail?: (action: string) => void) {
  const world = model();
  const ec2 = directClient(world, fail ? { before: fail } : {});
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
    const world = model();
    world.call('AssociateAddress', {
      AllocationId: EIP,
      NetworkInterfaceId: node('n1').eni,
      PrivateIpAddress: '10.0.1.100',
      AllowReassociation: true,
    });
    world.call('AssignPrivateIpAddresses', {
      NetworkInterfaceId: node('n2').eni,
      PrivateIpAddresses: ['10.0.1.100'],
      AllowReassignment: true,
    });
    expect(world.latest.addresses.get(EIP)?.association).toMatchObject({
      networkInterfaceId: node('n2').eni,
      privateIp: '10.0.1.100',
    });
  });

  it('refuses a route-table association id that was already replaced', async () => {
    const { ec2 } = setup();
    const tables = await ec2.client.send(new DescribeRouteTablesCommand({}));
    const id = tables.RouteTables?.flatMap((t) => t.Associations ?? [])[0]?.RouteTableAssociationId as string;
    const world = model();
    world.call('ReplaceRouteTableAssociation', { AssociationId: id, RouteTableId: node('n2').routeTable });
    expect(() =>
      world.call('ReplaceRouteTableAssociation', { AssociationId: id, RouteTableId: node('n3').routeTable }),
    ).toThrow(expect.objectContaining({ code: 'InvalidAssociationID.NotFound' }));
  });

  it('may show the previous holder to a Describe made within the lag, never to a mutation', () => {
    const clock = { now: SIM_EPOCH };
    const world = model({ clock: () => clock.now, describeLag: { maxMs: 1_500 } });
    world.call('AssociateAddress', {
      AllocationId: EIP,
      NetworkInterfaceId: node('n2').eni,
      AllowReassociation: true,
    });
    clock.now += 500;
    const seen = (lagMs: number) =>
      (world.call('DescribeAddresses', {}, { lagMs }) as { Addresses: { NetworkInterfaceId?: string }[] })
        .Addresses[0]?.NetworkInterfaceId;
    expect(seen(1_000)).toBe(node('n1').eni);
    expect(seen(100)).toBe(node('n2').eni);
    // A mutation validates against the latest state: without AllowReassociation the
    // address is already associated, whatever a lagging Describe said.
    expect(() =>
      world.call('AssociateAddress', { AllocationId: EIP, NetworkInterfaceId: node('n3').eni }),
    ).toThrow(expect.objectContaining({ code: 'Resource.AlreadyAssociated' }));
  });

  it('moves a route-table association replaced by someone else while Describe still shows the old id', async () => {
    const clock = { now: SIM_EPOCH };
    const world = model({ clock: () => clock.now, describeLag: 1_000 });
    const lagging = directClient(world).client;
    const mover = createMovers(group, lagging, {
      attempts: 10,
      delayMs: 300,
      sleep: async (ms) => {
        clock.now += ms;
      },
    }).find((m) => m.key.startsWith('route-table-association')) as ReturnType<typeof createMovers>[number];
    // An operator moves the first subnet to n2's table; the mover's Describe lags 1 s behind.
    const subnet = (
      group.resources.find((r) => r.kind === 'route-table-association') as { subnets: string[] }
    ).subnets[0] as string;
    const table = world.latest.routeTableOfSubnet(subnet);
    const current = table?.associations.find((a) => a.subnetId === subnet)?.id as string;
    world.call('ReplaceRouteTableAssociation', {
      AssociationId: current,
      RouteTableId: node('n2').routeTable,
    });
    clock.now += 10;
    const outcome = await mover.moveTo(node('n3'));
    expect(outcome.changed).toBe(true);
    expect(world.latest.routeTableOfSubnet(subnet)?.id).toBe(node('n3').routeTable);
  });

  it('answers every Describe at once with describeLag 0', () => {
    const world = model({ describeLag: 0 });
    world.call('AssociateAddress', {
      AllocationId: EIP,
      NetworkInterfaceId: node('n3').eni,
      AllowReassociation: true,
    });
    const out = world.call('DescribeAddresses', { AllocationIds: [EIP] }) as {
      Addresses: { NetworkInterfaceId?: string }[];
    };
    expect(out.Addresses[0]?.NetworkInterfaceId).toBe(node('n3').eni);
  });

  it('reports stopped and impaired instances to the instance signals', async () => {
    const { world, ec2 } = setup();
    world.setInstanceState(node('n2').instanceId, 'stopped');
    world.setInstanceStatus(node('n3').instanceId, { instance: 'impaired' });
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
    expect(() => model().call('CreateVpc', {})).toThrow(
      expect.objectContaining({ code: 'InvalidAction', message: expect.stringContaining('CreateVpc') }),
    );
  });
});
