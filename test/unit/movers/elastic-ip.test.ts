import {
  type Address,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ElasticIpMover } from '../../../shared/adapters/aws/movers/elastic-ip';
import type { ElasticIpResource, NodeConfig } from '../../../shared/config/schema';
import { ResourceNotFoundError, UnauthorizedError, VerificationError } from '../../../shared/domain/errors';
import { DESCRIBE_SETTLE_MS } from '../../../shared/ports/mover';
import { ec2Error } from '../../helpers/ec2';

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

const resource: ElasticIpResource = {
  kind: 'elastic-ip',
  allocationId: 'eipalloc-01',
  publicIp: '203.0.113.10',
};
const lb1: NodeConfig = {
  id: 'lb-1',
  instanceId: 'i-01',
  address: '10.0.1.10',
  eni: 'eni-01',
  priority: 200,
};
const lb2: NodeConfig = {
  id: 'lb-2',
  instanceId: 'i-02',
  address: '10.0.3.10',
  eni: 'eni-02',
  privateIp: '10.0.3.10',
  priority: 100,
};

const on = (eni: string, privateIp: string, associationId = 'eipassoc-1'): Address => ({
  AllocationId: 'eipalloc-01',
  PublicIp: '203.0.113.10',
  NetworkInterfaceId: eni,
  PrivateIpAddress: privateIp,
  AssociationId: associationId,
  InstanceId: eni.replace('eni', 'i'),
});
const unassociated: Address = { AllocationId: 'eipalloc-01', PublicIp: '203.0.113.10' };

/** DescribeAddresses answers these, in order (the last one repeats). */
function describeAnswers(...addresses: Address[]) {
  const stub = ec2Mock.on(DescribeAddressesCommand);
  for (const a of addresses) stub.resolvesOnce({ Addresses: [a] });
  stub.resolves({ Addresses: [addresses.at(-1)!] });
}

function mover(attempts = 3) {
  const sleep = vi.fn(async (_ms: number) => {});
  const m = new ElasticIpMover(resource, [lb1, lb2], new EC2Client({ region: 'us-east-1' }), {
    attempts,
    delayMs: 250,
    sleep,
  });
  return { m, sleep };
}

describe('ElasticIpMover', () => {
  it('asks DescribeAddresses for the allocation and names the holder by its ENI', async () => {
    describeAnswers(on('eni-02', '10.0.3.10', 'eipassoc-9'));
    const holding = await mover().m.observe();
    expect(ec2Mock.commandCalls(DescribeAddressesCommand)[0]!.args[0].input).toEqual({
      AllocationIds: ['eipalloc-01'],
    });
    expect(holding).toEqual({
      resource: 'elastic-ip eipalloc-01',
      node: 'lb-2',
      detail: '203.0.113.10 on eni-02/10.0.3.10 (eipassoc-9)',
    });
  });

  it('says no node holds an unassociated address', async () => {
    describeAnswers(unassociated);
    expect(await mover().m.observe()).toEqual({
      resource: 'elastic-ip eipalloc-01',
      node: undefined,
      detail: '203.0.113.10 is not associated',
    });
  });

  it('says no node holds an address on an ENI outside the group', async () => {
    describeAnswers(on('eni-99', '10.0.9.9'));
    expect((await mover().m.observe()).node).toBeUndefined();
  });

  it('fails with ResourceNotFoundError when the allocation does not exist', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    await expect(mover().m.observe()).rejects.toThrow(ResourceNotFoundError);
  });

  it('maps a Describe failure and names the call', async () => {
    ec2Mock.on(DescribeAddressesCommand).rejects(ec2Error('UnauthorizedOperation', 'not allowed'));
    const error = await mover()
      .m.observe()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toBe(
      'DescribeAddresses eipalloc-01: UnauthorizedOperation: not allowed',
    );
  });

  it('associates the address with the target ENI and private IP, allowing reassociation', async () => {
    describeAnswers(on('eni-01', '10.0.1.10'), on('eni-02', '10.0.3.10', 'eipassoc-2'));
    ec2Mock.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-2' });
    const outcome = await mover().m.moveTo(lb2);
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(1);
    expect(ec2Mock.commandCalls(AssociateAddressCommand)[0]!.args[0].input).toEqual({
      AllocationId: 'eipalloc-01',
      NetworkInterfaceId: 'eni-02',
      PrivateIpAddress: '10.0.3.10',
      AllowReassociation: true,
    });
    expect(outcome).toEqual({
      resource: 'elastic-ip eipalloc-01',
      changed: true,
      calls: ['AssociateAddress eipalloc-01 -> eni-02/10.0.3.10'],
      detail: '203.0.113.10 on eni-02/10.0.3.10 (eipassoc-2)',
    });
    expect(ec2Mock.commandCalls(DisassociateAddressCommand)).toHaveLength(0);
  });

  it('leaves PrivateIpAddress out when the node names none (EC2 uses the primary IP)', async () => {
    describeAnswers(on('eni-02', '10.0.3.10'), on('eni-01', '10.0.1.10'));
    ec2Mock.on(AssociateAddressCommand).resolves({});
    await mover().m.moveTo(lb1);
    expect(ec2Mock.commandCalls(AssociateAddressCommand)[0]!.args[0].input).toEqual({
      AllocationId: 'eipalloc-01',
      NetworkInterfaceId: 'eni-01',
      AllowReassociation: true,
    });
  });

  it('makes no call when the address is already on the target', async () => {
    describeAnswers(on('eni-02', '10.0.3.10'));
    const before = vi.fn(async () => {});
    const outcome = await mover().m.moveTo(lb2, { beforeMutation: before });
    expect(outcome).toMatchObject({ changed: false, calls: [] });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(0);
    expect(before).not.toHaveBeenCalled();
  });

  it('looks again after Describe lag before trusting that the address is already on the target', async () => {
    // The first answer predates a hand move to lb-1; the second, after the settle, shows it.
    describeAnswers(on('eni-02', '10.0.3.10'), on('eni-01', '10.0.1.10'), on('eni-02', '10.0.3.10'));
    ec2Mock.on(AssociateAddressCommand).resolves({});
    const { m, sleep } = mover();
    const outcome = await m.moveTo(lb2);
    expect(sleep).toHaveBeenCalledWith(DESCRIBE_SETTLE_MS);
    expect(outcome).toMatchObject({ changed: true });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(1);
  });

  it('looks again after Describe lag when what it sees contradicts the recorded holder', async () => {
    // The table records lb-2; the first answer predates that move.
    describeAnswers(on('eni-01', '10.0.1.10'), on('eni-02', '10.0.3.10'));
    const { m, sleep } = mover();
    expect((await m.observe('lb-2')).node).toBe('lb-2');
    expect(sleep).toHaveBeenCalledWith(DESCRIBE_SETTLE_MS);
    // A view that agrees with the record is believed at once.
    describeAnswers(on('eni-02', '10.0.3.10'));
    const agreeing = mover();
    expect((await agreeing.m.observe('lb-2')).node).toBe('lb-2');
    expect(agreeing.sleep).not.toHaveBeenCalled();
  });

  it('moves the address when it is on the target ENI but another private IP', async () => {
    describeAnswers(on('eni-02', '10.0.3.99'), on('eni-02', '10.0.3.10'));
    ec2Mock.on(AssociateAddressCommand).resolves({});
    expect((await mover().m.moveTo(lb2)).changed).toBe(true);
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(1);
  });

  it('reads back until Describe shows the target, waiting between reads', async () => {
    describeAnswers(
      on('eni-01', '10.0.1.10'),
      on('eni-01', '10.0.1.10'),
      on('eni-01', '10.0.1.10'),
      on('eni-02', '10.0.3.10'),
    );
    ec2Mock.on(AssociateAddressCommand).resolves({});
    const { m, sleep } = mover(5);
    expect((await m.moveTo(lb2)).changed).toBe(true);
    // 1 read before the move, then 3 read-backs with a pause between each.
    expect(ec2Mock.commandCalls(DescribeAddressesCommand)).toHaveLength(4);
    expect(sleep.mock.calls).toEqual([[250], [250]]);
  });

  it('fails with a clear VerificationError when Describe never shows the target', async () => {
    describeAnswers(on('eni-01', '10.0.1.10'));
    ec2Mock.on(AssociateAddressCommand).resolves({});
    const { m, sleep } = mover(3);
    const error = await m.moveTo(lb2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toBe(
      'elastic-ip eipalloc-01: AssociateAddress to lb-2 (eni-02/10.0.3.10) returned, but DescribeAddresses did not show it after 3 reads',
    );
    expect(ec2Mock.commandCalls(DescribeAddressesCommand)).toHaveLength(4);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('calls beforeMutation with the call right before AssociateAddress', async () => {
    describeAnswers(on('eni-01', '10.0.1.10'), on('eni-02', '10.0.3.10'));
    const order: string[] = [];
    ec2Mock.on(AssociateAddressCommand).callsFake(async () => {
      order.push('AssociateAddress');
      return {};
    });
    await mover().m.moveTo(lb2, {
      beforeMutation: async (call) => {
        order.push(`before: ${call}`);
      },
    });
    expect(order).toEqual(['before: AssociateAddress eipalloc-01 -> eni-02/10.0.3.10', 'AssociateAddress']);
  });

  it('does not call AssociateAddress when beforeMutation throws (lease lost)', async () => {
    describeAnswers(on('eni-01', '10.0.1.10'));
    const lost = new Error('lease lost');
    await expect(
      mover().m.moveTo(lb2, {
        beforeMutation: async () => {
          throw lost;
        },
      }),
    ).rejects.toBe(lost);
    expect(ec2Mock.commandCalls(AssociateAddressCommand)).toHaveLength(0);
  });

  it('maps an AssociateAddress failure and names the call', async () => {
    describeAnswers(on('eni-01', '10.0.1.10'));
    ec2Mock
      .on(AssociateAddressCommand)
      .rejects(ec2Error('InvalidNetworkInterfaceID.NotFound', 'no such ENI'));
    const error = await mover()
      .m.moveTo(lb2)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as Error).message).toBe(
      'AssociateAddress eipalloc-01 -> eni-02/10.0.3.10: InvalidNetworkInterfaceID.NotFound: no such ENI',
    );
  });
});
