import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Findings } from '../../../shared/preflight/finding';
import { gatherInventory } from '../../../shared/preflight/inventory';
import { ec2Error } from '../../helpers/ec2';
import { IDS, natConfig } from './fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
afterEach(() => {
  ec2Mock.reset();
});

describe('Preflight inventory', () => {
  it('asks by filter, so missing ids are absent instead of failing the call', async () => {
    ec2Mock.onAnyCommand().resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: IDS.natA, InstanceType: 't3.small' }] }],
    });
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [{ InstanceType: 't3.small', NetworkInfo: { Ipv4AddressesPerInterface: 4 } }],
    });
    const inv = await gatherInventory(natConfig(), ec2, new Findings());
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'instance-id', Values: [IDS.natA, IDS.natB] },
    ]);
    expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'network-interface-id', Values: [IDS.eniA, IDS.eniB] },
    ]);
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'subnet-id', Values: [IDS.publicA, IDS.privateA] },
    ]);
    // Status checks only for instances that exist.
    expect(ec2Mock.commandCalls(DescribeInstanceStatusCommand)[0]?.args[0].input.InstanceIds).toEqual([
      IDS.natA,
    ]);
    expect(inv.instances.has(IDS.natB)).toBe(false);
    expect(inv.ipv4PerEni.get('t3.small')).toBe(4);
  });

  it('turns a Describe the role may not call into an error naming the IAM action, and skips its checks', async () => {
    ec2Mock.onAnyCommand().resolves({});
    ec2Mock.on(DescribeRouteTablesCommand).rejects(ec2Error('UnauthorizedOperation'));
    const f = new Findings();
    const inv = await gatherInventory(natConfig(), ec2, f);
    expect(inv.unreadable.has('DescribeRouteTables')).toBe(true);
    expect(f.list.filter((x) => x.severity === 'error').map((x) => x.resource)).toContain(
      'ec2:DescribeRouteTables',
    );
  });
});
