import {
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { ec2Client } from './clients';
import { awsError, LB, LB_PAIR, NAT, NAT_PAIR, postForm, startCloud } from './fixtures';

describe('EC2 Describe calls on the LB pair', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  beforeAll(async () => {
    cloud = await startCloud(LB_PAIR);
    ec2 = ec2Client(cloud);
  });
  afterAll(() => cloud.close());

  it('answers in the EC2 XML namespace with a request id', async () => {
    const res = await postForm(cloud.ec2Endpoint, { Action: 'DescribeInstances', Version: '2016-11-15' });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    expect(xml).toMatch(/<requestId>[0-9a-f-]{36}<\/requestId>/);
    expect(xml).toContain('<reservationSet><item>');
  });

  it('describes instances with state, placement, launch time, source/dest check and ENIs', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [LB.a] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(instance?.InstanceId).toBe(LB.a);
    expect(instance?.State).toEqual({ Code: 16, Name: 'running' });
    expect(instance?.Placement?.AvailabilityZone).toBe('us-east-1a');
    expect(instance?.LaunchTime).toEqual(new Date('2024-05-01T08:00:00.000Z'));
    expect(instance?.SourceDestCheck).toBe(true);
    expect(instance?.PrivateIpAddress).toBe('10.0.1.10');
    expect(instance?.PublicIpAddress).toBe(LB.publicIp);
    expect(instance?.NetworkInterfaces?.[0]?.NetworkInterfaceId).toBe(LB.eniA);
    expect(instance?.NetworkInterfaces?.[0]?.PrivateIpAddresses?.[0]?.Primary).toBe(true);
    expect(instance?.Tags).toContainEqual({ Key: 'Name', Value: 'lb-a' });
  });

  it('filters instances by tag and state, and lists all without arguments', async () => {
    const all = await ec2.send(new DescribeInstancesCommand({}));
    expect(all.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([LB.a, LB.b]);
    const byName = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Name', Values: ['lb-b'] },
          { Name: 'instance-state-name', Values: ['running', 'stopped'] },
        ],
      }),
    );
    expect(byName.Reservations?.map((r) => r.Instances?.[0]?.InstanceId)).toEqual([LB.b]);
    const wildcard = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['lb-*'] }] }),
    );
    expect(wildcard.Reservations).toHaveLength(2);
  });

  it('refuses unknown and malformed instance ids and unknown filters', async () => {
    const unknown = await awsError(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0fffffffffffffff0'] })),
    );
    expect(unknown).toMatchObject({ name: 'InvalidInstanceID.NotFound', status: 400 });
    expect(unknown.message).toBe("The instance ID 'i-0fffffffffffffff0' does not exist");
    const malformed = await awsError(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-xyz'] })));
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
    const filter = await awsError(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
    );
    expect(filter).toMatchObject({
      name: 'InvalidParameterValue',
      message: "The filter 'colour' is invalid",
    });
  });

  it('reports instance status checks, ok and impaired', async () => {
    cloud.world.setInstanceStatus(LB.b, { instance: 'impaired' });
    const out = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [LB.a, LB.b] }));
    const byId = Object.fromEntries((out.InstanceStatuses ?? []).map((s) => [s.InstanceId, s]));
    expect(byId[LB.a]?.InstanceStatus?.Status).toBe('ok');
    expect(byId[LB.a]?.SystemStatus?.Status).toBe('ok');
    expect(byId[LB.b]?.InstanceStatus?.Status).toBe('impaired');
    expect(byId[LB.b]?.InstanceStatus?.Details).toEqual([{ Name: 'reachability', Status: 'failed' }]);
    expect(byId[LB.b]?.SystemStatus?.Status).toBe('ok');
    const impaired = await ec2.send(
      new DescribeInstanceStatusCommand({
        Filters: [{ Name: 'instance-status.status', Values: ['impaired'] }],
      }),
    );
    expect(impaired.InstanceStatuses?.map((s) => s.InstanceId)).toEqual([LB.b]);
    cloud.world.setInstanceStatus(LB.b, { instance: 'ok' });
  });

  it('leaves out stopped instances unless IncludeAllInstances is set', async () => {
    cloud.world.setInstanceState(LB.b, 'stopped');
    try {
      const running = await ec2.send(new DescribeInstanceStatusCommand({}));
      expect(running.InstanceStatuses?.map((s) => s.InstanceId)).toEqual([LB.a]);
      const all = await ec2.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
      const stopped = all.InstanceStatuses?.find((s) => s.InstanceId === LB.b);
      expect(stopped?.InstanceState).toEqual({ Code: 80, Name: 'stopped' });
      expect(stopped?.InstanceStatus?.Status).toBe('not-applicable');
    } finally {
      cloud.world.setInstanceState(LB.b, 'running');
    }
  });

  it('describes Elastic IPs by allocation id, public IP and filters', async () => {
    const byId = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [LB.eip] }));
    expect(byId.Addresses?.[0]).toMatchObject({
      AllocationId: LB.eip,
      PublicIp: LB.publicIp,
      Domain: 'vpc',
      AssociationId: LB.eipAssociation,
      InstanceId: LB.a,
      NetworkInterfaceId: LB.eniA,
      PrivateIpAddress: '10.0.1.10',
    });
    const byIp = await ec2.send(new DescribeAddressesCommand({ PublicIps: [LB.publicIp] }));
    expect(byIp.Addresses?.[0]?.AllocationId).toBe(LB.eip);
    const byFilter = await ec2.send(
      new DescribeAddressesCommand({
        Filters: [
          { Name: 'allocation-id', Values: [LB.eip] },
          { Name: 'public-ip', Values: [LB.publicIp] },
        ],
      }),
    );
    expect(byFilter.Addresses).toHaveLength(1);
    const none = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: 'public-ip', Values: ['198.51.100.1'] }] }),
    );
    expect(none.Addresses).toEqual([]);
  });

  it('refuses unknown allocation ids and public IPs', async () => {
    const byId = await awsError(
      ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0fffffffffffffff0'] })),
    );
    expect(byId).toMatchObject({ name: 'InvalidAllocationID.NotFound', status: 400 });
    const byIp = await awsError(ec2.send(new DescribeAddressesCommand({ PublicIps: ['198.51.100.1'] })));
    expect(byIp).toMatchObject({ name: 'InvalidAddress.NotFound', status: 400 });
  });

  it('describes network interfaces by id and by filters', async () => {
    const byId = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [LB.eniB] }));
    const eni = byId.NetworkInterfaces?.[0];
    expect(eni).toMatchObject({
      NetworkInterfaceId: LB.eniB,
      SubnetId: LB.subnetB,
      PrivateIpAddress: '10.0.2.10',
      SourceDestCheck: true,
      Status: 'in-use',
    });
    expect(eni?.Attachment).toMatchObject({ InstanceId: LB.b, DeviceIndex: 0, Status: 'attached' });
    for (const filter of [
      { Name: 'attachment.instance-id', Values: [LB.a] },
      { Name: 'network-interface-id', Values: [LB.eniA] },
      { Name: 'subnet-id', Values: [LB.subnetA] },
      { Name: 'addresses.private-ip-address', Values: ['10.0.1.10'] },
    ]) {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [filter] }));
      expect(
        out.NetworkInterfaces?.map((e) => e.NetworkInterfaceId),
        filter.Name,
      ).toEqual([LB.eniA]);
    }
    const withEip = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [LB.eniA] }));
    expect(withEip.NetworkInterfaces?.[0]?.Association).toMatchObject({
      PublicIp: LB.publicIp,
      AllocationId: LB.eip,
    });
  });

  it('refuses an unknown network interface', async () => {
    const err = await awsError(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0fffffffffffffff0'] })),
    );
    expect(err).toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound', status: 400 });
  });

  it('describes subnets with their CIDR, zone and free addresses', async () => {
    const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [LB.subnetA] }));
    expect(out.Subnets?.[0]).toMatchObject({
      SubnetId: LB.subnetA,
      CidrBlock: '10.0.1.0/24',
      AvailabilityZone: 'us-east-1a',
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      AvailableIpAddressCount: 250,
    });
    const unknown = await awsError(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0fffffffffffffff0'] })),
    );
    expect(unknown.name).toBe('InvalidSubnetID.NotFound');
  });

  it('answers an unknown action with InvalidAction', async () => {
    const res = await postForm(cloud.ec2Endpoint, { Action: 'LaunchRockets', Version: '2016-11-15' });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain('<Response><Errors><Error><Code>InvalidAction</Code>');
    expect(xml).toMatch(/<RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
  });
});

describe('EC2 DescribeRouteTables on the NAT pair', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  beforeAll(async () => {
    cloud = await startCloud(NAT_PAIR);
    ec2 = ec2Client(cloud);
  });
  afterAll(() => cloud.close());

  it('shows routes to the NAT ENI with the local route first', async () => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [NAT.rtbPrivateA] }));
    const table = out.RouteTables?.[0];
    expect(table?.Routes?.[0]).toMatchObject({
      DestinationCidrBlock: '10.0.0.0/16',
      GatewayId: 'local',
      State: 'active',
    });
    expect(table?.Routes?.[1]).toMatchObject({
      DestinationCidrBlock: '0.0.0.0/0',
      NetworkInterfaceId: NAT.eniA,
      InstanceId: NAT.a,
      State: 'active',
    });
    expect(table?.Associations).toEqual([
      {
        Main: false,
        RouteTableAssociationId: NAT.privateAssocA,
        RouteTableId: NAT.rtbPrivateA,
        SubnetId: NAT.privateSubnetA,
        AssociationState: { State: 'associated' },
      },
    ]);
  });

  it('filters route tables by subnet, association id, table id and VPC', async () => {
    const cases = [
      { Name: 'association.subnet-id', Values: [NAT.privateSubnetA] },
      { Name: 'association.route-table-association-id', Values: [NAT.privateAssocA] },
      { Name: 'route-table-id', Values: [NAT.rtbPrivateA] },
    ];
    for (const filter of cases) {
      const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: [filter] }));
      expect(
        out.RouteTables?.map((t) => t.RouteTableId),
        filter.Name,
      ).toEqual([NAT.rtbPrivateA]);
    }
    const inVpc = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0b1b2c3d4e5f60718'] }] }),
    );
    expect(inVpc.RouteTables).toHaveLength(4);
    const main = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    expect(main.RouteTables?.map((t) => t.RouteTableId)).toEqual([NAT.rtbPublic]);
  });

  it('reports source/dest check off for NAT instances', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [NAT.a] }));
    expect(out.Reservations?.[0]?.Instances?.[0]?.SourceDestCheck).toBe(false);
    const eni = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [NAT.eniA] }));
    expect(eni.NetworkInterfaces?.[0]?.SourceDestCheck).toBe(false);
  });

  it('refuses an unknown route table', async () => {
    const err = await awsError(
      ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0fffffffffffffff0'] })),
    );
    expect(err).toMatchObject({ name: 'InvalidRouteTableID.NotFound', status: 400 });
  });
});
