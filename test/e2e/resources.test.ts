import { AssociateAddressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { instanceOf, okCalls, snsEvents, stackPerTest, until } from './stack-helpers';

const NAT_TOPOLOGY = 'local/topologies/nat-pair.yml';

describe('Every way to float an address, through the local stack', () => {
  const start = stackPerTest();

  it('fails a NAT pair over by re-associating the private subnet with the standby route table', async () => {
    const running = await start({
      config: 'test/e2e/fixtures/nat-association.arbiter.yml',
      topology: NAT_TOPOLOGY,
    });
    const world = running.stack.cloud.world;
    expect(world.routeTableOfSubnet('subnet-0b1b2c3d4e5f6011a')).toBe('rtb-0b1b2c3d4e5f6000a');
    await running.stack.nodes.node(instanceOf(running, 'nat-a')).kill();
    await until(
      () => world.routeTableOfSubnet('subnet-0b1b2c3d4e5f6011a') === 'rtb-0b1b2c3d4e5f600ff',
      20_000,
      'private-a on the standby route table',
    );
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 20_000, 'the alert');
    expect(okCalls(running, 'ReplaceRouteTableAssociation')).toHaveLength(1);
  });

  it('fails a NAT pair over by replacing the default route in both private route tables', async () => {
    const running = await start({
      config: 'test/e2e/fixtures/nat-route.arbiter.yml',
      topology: NAT_TOPOLOGY,
    });
    const world = running.stack.cloud.world;
    // The tables start split (each private subnet on its own AZ's NAT): the first reconcile
    // gathers them on nat-a (a placement, not a failover), then nat-a's death moves both.
    await until(
      () =>
        snsEvents(running, 'failover-succeeded').some((e) => e.message.subject?.includes('placed on nat-a')),
      20_000,
      'the first placement on nat-a',
    );
    await running.stack.nodes.node(instanceOf(running, 'nat-a')).kill();
    const target = (rtb: string) => world.routeTarget(rtb, '0.0.0.0/0')?.networkInterfaceId;
    await until(
      () =>
        target('rtb-0b1b2c3d4e5f6000a') === 'eni-0b1b2c3d4e5f60002' &&
        target('rtb-0b1b2c3d4e5f6000b') === 'eni-0b1b2c3d4e5f60002',
      20_000,
      'both default routes on nat-b',
    );
    const failedOver = () =>
      snsEvents(running, 'failover-succeeded').filter((e) =>
        e.message.subject?.includes('failed over nat-a -> nat-b'),
      );
    await until(() => failedOver().length === 1, 20_000, 'the alert');
    const toNatB = okCalls(running, 'ReplaceRoute').filter(
      (a) => a.params.NetworkInterfaceId === 'eni-0b1b2c3d4e5f60002',
    );
    expect(toNatB).toHaveLength(2);
  });

  it('moves the VIP (with the Elastic IP on it) and a second Elastic IP together, in order', async () => {
    const running = await start({
      config: 'test/e2e/fixtures/lb-vip.arbiter.yml',
      topology: 'test/fixtures/topologies/lb-vip.yml',
    });
    const world = running.stack.cloud.world;
    await running.stack.nodes.node(instanceOf(running, 'lb-a')).kill();
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 20_000, 'the alert');
    expect(world.holderOfPrivateIp('10.0.1.100')?.instanceId).toBe('i-0d1b2c3d4e5f60002');
    expect(world.holderOfPublicIp('203.0.113.30')?.instanceId).toBe('i-0d1b2c3d4e5f60002');
    expect(world.holderOfPublicIp('203.0.113.31')?.instanceId).toBe('i-0d1b2c3d4e5f60002');
    const order = okCalls(running).map((a) => a.action);
    expect(order).toEqual(['AssignPrivateIpAddresses', 'AssociateAddress']);
  });

  it('chooses the highest-priority healthy node of a 3-node group', async () => {
    const running = await start({
      config: 'test/e2e/fixtures/three-node.arbiter.yml',
      topology: 'test/e2e/fixtures/three-node.topology.yml',
    });
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 20_000, 'the alert');
    expect(running.stack.cloud.world.holderOfPublicIp('203.0.113.50')?.instanceId).toBe(
      'i-0e300000000000003',
    );
  });

  it('notices a hand move of the Elastic IP within one reconcile and repairs it', async () => {
    const running = await start({ runtime: { reconcileEverySeconds: 2 } });
    await until(() => snsEvents(running, 'placement-recorded').length === 1, 20_000, 'the first record');
    const operator = new EC2Client({ ...running.stack.cloud.clientConfig('ec2', 'operator') });
    await operator.send(
      new AssociateAddressCommand({
        AllocationId: 'eipalloc-0de00000000000001',
        NetworkInterfaceId: 'eni-0de00000000000002',
        AllowReassociation: true,
      }),
    );
    await until(() => snsEvents(running, 'drift-repaired').length === 1, 15_000, 'the repair');
    expect(snsEvents(running, 'drift-found').length).toBeLessThanOrEqual(1);
    expect(running.stack.cloud.world.holderOfPublicIp('203.0.113.10')?.instanceId).toBe(
      'i-0de00000000000001',
    );
    const moves = okCalls(running, 'AssociateAddress');
    expect(moves.map((m) => m.caller)).toEqual(['operator', 'arbiter']);
    operator.destroy();
  });
});
