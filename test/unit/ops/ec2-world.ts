import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DisassociateAddressCommand,
  EC2Client,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { toSdkError } from '../../../ec2-model/direct-client';
import { Ec2Model } from '../../../ec2-model/model';
import { ensureTopology } from '../../../local/cloud/topology';
import type { GroupConfig } from '../../../shared/config/schema';
import type { rawConfig } from '../../helpers/config';

type Ec2Mock = AwsClientStub<EC2Client>;
type RawGroup = ReturnType<typeof rawConfig>['groups'][number];

/** AWS-shaped ids for node `n` (1-based) of the example group: EC2 refuses ids like `i-01` as malformed. */
export const awsIds = (n: number) => ({
  instanceId: `i-0a0000000000000${n}`,
  eni: `eni-0a0000000000000${n}`,
  allocationId: `eipalloc-0a0000000000000${n}`,
});

/** Gives the raw example group AWS-shaped instance, ENI and allocation ids (a `makeConfig` edit). */
export function withAwsIds(group: RawGroup): void {
  group.nodes.forEach((node, i) => {
    node.instanceId = awsIds(i + 1).instanceId;
    node.eni = awsIds(i + 1).eni;
  });
  group.resources.forEach((r, i) => {
    if (r.kind === 'elastic-ip') r.allocationId = awsIds(i + 1).allocationId;
  });
}

/** The one EC2 model behind aws-sdk-client-mock, with what the use-case tests read of it. */
export interface Ec2World {
  readonly model: Ec2Model;
  /** The ENI an Elastic IP is on now, or undefined. */
  eniOf(allocationId: string): string | undefined;
  /** An instance's state now. */
  stateOf(instanceId: string): string | undefined;
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

const COMMANDS = [
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DisassociateAddressCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
] as const;

/**
 * The one EC2 model (ec2-model/) for one group, behind aws-sdk-client-mock, so use-case
 * tests run the real movers against EC2's rules and still assert on the exact commands
 * sent. Every node runs, each in a /24 of its own address; the group's Elastic IPs are on
 * `holder`. Describe calls answer at once (`describeLag: 0`): these tests script one
 * decision at a time. The group needs AWS-shaped ids ({@link withAwsIds}).
 */
export function ec2World(mock: Ec2Mock, group: GroupConfig, holder: string): Ec2World {
  const holderEni = group.nodes.find((n) => n.id === holder)?.eni;
  const subnetOf = (i: number) => `subnet-0a0000000000000${i + 1}`;
  const topology = ensureTopology({
    vpc: { id: 'vpc-0a00000000000001', cidr: '10.0.0.0/16' },
    subnets: group.nodes.map((n, i) => ({
      id: subnetOf(i),
      cidr: `${n.address.split('.').slice(0, 3).join('.')}.0/24`,
      az: 'us-east-1a',
    })),
    instances: group.nodes.map((n, i) => ({
      id: n.instanceId,
      name: n.id,
      subnet: subnetOf(i),
      launchTime: '2024-01-01T00:00:00.000Z',
      networkInterfaces: [{ id: n.eni as string, privateIp: n.address }],
    })),
    elasticIps: group.resources.flatMap((r, i) =>
      r.kind === 'elastic-ip'
        ? [
            {
              allocationId: r.allocationId,
              publicIp: `203.0.113.${10 + i}`,
              ...(holderEni ? { association: { networkInterface: holderEni } } : {}),
            },
          ]
        : [],
    ),
    routeTables: [{ id: 'rtb-0a00000000000001', main: true }],
  });
  const model = new Ec2Model(topology, { describeLag: 0 });
  for (const Command of COMMANDS) {
    const action = Command.name.replace(/Command$/, '');
    mock.on(Command as never).callsFake((input: unknown) => {
      try {
        return model.call(action, input);
      } catch (error) {
        throw toSdkError(error);
      }
    });
  }
  const world: Ec2World = {
    model,
    eniOf: (id) => model.latest.addresses.get(id)?.association?.networkInterfaceId,
    stateOf: (id) => model.latest.instances.get(id)?.state,
    commands: () => mock.calls().map((c) => (c.args[0] as object).constructor.name),
    mutating: () => world.commands().filter((name) => !name.startsWith('Describe')),
  };
  return world;
}
