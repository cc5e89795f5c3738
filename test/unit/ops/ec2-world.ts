import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { GroupConfig } from '../../../shared/config/schema';

type Ec2Mock = AwsClientStub<EC2Client>;

/** Instance id -> EC2 state name; allocation id -> ENI. */
export interface Ec2World {
  instances: Record<string, string>;
  addresses: Record<string, string | undefined>;
  /** Names of every command sent, in order. */
  commands: () => string[];
  /** Commands that would change something (anything but Describe*). */
  mutating: () => string[];
}

/** A real EC2Client (its calls are intercepted by the mock). */
export function mockedEc2(): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/**
 * A tiny EC2 behind aws-sdk-client-mock for one group: addresses that AssociateAddress moves,
 * instances that StopInstances stops. Lets use-case tests run the real movers and assert on
 * the exact commands sent.
 */
export function ec2World(mock: Ec2Mock, group: GroupConfig, holder: string): Ec2World {
  const byId = new Map(group.nodes.map((n) => [n.instanceId, n]));
  const world: Ec2World = {
    instances: Object.fromEntries(group.nodes.map((n) => [n.instanceId, 'running'])),
    addresses: Object.fromEntries(
      group.resources.flatMap((r) =>
        r.kind === 'elastic-ip' ? [[r.allocationId, group.nodes.find((n) => n.id === holder)?.eni]] : [],
      ),
    ),
    commands: () => mock.calls().map((c) => (c.args[0] as object).constructor.name),
    mutating: () => world.commands().filter((name) => !name.startsWith('Describe')),
  };
  let associations = 0;
  mock.on(DescribeAddressesCommand).callsFake((input: { AllocationIds?: string[] }) => ({
    Addresses: (input.AllocationIds ?? []).map((id) => {
      const eni = world.addresses[id];
      return {
        AllocationId: id,
        PublicIp: '203.0.113.10',
        ...(eni ? { NetworkInterfaceId: eni, AssociationId: `eipassoc-${associations}` } : {}),
      };
    }),
  }));
  mock
    .on(AssociateAddressCommand)
    .callsFake((input: { AllocationId: string; NetworkInterfaceId: string }) => {
      associations += 1;
      world.addresses[input.AllocationId] = input.NetworkInterfaceId;
      return { AssociationId: `eipassoc-${associations}` };
    });
  mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
    Reservations: [
      {
        Instances: (input.InstanceIds ?? []).map((id) => ({
          InstanceId: id,
          State: { Name: world.instances[id] ?? 'terminated' },
          LaunchTime: new Date(Date.UTC(2024, 0, 1)),
        })),
      },
    ],
  }));
  mock.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [] });
  mock.on(StopInstancesCommand).callsFake((input: { InstanceIds: string[] }) => {
    for (const id of input.InstanceIds) if (byId.has(id)) world.instances[id] = 'stopping';
    return { StoppingInstances: input.InstanceIds.map((id) => ({ InstanceId: id })) };
  });
  return world;
}
