import {
  DescribeAddressesCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { createMovers } from '../../../shared/adapters/aws/movers';
import type { GroupConfig } from '../../../shared/config/schema';
import { Ec2Error, UnauthorizedError } from '../../../shared/domain/errors';
import type { Mover } from '../../../shared/ports/mover';
import { config, FILES, type Rig, startRig, topologyObject } from './cloud';

const fast = { attempts: 5, delayMs: 20 };
let rig: Rig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function setup(
  group: GroupConfig,
  r: Rig,
  accessKeyId?: string,
): { movers: Mover[]; node: (id: string) => GroupConfig['nodes'][number] } {
  const ec2 = accessKeyId ? r.client(accessKeyId) : r.ec2;
  return {
    movers: createMovers(group, ec2, fast),
    node: (id) => group.nodes.find((n) => n.id === id)!,
  };
}

const mutations = (r: Rig) => r.cloud.audit().filter((e) => e.outcome !== 'dry-run');

describe('SecondaryIpMover on the local cloud', () => {
  const group = () => config(FILES.lbVipConfig).groups[0]!;

  it('moves the VIP to the standby ENI, and the Elastic IP on it follows', async () => {
    rig = await startRig(FILES.lbVip);
    const { movers, node } = setup(group(), rig);
    const mover = movers[0]!;
    expect((await mover.observe()).node).toBe('lb-a');

    const outcome = await mover.moveTo(node('lb-b'));
    expect(outcome.changed).toBe(true);
    expect((await mover.observe()).node).toBe('lb-b');
    const [call] = mutations(rig);
    expect(call).toMatchObject({ action: 'AssignPrivateIpAddresses', outcome: 'ok' });
    expect(call?.params).toMatchObject({
      NetworkInterfaceId: 'eni-0d1b2c3d4e5f60002',
      'PrivateIpAddress.1': '10.0.1.100',
      AllowReassignment: 'true',
    });
    const eip = await rig.ec2.send(
      new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0d1b2c3d4e5f60001'] }),
    );
    expect(eip.Addresses?.[0]).toMatchObject({
      NetworkInterfaceId: 'eni-0d1b2c3d4e5f60002',
      PrivateIpAddress: '10.0.1.100',
    });
  });

  it('makes no call when the VIP is already on the target', async () => {
    rig = await startRig(FILES.lbVip);
    const { movers, node } = setup(group(), rig);
    const outcome = await movers[0]!.moveTo(node('lb-a'));
    expect(outcome.changed).toBe(false);
    expect(mutations(rig)).toEqual([]);
  });

  it('reports a full ENI as an EC2 error and changes nothing', async () => {
    const topology = topologyObject(FILES.lbVip);
    const lbB = topology.instances?.find((i) => i.name === 'lb-b');
    lbB!.networkInterfaces[0]!.maxPrivateIps = 1;
    rig = await startRig(topology);
    const { movers, node } = setup(group(), rig);
    const error = await movers[0]!.moveTo(node('lb-b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Ec2Error);
    expect((error as Ec2Error).code).toBe('PrivateIpAddressLimitExceeded');
    expect((await movers[0]!.observe()).node).toBe('lb-a');
  });

  it('maps a denied move to UnauthorizedError', async () => {
    rig = await startRig(FILES.lbVip);
    rig.cloud.world.setDenied('AKIDNOVIPEXAMPLE', ['AssignPrivateIpAddresses']);
    const { movers, node } = setup(group(), rig, 'AKIDNOVIPEXAMPLE');
    await expect(movers[0]!.moveTo(node('lb-b'))).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('RouteMover on the local cloud', () => {
  const group = () => config(FILES.natRouteConfig).groups[0]!;
  const [RTB_A, RTB_B] = ['rtb-0b1b2c3d4e5f6000a', 'rtb-0b1b2c3d4e5f6000b'];

  it('sees the two private tables split between the NATs, then points both at one', async () => {
    rig = await startRig(FILES.natPair);
    const { movers, node } = setup(group(), rig);
    const mover = movers[0]!;
    const before = await mover.observe();
    expect(before.node).toBeUndefined();
    expect(before.detail).toBe(
      `split: 0.0.0.0/0: ${RTB_A} -> eni-0b1b2c3d4e5f60001 (nat-a); ${RTB_B} -> eni-0b1b2c3d4e5f60002 (nat-b)`,
    );

    const outcome = await mover.moveTo(node('nat-b'));
    expect(outcome.calls).toEqual([`ReplaceRoute 0.0.0.0/0 in ${RTB_A} -> eni-0b1b2c3d4e5f60002 (nat-b)`]);
    expect((await mover.observe()).node).toBe('nat-b');
    expect(mutations(rig).map((e) => [e.action, e.params.RouteTableId, e.params.NetworkInterfaceId])).toEqual(
      [['ReplaceRoute', RTB_A, 'eni-0b1b2c3d4e5f60002']],
    );

    await mover.moveTo(node('nat-a'));
    expect((await mover.observe()).node).toBe('nat-a');
    expect(mutations(rig)).toHaveLength(3);
  });

  it('notices a route changed by hand in one table', async () => {
    rig = await startRig(FILES.natPair);
    const { movers, node } = setup(group(), rig);
    await movers[0]!.moveTo(node('nat-a'));
    await rig.client().send(
      new ReplaceRouteCommand({
        RouteTableId: RTB_B,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: 'eni-0b1b2c3d4e5f60002',
      }),
    );
    const holding = await movers[0]!.observe();
    expect(holding.node).toBeUndefined();
    expect(holding.detail).toContain(`${RTB_B} -> eni-0b1b2c3d4e5f60002 (nat-b)`);
  });
});

describe('RouteTableAssociationMover on the local cloud', () => {
  const group = () => config(FILES.natAssociationConfig).groups[0]!;
  const SUBNET = 'subnet-0b1b2c3d4e5f6011a';

  it('re-associates the private subnet with the standby table and back, each time with the current id', async () => {
    rig = await startRig(FILES.natPair);
    const { movers, node } = setup(group(), rig);
    const mover = movers[0]!;
    expect((await mover.observe()).node).toBe('nat-a');

    await mover.moveTo(node('nat-b'));
    expect((await mover.observe()).node).toBe('nat-b');
    await mover.moveTo(node('nat-a'));
    expect((await mover.observe()).node).toBe('nat-a');

    const calls = mutations(rig);
    expect(calls.map((c) => [c.action, c.outcome, c.params.RouteTableId])).toEqual([
      ['ReplaceRouteTableAssociation', 'ok', 'rtb-0b1b2c3d4e5f600ff'],
      ['ReplaceRouteTableAssociation', 'ok', 'rtb-0b1b2c3d4e5f6000a'],
    ]);
    expect(calls[0]?.params.AssociationId).toBe('rtbassoc-0b1b2c3d4e5f6011a');
    // The first replace handed out a new id; the second move used it, not the original.
    expect(calls[1]?.params.AssociationId).not.toBe('rtbassoc-0b1b2c3d4e5f6011a');
  });

  it('uses the stale association id as a guard: refused, it looks again and retries once', async () => {
    rig = await startRig(FILES.natPair);
    const { movers, node } = setup(group(), rig);
    const operator = rig.client();
    let raced = false;
    const outcome = await movers[0]!.moveTo(node('nat-b'), {
      beforeMutation: async () => {
        if (raced) return;
        raced = true;
        // Someone re-associates the subnet by hand (same table) after our read.
        await operator.send(
          new ReplaceRouteTableAssociationCommand({
            AssociationId: 'rtbassoc-0b1b2c3d4e5f6011a',
            RouteTableId: 'rtb-0b1b2c3d4e5f6000a',
          }),
        );
      },
    });
    expect(outcome.changed).toBe(true);
    expect((await movers[0]!.observe()).node).toBe('nat-b');
    const mine = mutations(rig).slice(1);
    expect(mine.map((c) => [c.outcome, c.errorCode])).toEqual([
      ['error', 'InvalidAssociationID.NotFound'],
      ['ok', undefined],
    ]);
    expect((await movers[0]!.observe()).detail).toContain(SUBNET);
  });
});
