import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  type EC2Client,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { ec2Client } from './clients';
import { delay, LB, LB_PAIR, NAT, NAT_PAIR, startCloud, VIP, vipPairTopology } from './fixtures';

describe('propagation delay', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  afterEach(() => cloud.close());

  it('shows an Elastic IP move in Describe at once and on the data path only after the delay', async () => {
    cloud = await startCloud(LB_PAIR, { faults: { propagationDelayMs: 600 } });
    ec2 = ec2Client(cloud);
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
    );

    const described = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [LB.eip] }));
    expect(described.Addresses?.[0]?.InstanceId).toBe(LB.b);
    expect(cloud.world.holderOfPublicIp(LB.publicIp)?.instanceId).toBe(LB.b);
    expect(cloud.dataPath.holderOfPublicIp(LB.publicIp)).toMatchObject({
      instanceId: LB.a,
      endpoint: '127.0.0.1:18081',
    });
    expect(cloud.dataPath.settled()).toBe(false);

    const view = (await (await fetch(`${cloud.ec2Endpoint}/_local/data-path`)).json()) as {
      publicIps: Array<{ api: { instanceId: string }; dataPath: { instanceId: string } }>;
    };
    expect(view.publicIps[0]?.api.instanceId).toBe(LB.b);
    expect(view.publicIps[0]?.dataPath.instanceId).toBe(LB.a);

    await cloud.dataPath.whenSettled();
    expect(cloud.dataPath.holderOfPublicIp(LB.publicIp)).toMatchObject({
      instanceId: LB.b,
      networkInterfaceId: LB.eniB,
      privateIpAddress: '10.0.2.10',
      endpoint: '127.0.0.1:18082',
    });
    expect(cloud.dataPath.settled()).toBe(true);
  });

  it('delays a route replacement and a route table switch on the data path', async () => {
    cloud = await startCloud(NAT_PAIR, { faults: { propagationDelayMs: 500 } });
    ec2 = ec2Client(cloud);
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: NAT.rtbPrivateA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: NAT.eniB,
      }),
    );
    await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: NAT.privateAssocA,
        RouteTableId: NAT.rtbStandby,
      }),
    );

    expect(cloud.world.routeTarget(NAT.rtbPrivateA, '0.0.0.0/0')?.instanceId).toBe(NAT.b);
    expect(cloud.dataPath.routeTarget(NAT.rtbPrivateA, '0.0.0.0/0')?.instanceId).toBe(NAT.a);
    expect(cloud.world.routeTableOfSubnet(NAT.privateSubnetA)).toBe(NAT.rtbStandby);
    expect(cloud.dataPath.routeTableOfSubnet(NAT.privateSubnetA)).toBe(NAT.rtbPrivateA);

    await cloud.dataPath.whenSettled();
    expect(cloud.dataPath.routeTarget(NAT.rtbPrivateA, '0.0.0.0/0')?.instanceId).toBe(NAT.b);
    expect(cloud.dataPath.routeTableOfSubnet(NAT.privateSubnetA)).toBe(NAT.rtbStandby);
    expect(cloud.dataPath.routeTarget(NAT.rtbPublic, '0.0.0.0/0')).toEqual({
      gatewayId: 'igw-0b1b2c3d4e5f60001',
    });
  });

  it('delays a secondary IP move, and the Elastic IP on it moves on the data path with it', async () => {
    cloud = await startCloud(vipPairTopology, { faults: { propagationDelayMs: 400 } });
    ec2 = ec2Client(cloud);
    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: VIP.eniB,
        PrivateIpAddresses: [VIP.vip],
        AllowReassignment: true,
      }),
    );
    expect(cloud.dataPath.holderOfPrivateIp(VIP.vip)?.instanceId).toBe(VIP.a);
    expect(cloud.dataPath.holderOfPublicIp(VIP.publicIp)?.instanceId).toBe(VIP.a);
    await cloud.dataPath.whenSettled();
    expect(cloud.dataPath.holderOfPrivateIp(VIP.vip)?.instanceId).toBe(VIP.b);
    expect(cloud.dataPath.holderOfPublicIp(VIP.publicIp)?.instanceId).toBe(VIP.b);
  });

  it('never lets an older move override a newer one when the delay shrinks', async () => {
    cloud = await startCloud(LB_PAIR, { faults: { propagationDelayMs: 400 } });
    ec2 = ec2Client(cloud);
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
    );
    cloud.faults.set({ propagationDelayMs: 0 });
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.a, AllowReassociation: true }),
    );
    expect(cloud.dataPath.holderOfPublicIp(LB.publicIp)?.instanceId).toBe(LB.a);
    await delay(450);
    expect(cloud.dataPath.holderOfPublicIp(LB.publicIp)?.instanceId).toBe(LB.a);
  });

  it('returns null for addresses and routes nobody holds', async () => {
    cloud = await startCloud(LB_PAIR);
    expect(cloud.dataPath.holderOfPublicIp('198.51.100.99')).toBeNull();
    expect(cloud.dataPath.holderOfPrivateIp('10.0.1.99')).toBeNull();
    expect(cloud.dataPath.routeTarget(LB.rtb, '192.168.0.0/16')).toBeNull();
    expect(cloud.dataPath.routeTableOfSubnet('subnet-0fffffffffffffff0')).toBeNull();
    expect(cloud.dataPath.routeTableOfSubnet(LB.subnetA)).toBe(LB.rtb);
  });
});
