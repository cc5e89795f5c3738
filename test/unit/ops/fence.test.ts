import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ec2Cloud } from '../../../shared/adapters/aws/ec2-cloud';
import { ec2Stopper } from '../../../shared/adapters/aws/ec2-stopper';
import { EventType } from '../../../shared/domain/constants';
import { control } from '../../../shared/ops/control';
import { manualFailover } from '../../../shared/ops/manual-failover';
import type { InstanceStopper } from '../../../shared/ports/instance-stopper';
import { createAfterMove } from '../../../shared/usecases/after-move';
import { FenceOutcome, fenceFailedNode } from '../../../shared/usecases/fence';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { awsIds, ec2World, mockedEc2, withAwsIds } from './ec2-world';
import { opsHarness } from './harness';

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

function recordingStopper(): InstanceStopper & { stopped: string[] } {
  const stopped: string[] = [];
  return {
    stopped,
    async stop(id) {
      stopped.push(id);
    },
  };
}

describe('fenceFailedNode', () => {
  const setup = async () => {
    const h = await opsHarness({ policy: { fence: 'stop' }, holder: 'lb-2' });
    const stopper = recordingStopper();
    const input = {
      group: h.group,
      failed: 'lb-1',
      movers: h.cloud.movers(h.group),
      cloud: h.cloud,
      stopper,
    };
    return { h, stopper, input };
  };

  it('stops the failed node when a running node holds every resource', async () => {
    const { stopper, input } = await setup();
    const calls: string[] = [];
    const result = await fenceFailedNode({ ...input, beforeMutation: async (c) => void calls.push(c) });
    expect(result).toEqual({
      node: 'lb-1',
      outcome: FenceOutcome.STOPPED,
      detail: 'StopInstances i-01 (lb-1) sent',
    });
    expect(stopper.stopped).toEqual(['i-01']);
    expect(calls).toEqual(['StopInstances i-01 (lb-1)']);
  });

  it('looks again after the Describe lag and refuses when the address came back in between', async () => {
    const { h, stopper, input } = await setup();
    const waits: number[] = [];
    // The first look answers from before a hand move back to lb-1; the second sees it.
    const settle = {
      ms: 2_500,
      sleep: async (ms: number) => {
        waits.push(ms);
        h.cloud.place(h.group, 'lb-1');
      },
    };
    const result = await fenceFailedNode({ ...input, settle });
    expect(waits).toEqual([2_500]);
    expect(result.outcome).toBe(FenceOutcome.REFUSED);
    expect(result.detail).toBe('lb-1 still holds elastic-ip eipalloc-01; not stopping it');
    expect(stopper.stopped).toEqual([]);
  });

  it('stops after the second look when nothing changed', async () => {
    const { stopper, input } = await setup();
    const result = await fenceFailedNode({ ...input, settle: { ms: 1, sleep: async () => {} } });
    expect(result.outcome).toBe(FenceOutcome.STOPPED);
    expect(stopper.stopped).toEqual(['i-01']);
  });

  it('never stops the node that holds a resource now', async () => {
    const { h, stopper, input } = await setup();
    h.cloud.place(h.group, 'lb-1');
    const result = await fenceFailedNode(input);
    expect(result.outcome).toBe(FenceOutcome.REFUSED);
    expect(result.detail).toBe('lb-1 still holds elastic-ip eipalloc-01; not stopping it');
    expect(stopper.stopped).toEqual([]);
  });

  it('never stops the last running node: refuses when the holder is not running', async () => {
    const { h, stopper, input } = await setup();
    h.cloud.instances['lb-2'] = { instanceId: 'i-02', state: 'stopped', impaired: false };
    const result = await fenceFailedNode(input);
    expect(result).toMatchObject({
      outcome: FenceOutcome.REFUSED,
      detail: 'holder lb-2 is stopped, not running; not stopping lb-1',
    });
    expect(stopper.stopped).toEqual([]);
  });

  it('refuses when a resource has no holder in the group', async () => {
    const { h, stopper, input } = await setup();
    h.cloud.place(h.group, undefined);
    expect((await fenceFailedNode(input)).outcome).toBe(FenceOutcome.REFUSED);
    expect(stopper.stopped).toEqual([]);
  });

  it('skips a node that is already stopping', async () => {
    const { h, stopper, input } = await setup();
    h.cloud.instances['lb-1'] = { instanceId: 'i-01', state: 'stopping', impaired: false };
    expect(await fenceFailedNode(input)).toMatchObject({ outcome: FenceOutcome.SKIPPED });
    expect(stopper.stopped).toEqual([]);
  });

  it('reports a failure instead of throwing', async () => {
    const { input } = await setup();
    const result = await fenceFailedNode({
      ...input,
      stopper: {
        stop: async () => {
          throw new Error('UnauthorizedOperation');
        },
      },
    });
    expect(result).toMatchObject({
      outcome: FenceOutcome.FAILED,
      detail: 'fencing lb-1 failed: UnauthorizedOperation',
    });
  });

  it('stops nothing when the lease is lost before the call', async () => {
    const { stopper, input } = await setup();
    const result = await fenceFailedNode({
      ...input,
      beforeMutation: async () => {
        throw new Error('lease lost');
      },
    });
    expect(result.outcome).toBe(FenceOutcome.FAILED);
    expect(stopper.stopped).toEqual([]);
  });
});

describe('fence: stop after a move', () => {
  it('sends StopInstances for the failed node after the verified move, and says so in the message', async () => {
    const h = await opsHarness({
      policy: { fence: 'stop' },
      health: { 'lb-1': 'DOWN', 'lb-2': 'UP' },
      edit: withAwsIds,
    });
    const world = ec2World(ec2Mock, h.group, 'lb-1');
    const lb1 = awsIds(1).instanceId;
    const ec2 = mockedEc2();
    const deps = {
      ...h.deps,
      cloud: ec2Cloud(ec2, { attempts: 2, delayMs: 0, sleep: async () => {} }),
      afterMove: createAfterMove({ stopper: ec2Stopper(ec2) }),
    };
    expect(await reconcileGroup(deps, h.group)).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    expect(world.mutating()).toEqual(['AssociateAddressCommand', 'StopInstancesCommand']);
    expect(ec2Mock.commandCalls(StopInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: [lb1] });
    expect(world.eniOf(awsIds(1).allocationId)).toBe(awsIds(2).eni);
    expect(world.stateOf(lb1)).toBe('stopped');
    const note = h.notifier.of(EventType.FAILOVER_SUCCEEDED)[0];
    expect(note?.body).toContain(`fence stopped: StopInstances ${lb1} (lb-1) sent`);
  });

  it('does not stop a healthy node moved away from by a ban or a manual failover', async () => {
    const h = await opsHarness({ policy: { fence: 'stop' } });
    const stopper = recordingStopper();
    const deps = { ...h.deps, afterMove: createAfterMove({ stopper }) };
    await control(deps, { group: 'web-lb', action: 'ban', node: 'lb-1', expiresInMinutes: 10 });
    expect(h.cloud.holders.get('elastic-ip eipalloc-01')).toBe('lb-2');
    await control(deps, { group: 'web-lb', action: 'unban', node: 'lb-1' });
    await manualFailover(deps, { group: 'web-lb', to: 'lb-1' });
    expect(h.cloud.holders.get('elastic-ip eipalloc-01')).toBe('lb-1');
    expect(stopper.stopped).toEqual([]);
  });

  it('keeps the move when fencing fails', async () => {
    const h = await opsHarness({ policy: { fence: 'stop' }, health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const deps = {
      ...h.deps,
      afterMove: createAfterMove({
        stopper: {
          stop: async () => {
            throw new Error('IncorrectInstanceState');
          },
        },
      }),
    };
    expect(await reconcileGroup(deps, h.group)).toMatchObject({ outcome: 'moved' });
    expect(h.notifier.of(EventType.FAILOVER_SUCCEEDED)[0]?.body).toContain(
      'fence failed: fencing lb-1 failed: IncorrectInstanceState',
    );
  });

  it('does nothing with fence: none', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const stopper = recordingStopper();
    await reconcileGroup({ ...h.deps, afterMove: createAfterMove({ stopper }) }, h.group);
    expect(stopper.stopped).toEqual([]);
  });
});
