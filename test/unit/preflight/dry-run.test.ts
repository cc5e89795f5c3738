import {
  AssociateAddressCommand,
  EC2Client,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDryRun } from '../../../shared/preflight/dry-run';
import { Findings } from '../../../shared/preflight/finding';
import { ec2Error } from '../../helpers/ec2';
import { IDS, inventory, natConfig } from './fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
afterEach(() => {
  ec2Mock.reset();
});

const dryRunOk = () => ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');

async function run(config = natConfig()) {
  const f = new Findings();
  await checkDryRun(config, ec2, inventory(), f);
  return f.list;
}

describe('Preflight DryRun checks', () => {
  it('sends every association replace a failover may need, for every node, with DryRun', async () => {
    ec2Mock.on(ReplaceRouteTableAssociationCommand).rejects(dryRunOk());
    const list = await run();
    expect(ec2Mock.commandCalls(ReplaceRouteTableAssociationCommand).map((c) => c.args[0].input)).toEqual([
      { AssociationId: 'rtbassoc-0e0000000000011a', RouteTableId: IDS.rtbNatA, DryRun: true },
      { AssociationId: 'rtbassoc-0e0000000000011a', RouteTableId: IDS.rtbNatB, DryRun: true },
    ]);
    expect(list.map((f) => f.severity)).toEqual(['ok', 'ok']);
  });

  it('reports UnauthorizedOperation as an error naming the action and the resource', async () => {
    ec2Mock
      .on(ReplaceRouteTableAssociationCommand, { RouteTableId: IDS.rtbNatB })
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'))
      .on(ReplaceRouteTableAssociationCommand, { RouteTableId: IDS.rtbNatA })
      .rejects(dryRunOk());
    const errors = (await run()).filter((f) => f.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        check: 'dry-run',
        resource: `ec2:ReplaceRouteTableAssociation ${IDS.privateA} (rtbassoc-0e0000000000011a) -> ${IDS.rtbNatB} (nat-b of group nat)`,
        message: expect.stringContaining('may not call ReplaceRouteTableAssociation'),
      }),
    ]);
  });

  it('checks ReplaceRoute per table and node, AssociateAddress per node, and StopInstances when fencing', async () => {
    ec2Mock.onAnyCommand().rejects(dryRunOk());
    const config = natConfig((raw) => {
      raw.groups[0]!.resources = [
        { kind: 'elastic-ip', allocationId: 'eipalloc-0e00000000000001' },
        { kind: 'route', destination: '0.0.0.0/0', routeTables: [IDS.rtbNatA, IDS.rtbNatB] },
      ];
      raw.groups[0]!.policy = { quorum: 1, fence: 'stop' };
    });
    await run(config);
    expect(ec2Mock.commandCalls(AssociateAddressCommand).map((c) => c.args[0].input)).toEqual([
      {
        AllocationId: 'eipalloc-0e00000000000001',
        NetworkInterfaceId: IDS.eniA,
        AllowReassociation: true,
        DryRun: true,
      },
      {
        AllocationId: 'eipalloc-0e00000000000001',
        NetworkInterfaceId: IDS.eniB,
        AllowReassociation: true,
        DryRun: true,
      },
    ]);
    expect(ec2Mock.commandCalls(ReplaceRouteCommand)).toHaveLength(4);
    expect(ec2Mock.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: [IDS.natA], DryRun: true },
      { InstanceIds: [IDS.natB], DryRun: true },
    ]);
  });

  it('warns once that AssignPrivateIpAddresses has no DryRun', async () => {
    const config = natConfig((raw) => {
      raw.groups[0]!.resources = [{ kind: 'secondary-ip', ip: '10.0.1.100' }];
    });
    const list = await run(config);
    expect(list).toEqual([
      expect.objectContaining({ severity: 'warning', resource: 'ec2:AssignPrivateIpAddresses' }),
    ]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('warns when an endpoint performs a DryRun call instead of answering DryRunOperation', async () => {
    ec2Mock
      .on(ReplaceRouteTableAssociationCommand)
      .resolves({ NewAssociationId: 'rtbassoc-0e00000000000099' });
    const list = await run();
    expect(list.every((f) => f.severity === 'warning')).toBe(true);
  });
});
