import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/index';
import { ec2Client } from './clients';
import { awsError, LB, LB_PAIR, startCloud } from './fixtures';

describe('DryRun and permissions', () => {
  let cloud: LocalCloud;
  beforeEach(async () => {
    cloud = await startCloud(LB_PAIR);
  });
  afterEach(() => cloud.close());

  const move = (ec2: EC2Client, dryRun: boolean) =>
    ec2.send(
      new AssociateAddressCommand({
        AllocationId: LB.eip,
        InstanceId: LB.b,
        AllowReassociation: true,
        DryRun: dryRun,
      }),
    );

  it('answers an allowed DryRun with 412 DryRunOperation and changes nothing', async () => {
    const err = await awsError(move(ec2Client(cloud), true));
    expect(err).toEqual({
      name: 'DryRunOperation',
      status: 412,
      message: 'Request would have succeeded, but DryRun flag is set.',
    });
    expect(cloud.world.holderOfPublicIp(LB.publicIp)?.instanceId).toBe(LB.a);
  });

  it('answers a denied DryRun with 403 UnauthorizedOperation', async () => {
    const err = await awsError(move(ec2Client(cloud, LB.readOnlyKey), true));
    expect(err).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(err.message).toContain(
      `user/${LB.readOnlyKey} is not authorized to perform: ec2:AssociateAddress`,
    );
  });

  it('refuses the real call for a denied key but lets it describe', async () => {
    const readOnly = ec2Client(cloud, LB.readOnlyKey);
    expect((await awsError(move(readOnly, false))).name).toBe('UnauthorizedOperation');
    const out = await readOnly.send(new DescribeAddressesCommand({}));
    expect(out.Addresses).toHaveLength(1);
  });

  it('can deny and re-allow actions while running', async () => {
    cloud.world.setDenied('AKIDOPERATOR', ['*']);
    const operator = ec2Client(cloud, 'AKIDOPERATOR');
    expect((await awsError(operator.send(new DescribeInstancesCommand({})))).name).toBe(
      'UnauthorizedOperation',
    );
    cloud.world.setDenied('AKIDOPERATOR', []);
    await expect(operator.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
  });
});

describe('fault injection', () => {
  let cloud: LocalCloud;
  let ec2: EC2Client;
  beforeEach(async () => {
    cloud = await startCloud(LB_PAIR);
    ec2 = ec2Client(cloud);
  });
  afterEach(() => cloud.close());

  it('throttles every call at rate 1 with 503 RequestLimitExceeded', async () => {
    cloud.faults.set({ throttleRate: 1 });
    const err = await awsError(ec2.send(new DescribeInstancesCommand({})));
    expect(err).toEqual({ name: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' });
  });

  it('fails every call at server error rate 1 with 500 InternalError', async () => {
    cloud.faults.set({ serverErrorRate: 1 });
    const err = await awsError(ec2.send(new DescribeInstancesCommand({})));
    expect(err).toMatchObject({ name: 'InternalError', status: 500 });
  });

  it('returns 503 Unavailable at unavailable rate 1', async () => {
    cloud.faults.set({ unavailableRate: 1 });
    expect(await awsError(ec2.send(new DescribeInstancesCommand({})))).toMatchObject({
      name: 'Unavailable',
      status: 503,
    });
  });

  it('forces an error code on one action only', async () => {
    cloud.faults.set({ actionErrors: { AssociateAddress: 'InternalError' } });
    expect(
      (await awsError(ec2.send(new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b }))))
        .name,
    ).toBe('InternalError');
    await expect(ec2.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
  });

  it('lets the SDK retry through a partial throttle', async () => {
    cloud.faults.set({ throttleRate: 0.5 });
    const retrying = new EC2Client({ ...cloud.clientConfig('ec2'), maxAttempts: 8 });
    const out = await retrying.send(new DescribeInstancesCommand({}));
    expect(out.Reservations).toHaveLength(2);
    // Seed 42 throttles the first attempt, so this shows a retry really happened.
    expect(out.$metadata.attempts).toBeGreaterThan(1);
  });

  it('delays calls by the most specific latency setting', async () => {
    cloud.faults.set({ latencyMs: { default: 0, describe: 120, AssociateAddress: 250 } });
    const timed = async (call: () => Promise<unknown>) => {
      const start = Date.now();
      await call();
      return Date.now() - start;
    };
    expect(await timed(() => ec2.send(new DescribeInstancesCommand({})))).toBeGreaterThanOrEqual(115);
    expect(
      await timed(() =>
        ec2.send(
          new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
        ),
      ),
    ).toBeGreaterThanOrEqual(245);
    expect(
      await timed(() =>
        awsError(
          ec2.send(
            new ReplaceRouteCommand({
              RouteTableId: LB.rtb,
              DestinationCidrBlock: '1.2.3.0/24',
              GatewayId: 'igw-0a1b2c3d4e5f60001',
            }),
          ),
        ),
      ),
    ).toBeLessThan(245);
  });

  it('is controlled over HTTP at /_local/faults', async () => {
    const res = await fetch(`${cloud.ec2Endpoint}/_local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ throttleRate: 1, latencyMs: { default: 5 } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ throttleRate: 1, latencyMs: { default: 5 } });
    expect(cloud.faults.get().throttleRate).toBe(1);
    expect((await awsError(ec2.send(new DescribeInstancesCommand({})))).name).toBe('RequestLimitExceeded');
    const bad = await fetch(`${cloud.ec2Endpoint}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttleRate: 2, colour: 'red' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /throttleRate.*colour|colour.*throttleRate/s,
    );
    const reset = await fetch(`${cloud.ec2Endpoint}/_local/faults`, { method: 'DELETE' });
    expect(await reset.json()).toMatchObject({ throttleRate: 0 });
  });

  it('rejects invalid settings given in code', () => {
    expect(() => cloud.faults.set({ serverErrorRate: -1 })).toThrow(/serverErrorRate/);
    expect(() => cloud.faults.set({ actionErrors: { AssociateAddress: 'Nope' } })).toThrow(/error code/);
  });

  it('draws the same faults for the same seed', async () => {
    const pattern = async (seed: number) => {
      const seeded = await startCloud(LB_PAIR, { seed, faults: { throttleRate: 0.5 } });
      try {
        const client = ec2Client(seeded);
        const outcomes: boolean[] = [];
        for (let i = 0; i < 12; i++) {
          outcomes.push(
            await client.send(new DescribeInstancesCommand({})).then(
              () => true,
              () => false,
            ),
          );
        }
        return outcomes;
      } finally {
        await seeded.close();
      }
    };
    const first = await pattern(7);
    expect(first).toEqual(await pattern(7));
    expect(first).toContain(true);
    expect(first).toContain(false);
  });
});

describe('audit log and state dump', () => {
  it('records every mutating call with caller, parameters and outcome', async () => {
    const cloud = await startCloud(LB_PAIR);
    try {
      const before = Date.now();
      await ec2Client(cloud, 'AKIDARBITER').send(
        new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
      );
      await awsError(
        ec2Client(cloud, 'AKIDARBITER').send(
          new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.a }),
        ),
      );
      await awsError(
        ec2Client(cloud, 'AKIDARBITER').send(
          new AssociateAddressCommand({
            AllocationId: LB.eip,
            InstanceId: LB.a,
            AllowReassociation: true,
            DryRun: true,
          }),
        ),
      );
      await awsError(
        ec2Client(cloud, LB.readOnlyKey).send(
          new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.a }),
        ),
      );
      await ec2Client(cloud).send(new DescribeInstancesCommand({}));

      const audit = cloud.audit();
      expect(audit.map((e) => [e.caller, e.outcome, e.errorCode])).toEqual([
        ['AKIDARBITER', 'ok', undefined],
        ['AKIDARBITER', 'error', 'Resource.AlreadyAssociated'],
        ['AKIDARBITER', 'dry-run', undefined],
        [LB.readOnlyKey, 'error', 'UnauthorizedOperation'],
      ]);
      expect(audit[0]).toMatchObject({
        action: 'AssociateAddress',
        params: { AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: 'true' },
      });
      expect(audit[0]?.at).toBeGreaterThanOrEqual(before);
      expect(audit[0]?.completedAt).toBeGreaterThanOrEqual(audit[0]?.at ?? 0);

      const overHttp = await (await fetch(`${cloud.ec2Endpoint}/_local/audit`)).json();
      expect(overHttp).toHaveLength(4);
      cloud.clearAudit();
      expect(cloud.audit()).toEqual([]);

      const state = (await (await fetch(`${cloud.ec2Endpoint}/_local/state`)).json()) as {
        addresses: Array<{ association?: { networkInterfaceId: string } }>;
        instances: unknown[];
      };
      expect(state.addresses[0]?.association?.networkInterfaceId).toBe(LB.eniB);
      expect(state.instances).toHaveLength(2);
    } finally {
      await cloud.close();
    }
  });

  it('generates the same ids for the same seed', async () => {
    const firstId = async () => {
      const cloud = await startCloud(LB_PAIR, { seed: 99 });
      try {
        const out = await ec2Client(cloud).send(
          new AssociateAddressCommand({ AllocationId: LB.eip, InstanceId: LB.b, AllowReassociation: true }),
        );
        return out.AssociationId;
      } finally {
        await cloud.close();
      }
    };
    expect(await firstId()).toBe(await firstId());
  });
});
