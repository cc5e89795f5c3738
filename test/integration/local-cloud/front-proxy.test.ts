import {
  AssociateAddressCommand,
  DisassociateAddressCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import {
  type FrontProxy,
  longestOutage,
  type NodeFleet,
  outageWindows,
  publicIpUpstream,
  servedByChanges,
  startClientProbe,
  startFrontProxy,
  startNodeFleet,
  subnetEgressUpstream,
  summarizeProbe,
} from '../../../local/nodes/index';
import { ec2Client } from './clients';
import { delay, LB, LB_PAIR, NAT, NAT_PAIR, startCloud } from './fixtures';
import { get } from './http-get';

describe('front proxy in front of an Elastic IP', () => {
  let cloud: LocalCloud;
  let fleet: NodeFleet;
  let proxy: FrontProxy;
  const start = async (propagationDelayMs = 0) => {
    cloud = await startCloud(LB_PAIR, { faults: { propagationDelayMs } });
    fleet = await startNodeFleet(cloud, { ephemeralPorts: true });
    proxy = await startFrontProxy({
      resolve: publicIpUpstream(cloud.dataPath, LB.publicIp),
      upstreamTimeoutMs: 200,
    });
  };
  afterEach(async () => {
    await proxy.close();
    await fleet.close();
    await cloud.close();
  });

  const move = (to: string) =>
    ec2Client(cloud).send(
      new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: to, AllowReassociation: true }),
    );

  it('forwards to the node holding the address and says which one served', async () => {
    await start();
    expect(await get(`${proxy.url}/`)).toMatchObject({
      status: 200,
      body: 'hello from lb-a',
      headers: { 'x-served-by': LB.a },
    });
  });

  it('switches nodes when the holder changes, once the data path has caught up', async () => {
    await start(500);
    await move(LB.b);
    expect(await get(`${proxy.url}/`)).toMatchObject({ headers: { 'x-served-by': LB.a } });
    await cloud.dataPath.whenSettled();
    expect(await get(`${proxy.url}/`)).toMatchObject({
      status: 200,
      body: 'hello from lb-b',
      headers: { 'x-served-by': LB.b },
    });
  });

  it('answers 502 when the holder refuses connections', async () => {
    await start();
    await fleet.node(LB.a).kill();
    const res = await get(`${proxy.url}/`);
    expect(res).toMatchObject({ status: 502, headers: { 'x-attempted-upstream': LB.a } });
  });

  it('answers 504 when the holder hangs past the upstream timeout', async () => {
    await start();
    fleet.node(LB.a).hang();
    const startedAt = Date.now();
    expect(await get(`${proxy.url}/`)).toMatchObject({ status: 504 });
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('answers 503 when nobody holds the address', async () => {
    await start();
    await ec2Client(cloud).send(new DisassociateAddressCommand({ AssociationId: LB.eipAssociation }));
    expect(await get(`${proxy.url}/`)).toMatchObject({ status: 503 });
  });

  it('kills the node of an instance that is stopped', async () => {
    await start();
    await ec2Client(cloud).send(new StopInstancesCommand({ InstanceIds: [LB.a] }));
    expect(fleet.node(LB.a).status()).toBe('down');
    expect(await get(`${proxy.url}/`)).toMatchObject({ status: 502 });
  });

  it('lets a client probe measure the outage of a failover', async () => {
    await start(100);
    const probe = startClientProbe({ url: `${proxy.url}/`, intervalMs: 20, timeoutMs: 500 });
    await delay(100);
    await fleet.node(LB.a).kill();
    await delay(150);
    await move(LB.b);
    await cloud.dataPath.whenSettled();
    await delay(100);
    const samples = await probe.stop();

    const outage = longestOutage(samples);
    expect(outage?.durationMs).toBeGreaterThanOrEqual(200);
    expect(outage?.durationMs).toBeLessThan(1500);
    expect(servedByChanges(samples).map((c) => c.to)).toEqual([LB.a, LB.b]);
    const summary = summarizeProbe(samples);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.servedBy[LB.b]).toBeGreaterThan(0);
  });
});

describe('front proxy in front of a NAT route', () => {
  it('follows a subnet moved to the standby route table', async () => {
    const cloud = await startCloud(NAT_PAIR);
    const fleet = await startNodeFleet(cloud, { ephemeralPorts: true });
    const proxy = await startFrontProxy({
      resolve: subnetEgressUpstream(cloud.dataPath, NAT.privateSubnetA),
    });
    try {
      expect(await get(`${proxy.url}/`)).toMatchObject({ headers: { 'x-served-by': NAT.a } });
      await ec2Client(cloud).send(
        new ReplaceRouteTableAssociationCommand({
          AssociationId: NAT.privateAssocA,
          RouteTableId: NAT.rtbStandby,
        }),
      );
      expect(await get(`${proxy.url}/`)).toMatchObject({ headers: { 'x-served-by': NAT.b } });
    } finally {
      await proxy.close();
      await fleet.close();
      await cloud.close();
    }
  });

  it('refuses to forward to an endpoint off the loopback interface', async () => {
    const proxy = await startFrontProxy({
      resolve: () => ({ instanceId: 'i-0a1b2c3d4e5f60001', endpoint: '10.0.1.10:80' }),
    });
    try {
      expect(await get(`${proxy.url}/`)).toMatchObject({ status: 502 });
    } finally {
      await proxy.close();
    }
  });
});

describe('outage analysis', () => {
  const sample = (at: number, ok: boolean, servedBy?: string) => ({
    at,
    latencyMs: 5,
    ok,
    ...(servedBy ? { servedBy } : {}),
  });

  it('measures each window of failed requests up to the next success', () => {
    const samples = [
      sample(0, true, 'a'),
      sample(100, false),
      sample(200, false),
      sample(300, true, 'b'),
      sample(400, false),
      sample(500, true, 'b'),
    ];
    expect(outageWindows(samples)).toEqual([
      { startAt: 100, endAt: 300, durationMs: 200, failedRequests: 2 },
      { startAt: 400, endAt: 500, durationMs: 100, failedRequests: 1 },
    ]);
    expect(longestOutage(samples)?.durationMs).toBe(200);
    expect(servedByChanges(samples)).toEqual([
      { at: 0, from: undefined, to: 'a' },
      { at: 300, from: 'a', to: 'b' },
    ]);
  });

  it('closes a trailing outage at the end of the last failed request', () => {
    expect(outageWindows([sample(0, true), sample(100, false), sample(200, false)])).toEqual([
      { startAt: 100, endAt: 205, durationMs: 105, failedRequests: 2 },
    ]);
    expect(longestOutage([sample(0, true)])).toBeNull();
  });
});
