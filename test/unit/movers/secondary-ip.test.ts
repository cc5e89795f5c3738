import {
  AssignPrivateIpAddressesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecondaryIpMover } from '../../../shared/adapters/aws/movers/secondary-ip';
import { UnauthorizedError, VerificationError } from '../../../shared/domain/errors';
import { fastVerify, node, nodes, recorder } from './fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const VIP = '10.0.1.100';

afterEach(() => {
  ec2Mock.reset();
});

/** A tiny EC2 holding the VIP on one ENI; AssignPrivateIpAddresses moves it. */
function world(initial: string | undefined, options: { applyAssign?: boolean } = {}) {
  const state = { holder: initial, events: [] as string[] };
  const iface = (eni: string): NetworkInterface => ({
    NetworkInterfaceId: eni,
    Attachment: { InstanceId: nodes.find((n) => n.eni === eni)?.instanceId ?? 'i-0ffffffffffffffff' },
    PrivateIpAddresses: [
      { PrivateIpAddress: '10.0.1.10', Primary: true },
      { PrivateIpAddress: VIP, Primary: false, Association: { PublicIp: '203.0.113.10' } },
    ],
  });
  ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake(() => ({
    NetworkInterfaces: state.holder ? [iface(state.holder)] : [],
  }));
  ec2Mock.on(AssignPrivateIpAddressesCommand).callsFake((input: { NetworkInterfaceId: string }) => {
    state.events.push('send AssignPrivateIpAddresses');
    if (options.applyAssign !== false) state.holder = input.NetworkInterfaceId;
    return {};
  });
  return state;
}

const mover = (attempts = 3) =>
  new SecondaryIpMover({ kind: 'secondary-ip', ip: VIP }, nodes, ec2, fastVerify(attempts));

describe('SecondaryIpMover', () => {
  it('observes the node whose ENI carries the address, filtering by the address', async () => {
    world('eni-0000000000000a002');
    const holding = await mover().observe();
    expect(holding).toEqual({
      resource: `secondary-ip ${VIP}`,
      node: 'nat-2',
      detail: expect.stringContaining('eni-0000000000000a002'),
    });
    expect(holding.detail).toContain('Elastic IP 203.0.113.10');
    expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'addresses.private-ip-address', Values: [VIP] }],
    });
  });

  it('observes no holder when the address is on no ENI', async () => {
    world(undefined);
    expect(await mover().observe()).toEqual({
      resource: `secondary-ip ${VIP}`,
      node: undefined,
      detail: `${VIP} is not assigned to any ENI`,
    });
  });

  it('observes no holder and names the ENI when the address is on an ENI outside the group', async () => {
    world('eni-0ffffffffffffffff');
    const holding = await mover().observe();
    expect(holding.node).toBeUndefined();
    expect(holding.detail).toContain('eni-0ffffffffffffffff');
    expect(holding.detail).toContain('not a node of the group');
  });

  it('ignores an ENI the filter returned that does not carry the address', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-0000000000000a001',
          PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.11' }],
        },
      ],
    });
    expect((await mover().observe()).node).toBeUndefined();
  });

  it('assigns the address to the target ENI with reassignment allowed, after the hook, and reads it back', async () => {
    const state = world('eni-0000000000000a001');
    const hook = recorder();
    const outcome = await mover().moveTo(node('nat-2'), {
      beforeMutation: async (call) => {
        await hook.beforeMutation(call);
        state.events.push('hook');
      },
    });
    expect(state.events).toEqual(['hook', 'send AssignPrivateIpAddresses']);
    expect(ec2Mock.commandCalls(AssignPrivateIpAddressesCommand)[0]?.args[0].input).toEqual({
      NetworkInterfaceId: 'eni-0000000000000a002',
      PrivateIpAddresses: [VIP],
      AllowReassignment: true,
    });
    expect(outcome).toEqual({
      resource: `secondary-ip ${VIP}`,
      changed: true,
      calls: [`AssignPrivateIpAddresses ${VIP} -> eni-0000000000000a002 (nat-2)`],
      detail: expect.stringContaining('eni-0000000000000a002'),
    });
  });

  it('changes nothing when the target already holds the address', async () => {
    world('eni-0000000000000a002');
    const hook = recorder();
    const outcome = await mover().moveTo(node('nat-2'), { beforeMutation: hook.beforeMutation });
    expect(outcome.changed).toBe(false);
    expect(outcome.calls).toEqual([]);
    expect(hook.events).toEqual([]);
    expect(ec2Mock.commandCalls(AssignPrivateIpAddressesCommand)).toHaveLength(0);
  });

  it('makes no EC2 call when the hook refuses (lease lost)', async () => {
    world('eni-0000000000000a001');
    await expect(
      mover().moveTo(node('nat-2'), {
        beforeMutation: async () => {
          throw new Error('lease lost');
        },
      }),
    ).rejects.toThrow('lease lost');
    expect(ec2Mock.commandCalls(AssignPrivateIpAddressesCommand)).toHaveLength(0);
  });

  it('fails verification when Describe never shows the target, after the configured reads', async () => {
    world('eni-0000000000000a001', { applyAssign: false });
    await expect(mover(4).moveTo(node('nat-2'))).rejects.toBeInstanceOf(VerificationError);
    // one read before the move, then four read-backs
    expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(5);
  });

  it('maps a refused call to UnauthorizedError naming the call', async () => {
    world('eni-0000000000000a001');
    ec2Mock
      .on(AssignPrivateIpAddressesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: {} }));
    const error = await mover()
      .moveTo(node('nat-2'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toContain(
      'AssignPrivateIpAddresses 10.0.1.100 -> eni-0000000000000a002',
    );
  });
});
