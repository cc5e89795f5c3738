import {
  AssignPrivateIpAddressesCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  UnassignPrivateIpAddressesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { ec2Client } from './clients';
import { awsError, startCloud, VIP, vipPairTopology } from './fixtures';

describe('AssignPrivateIpAddresses and UnassignPrivateIpAddresses', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  beforeEach(async () => {
    cloud = await startCloud(vipPairTopology);
    ec2 = ec2Client(cloud);
  });
  afterEach(() => cloud.close());

  const ipsOf = async (eniId: string) => {
    const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    return out.NetworkInterfaces?.[0]?.PrivateIpAddresses?.map((p) => p.PrivateIpAddress);
  };

  it('assigns a free address in the subnet', async () => {
    const out = await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: VIP.eniB,
        PrivateIpAddresses: ['10.0.1.200'],
      }),
    );
    expect(out.NetworkInterfaceId).toBe(VIP.eniB);
    expect(out.AssignedPrivateIpAddresses).toEqual([{ PrivateIpAddress: '10.0.1.200' }]);
    expect(await ipsOf(VIP.eniB)).toEqual(['10.0.1.11', '10.0.1.200']);
  });

  it('picks free addresses for SecondaryPrivateIpAddressCount', async () => {
    const out = await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: VIP.eniB,
        SecondaryPrivateIpAddressCount: 2,
      }),
    );
    expect(out.AssignedPrivateIpAddresses?.map((a) => a.PrivateIpAddress)).toEqual(['10.0.1.4', '10.0.1.5']);
  });

  it('refuses an address held by another interface without AllowReassignment', async () => {
    const err = await awsError(
      ec2.send(
        new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: VIP.eniB, PrivateIpAddresses: [VIP.vip] }),
      ),
    );
    expect(err).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(await ipsOf(VIP.eniA)).toContain(VIP.vip);
  });

  it('moves the address with AllowReassignment, and the Elastic IP on it follows', async () => {
    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: VIP.eniB,
        PrivateIpAddresses: [VIP.vip],
        AllowReassignment: true,
      }),
    );
    expect(await ipsOf(VIP.eniA)).toEqual(['10.0.1.10']);
    expect(await ipsOf(VIP.eniB)).toEqual(['10.0.1.11', VIP.vip]);
    const eip = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [VIP.eip] }))).Addresses?.[0];
    expect(eip).toMatchObject({ NetworkInterfaceId: VIP.eniB, InstanceId: VIP.b, PrivateIpAddress: VIP.vip });
    expect(cloud.world.holderOfPublicIp(VIP.publicIp)?.instanceId).toBe(VIP.b);
    expect(cloud.world.holderOfPrivateIp(VIP.vip)?.instanceId).toBe(VIP.b);
  });

  it('refuses a secondary address outside the subnet of the interface', async () => {
    const err = await awsError(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: VIP.eniC,
          PrivateIpAddresses: [VIP.vip],
          AllowReassignment: true,
        }),
      ),
    );
    expect(err).toEqual({
      name: 'InvalidParameterValue',
      status: 400,
      message: `Address ${VIP.vip} does not fall within the subnet's address range`,
    });
  });

  it('refuses addresses AWS reserves in the subnet', async () => {
    const err = await awsError(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: VIP.eniB,
          PrivateIpAddresses: ['10.0.1.255'],
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterValue');
  });

  it('enforces the per-interface address limit and changes nothing when it refuses', async () => {
    const err = await awsError(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: VIP.eniB,
          PrivateIpAddresses: ['10.0.1.201', '10.0.1.202', '10.0.1.203'],
        }),
      ),
    );
    expect(err).toMatchObject({ name: 'PrivateIpAddressLimitExceeded', status: 400 });
    expect(await ipsOf(VIP.eniB)).toEqual(['10.0.1.11']);
  });

  it('refuses an unknown interface', async () => {
    const err = await awsError(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: 'eni-0fffffffffffffff0',
          PrivateIpAddresses: ['10.0.1.9'],
        }),
      ),
    );
    expect(err.name).toBe('InvalidNetworkInterfaceID.NotFound');
  });

  it('unassigns a secondary address and disassociates the Elastic IP on it', async () => {
    await ec2.send(
      new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: VIP.eniA, PrivateIpAddresses: [VIP.vip] }),
    );
    expect(await ipsOf(VIP.eniA)).toEqual(['10.0.1.10']);
    const eip = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [VIP.eip] }))).Addresses?.[0];
    expect(eip?.AssociationId).toBeUndefined();
  });

  it('refuses to unassign an address the interface does not hold, or its primary', async () => {
    const notHeld = await awsError(
      ec2.send(
        new UnassignPrivateIpAddressesCommand({
          NetworkInterfaceId: VIP.eniB,
          PrivateIpAddresses: [VIP.vip],
        }),
      ),
    );
    expect(notHeld.name).toBe('InvalidParameterValue');
    const primary = await awsError(
      ec2.send(
        new UnassignPrivateIpAddressesCommand({
          NetworkInterfaceId: VIP.eniB,
          PrivateIpAddresses: ['10.0.1.11'],
        }),
      ),
    );
    expect(primary.name).toBe('InvalidParameterValue');
  });
});
