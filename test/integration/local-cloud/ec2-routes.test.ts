import {
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { ec2Client } from './clients';
import { awsError, NAT, NAT_PAIR, startCloud, waitUntil } from './fixtures';

describe('route failover calls on the NAT pair', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  beforeEach(async () => {
    cloud = await startCloud(NAT_PAIR);
    ec2 = ec2Client(cloud);
  });
  afterEach(() => cloud.close());

  const defaultRoute = async (rtb: string) => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }));
    return out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  };

  it('replaces a route with another network interface', async () => {
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: NAT.rtbPrivateA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: NAT.eniB,
      }),
    );
    expect(await defaultRoute(NAT.rtbPrivateA)).toMatchObject({
      NetworkInterfaceId: NAT.eniB,
      InstanceId: NAT.b,
    });
    expect(cloud.world.routeTarget(NAT.rtbPrivateA, '0.0.0.0/0')?.instanceId).toBe(NAT.b);
  });

  it('replaces a route with an instance, stored as its primary interface', async () => {
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: NAT.rtbPrivateA,
        DestinationCidrBlock: '0.0.0.0/0',
        InstanceId: NAT.b,
      }),
    );
    expect(await defaultRoute(NAT.rtbPrivateA)).toMatchObject({
      NetworkInterfaceId: NAT.eniB,
      InstanceId: NAT.b,
    });
  });

  it('refuses a route that does not exist and a table that does not exist', async () => {
    const noRoute = await awsError(
      ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: NAT.rtbPrivateA,
          DestinationCidrBlock: '192.168.0.0/16',
          NetworkInterfaceId: NAT.eniB,
        }),
      ),
    );
    expect(noRoute).toEqual({
      name: 'InvalidRoute.NotFound',
      status: 400,
      message: "There is no route defined for '192.168.0.0/16' in the route table. Use CreateRoute instead.",
    });
    const noTable = await awsError(
      ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: 'rtb-0fffffffffffffff0',
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: NAT.eniB,
        }),
      ),
    );
    expect(noTable.name).toBe('InvalidRouteTableID.NotFound');
    const noEni = await awsError(
      ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: NAT.rtbPrivateA,
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: 'eni-0fffffffffffffff0',
        }),
      ),
    );
    expect(noEni.name).toBe('InvalidNetworkInterfaceID.NotFound');
  });

  it('moves a subnet to another route table and returns a new association id', async () => {
    const out = await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: NAT.privateAssocA,
        RouteTableId: NAT.rtbStandby,
      }),
    );
    expect(out.NewAssociationId).toMatch(/^rtbassoc-0[0-9a-f]{16}$/);
    expect(out.NewAssociationId).not.toBe(NAT.privateAssocA);
    expect(out.AssociationState?.State).toBe('associated');
    const tables = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: [NAT.privateSubnetA] }],
      }),
    );
    expect(tables.RouteTables?.map((t) => t.RouteTableId)).toEqual([NAT.rtbStandby]);
    expect(tables.RouteTables?.[0]?.Associations?.[0]?.RouteTableAssociationId).toBe(out.NewAssociationId);
    expect(cloud.world.routeTableOfSubnet(NAT.privateSubnetA)).toBe(NAT.rtbStandby);
  });

  it('refuses a stale association id after a replace', async () => {
    await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: NAT.privateAssocA,
        RouteTableId: NAT.rtbStandby,
      }),
    );
    const err = await awsError(
      ec2.send(
        new ReplaceRouteTableAssociationCommand({
          AssociationId: NAT.privateAssocA,
          RouteTableId: NAT.rtbPrivateA,
        }),
      ),
    );
    expect(err).toEqual({
      name: 'InvalidAssociationID.NotFound',
      status: 400,
      message: `The association ID '${NAT.privateAssocA}' does not exist`,
    });
  });

  it('refuses an unknown target route table', async () => {
    const err = await awsError(
      ec2.send(
        new ReplaceRouteTableAssociationCommand({
          AssociationId: NAT.privateAssocA,
          RouteTableId: 'rtb-0fffffffffffffff0',
        }),
      ),
    );
    expect(err.name).toBe('InvalidRouteTableID.NotFound');
  });

  const stateOf = async (instanceId: string) =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]
      ?.Instances?.[0]?.State?.Name;

  it('reports a stopped instance as stopping until the stop delay has passed', async () => {
    cloud.faults.set({ stopDelayMs: 5000 });
    const out = await ec2.send(new StopInstancesCommand({ InstanceIds: [NAT.a] }));
    expect(out.StoppingInstances?.[0]).toEqual({
      InstanceId: NAT.a,
      CurrentState: { Code: 64, Name: 'stopping' },
      PreviousState: { Code: 16, Name: 'running' },
    });
    expect(await stateOf(NAT.a)).toBe('stopping');
  });

  it('stops an instance after the stop delay, and routes to it turn blackhole', async () => {
    cloud.faults.set({ stopDelayMs: 50 });
    await ec2.send(new StopInstancesCommand({ InstanceIds: [NAT.a] }));
    await waitUntil(async () => (await stateOf(NAT.a)) === 'stopped');
    expect((await defaultRoute(NAT.rtbPrivateA))?.State).toBe('blackhole');
    const again = await ec2.send(new StopInstancesCommand({ InstanceIds: [NAT.a] }));
    expect(again.StoppingInstances?.[0]?.CurrentState?.Name).toBe('stopped');
  });

  it('refuses to stop an unknown instance', async () => {
    const err = await awsError(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0fffffffffffffff0'] })));
    expect(err.name).toBe('InvalidInstanceID.NotFound');
  });
});
