import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { ec2Client } from './clients';
import { awsError, LB, LB_PAIR, startCloud, VIP, vipPairTopology } from './fixtures';

describe('AssociateAddress and DisassociateAddress', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  beforeEach(async () => {
    cloud = await startCloud(LB_PAIR);
    ec2 = ec2Client(cloud);
  });
  afterEach(() => cloud.close());

  const describeEip = async () =>
    (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [LB.eip] }))).Addresses?.[0];

  it('refuses to move an associated Elastic IP without AllowReassociation', async () => {
    const err = await awsError(
      ec2.send(new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b })),
    );
    expect(err).toEqual({
      name: 'Resource.AlreadyAssociated',
      status: 400,
      message: `resource ${LB.eip} is already associated with associate-id ${LB.eipAssociation}`,
    });
    expect((await describeEip())?.InstanceId).toBe(LB.a);
  });

  it('moves it with AllowReassociation to the primary ENI and IP of the instance', async () => {
    const out = await ec2.send(
      new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
    );
    expect(out.AssociationId).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
    expect(out.AssociationId).not.toBe(LB.eipAssociation);
    expect(await describeEip()).toMatchObject({
      AssociationId: out.AssociationId,
      InstanceId: LB.b,
      NetworkInterfaceId: LB.eniB,
      PrivateIpAddress: '10.0.2.10',
    });
  });

  it('returns a new association id on every call, even to the same target', async () => {
    const ids = new Set<string | undefined>();
    for (let i = 0; i < 3; i++) {
      const out = await ec2.send(
        new AssociateAddressCommand({
          AllocationId: LB.eip,
          NetworkInterfaceId: LB.eniA,
          AllowReassociation: true,
        }),
      );
      ids.add(out.AssociationId);
    }
    expect(ids.size).toBe(3);
  });

  it('associates an unassociated Elastic IP without AllowReassociation', async () => {
    const eipClient = ec2;
    const first = await eipClient.send(new DescribeAddressesCommand({ AllocationIds: [LB.eip] }));
    await eipClient.send(
      new DisassociateAddressCommand({ AssociationId: first.Addresses?.[0]?.AssociationId }),
    );
    expect((await describeEip())?.AssociationId).toBeUndefined();
    const out = await eipClient.send(
      new AssociateAddressCommand({
        AllocationId: LB.eip,
        NetworkInterfaceId: LB.eniB,
        PrivateIpAddress: '10.0.2.10',
      }),
    );
    expect(out.AssociationId).toMatch(/^eipassoc-/);
  });

  it('refuses a stale association id on DisassociateAddress', async () => {
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
    );
    const err = await awsError(
      ec2.send(new DisassociateAddressCommand({ AssociationId: LB.eipAssociation })),
    );
    expect(err).toMatchObject({ name: 'InvalidAssociationID.NotFound', status: 400 });
  });

  it('refuses unknown allocations, interfaces and instances', async () => {
    const cases = [
      [{ AllocationId: 'eipalloc-0fffffffffffffff0', InstanceId: LB.b }, 'InvalidAllocationID.NotFound'],
      [
        { AllocationId: LB.eip, NetworkInterfaceId: 'eni-0fffffffffffffff0' },
        'InvalidNetworkInterfaceID.NotFound',
      ],
      [{ AllocationId: LB.eip, InstanceId: 'i-0fffffffffffffff0' }, 'InvalidInstanceID.NotFound'],
      [
        { AllocationId: LB.eip, InstanceId: LB.b, NetworkInterfaceId: LB.eniB },
        'InvalidParameterCombination',
      ],
      [{ AllocationId: LB.eip }, 'MissingParameter'],
    ] as const;
    for (const [input, code] of cases) {
      const err = await awsError(
        ec2.send(new AssociateAddressCommand({ ...input, AllowReassociation: true })),
      );
      expect(err.name, JSON.stringify(input)).toBe(code);
    }
  });

  it('refuses a private IP that is not on the target interface', async () => {
    const err = await awsError(
      ec2.send(
        new AssociateAddressCommand({
          AllocationId: LB.eip,
          NetworkInterfaceId: LB.eniB,
          PrivateIpAddress: '10.0.1.10',
          AllowReassociation: true,
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterValue');
  });
});

describe('AssociateAddress onto a private IP that already has an Elastic IP', () => {
  it('replaces the Elastic IP that was there, as EC2 does', async () => {
    const cloud = await startCloud(vipPairTopology);
    try {
      const ec2 = ec2Client(cloud);
      await ec2.send(
        new AssociateAddressCommand({
          AllocationId: VIP.spareEip,
          NetworkInterfaceId: VIP.eniA,
          PrivateIpAddress: VIP.vip,
        }),
      );
      const out = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [VIP.eip, VIP.spareEip] }));
      const [displaced, spare] = out.Addresses ?? [];
      expect(displaced?.AssociationId).toBeUndefined();
      expect(spare?.PrivateIpAddress).toBe(VIP.vip);
    } finally {
      await cloud.close();
    }
  });
});
