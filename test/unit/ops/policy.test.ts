import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ec2Cloud } from '../../../shared/adapters/aws/ec2-cloud';
import { EventType } from '../../../shared/domain/constants';
import { control } from '../../../shared/ops/control';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { awsIds, ec2World, mockedEc2, withAwsIds } from './ec2-world';
import { opsHarness } from './harness';

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

const SECOND = 1000;
const holderOf = (h: Awaited<ReturnType<typeof opsHarness>>) => h.cloud.holders.get('elastic-ip eipalloc-01');

describe('failover policy', () => {
  it('is sticky by default: a recovered node does not get the address back', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    expect(await reconcileGroup(h.deps, h.group)).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    for (let i = 0; i < 10; i += 1) {
      h.clock.advance(60 * SECOND);
      await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'UP' });
      expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('none');
    }
    expect(holderOf(h)).toBe('lb-2');
  });

  it('fails back with failback: auto only after holdDownSeconds of continuous quorum health', async () => {
    const h = await opsHarness({
      holder: 'lb-2',
      health: { 'lb-1': 'UP', 'lb-2': 'UP' },
      policy: { failback: 'auto', holdDownSeconds: 300, cooldownSeconds: 0 },
    });
    const tick = async (health: Record<string, 'UP' | 'DOWN'>) => {
      await h.verdicts(health);
      return reconcileGroup(h.deps, h.group);
    };
    expect((await tick({ 'lb-1': 'UP', 'lb-2': 'UP' })).outcome).toBe('none');
    h.clock.advance(200 * SECOND);
    expect((await tick({ 'lb-1': 'UP', 'lb-2': 'UP' })).outcome).toBe('none');
    // lb-1 fails once: health is no longer continuous, the hold-down starts over.
    h.clock.advance(10 * SECOND);
    expect((await tick({ 'lb-1': 'DOWN', 'lb-2': 'UP' })).outcome).toBe('none');
    h.clock.advance(10 * SECOND);
    expect((await tick({ 'lb-1': 'UP', 'lb-2': 'UP' })).outcome).toBe('none');
    h.clock.advance(299 * SECOND);
    expect((await tick({ 'lb-1': 'UP', 'lb-2': 'UP' })).outcome).toBe('none');
    h.clock.advance(1 * SECOND);
    expect(await tick({ 'lb-1': 'UP', 'lb-2': 'UP' })).toMatchObject({
      action: 'failback',
      outcome: 'moved',
      to: 'lb-1',
    });
  });

  it('holds a second failover within cooldownSeconds, then makes it', async () => {
    const h = await opsHarness({
      health: { 'lb-1': 'DOWN', 'lb-2': 'UP' },
      policy: { cooldownSeconds: 120 },
    });
    expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('moved');
    h.clock.advance(30 * SECOND);
    await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'DOWN' });
    expect(await reconcileGroup(h.deps, h.group)).toMatchObject({
      outcome: 'held',
      detail: expect.stringMatching(/^cooldown/),
    });
    h.clock.advance(91 * SECOND);
    await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'DOWN' });
    expect(await reconcileGroup(h.deps, h.group)).toMatchObject({ outcome: 'moved', to: 'lb-1' });
  });

  it('opens the breaker after maxFailovers in the window, alerts once, and moves again after a reset', async () => {
    const h = await opsHarness({
      health: { 'lb-1': 'DOWN', 'lb-2': 'UP' },
      policy: { cooldownSeconds: 0, breaker: { maxFailovers: 2, windowSeconds: 3600 } },
    });
    const flap = async () => {
      h.clock.advance(60 * SECOND);
      const down = holderOf(h) as string;
      const up = down === 'lb-1' ? 'lb-2' : 'lb-1';
      await h.verdicts({ [down]: 'DOWN', [up]: 'UP' });
      return reconcileGroup(h.deps, h.group);
    };
    expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('moved');
    expect((await flap()).outcome).toBe('moved');
    expect(await flap()).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^breaker/) });
    expect(await flap()).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^breaker/) });
    expect(h.cloud.mutations).toHaveLength(2);
    expect(h.notifier.of(EventType.BREAKER_OPEN)).toHaveLength(1);
    expect(h.store.stateOf('web-lb').breakerOpenSince).toBeDefined();

    const reset = await control(h.deps, {
      group: 'web-lb',
      action: 'reset',
      reason: 'fixed the health check',
    });
    expect(reset.reconcile).toMatchObject({ outcome: 'moved' });
    expect(h.cloud.mutations).toHaveLength(3);
  });

  it('keeps counting only the failovers inside the window', async () => {
    const h = await opsHarness({
      health: { 'lb-1': 'DOWN', 'lb-2': 'UP' },
      policy: { cooldownSeconds: 0, breaker: { maxFailovers: 1, windowSeconds: 600 } },
    });
    h.store.setState('web-lb', { failoverTimes: [h.clock.now() - 601 * SECOND] });
    expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('moved');
    expect(h.store.stateOf('web-lb').failoverTimes).toEqual([h.clock.now()]);
  });

  it('in observe mode never sends a mutating EC2 command and says "would fail over" once per episode', async () => {
    const h = await opsHarness({
      policy: { mode: 'observe' },
      health: { 'lb-1': 'DOWN', 'lb-2': 'UP' },
      edit: withAwsIds,
    });
    const world = ec2World(ec2Mock, h.group, 'lb-1');
    const deps = {
      ...h.deps,
      cloud: ec2Cloud(mockedEc2(), { attempts: 2, delayMs: 0, sleep: async () => {} }),
    };
    for (let i = 0; i < 3; i += 1) {
      h.clock.advance(60 * SECOND);
      await h.verdicts({ 'lb-1': 'DOWN', 'lb-2': 'UP' });
      expect(await reconcileGroup(deps, h.group)).toMatchObject({
        outcome: 'held',
        detail: expect.stringMatching(/^observe/),
      });
    }
    const would = () => h.notifier.of(EventType.WOULD_FAIL_OVER).map((n) => n.subject);
    expect(would()).toEqual([
      '[ha-arbiter] web-lb: would fail over lb-1 -> lb-2 (mode: observe; http /healthz timeout from 2/2 vantages)',
    ]);
    // lb-1 recovers (episode over), then fails again: a new episode is told again.
    h.clock.advance(60 * SECOND);
    await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'UP' });
    expect((await reconcileGroup(deps, h.group)).outcome).toBe('none');
    h.clock.advance(60 * SECOND);
    await h.verdicts({ 'lb-1': 'DOWN', 'lb-2': 'UP' });
    await reconcileGroup(deps, h.group);
    expect(would()).toHaveLength(2);
    expect(world.mutating()).toEqual([]);
    expect(world.eniOf(awsIds(1).allocationId)).toBe(awsIds(1).eni);
  });
});

describe('alerts', () => {
  it('tells about a standby going down once, however many arbiters and ticks see it', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'UP', 'lb-2': 'UP' } });
    await reconcileGroup(h.deps, h.group);
    await h.verdicts({ 'lb-2': 'DOWN' });
    const other = { ...h.deps, owner: 'arbiter-b' };
    for (let i = 0; i < 3; i += 1) {
      await Promise.all([reconcileGroup(h.deps, h.group), reconcileGroup(other, h.group)]);
    }
    expect(h.notifier.of(EventType.NODE_DOWN).map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb: standby lb-2 is DOWN (http /healthz timeout from 2/2 vantages)',
    ]);
  });

  it('sends one "no healthy target" alert per outage, and a new one for the next outage', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'DOWN', 'lb-2': 'DOWN' } });
    for (let i = 0; i < 3; i += 1)
      expect((await reconcileGroup(h.deps, h.group)).action).toBe('no-healthy-target');
    expect(h.notifier.of(EventType.NO_HEALTHY_TARGET)).toHaveLength(1);
    await h.verdicts({ 'lb-1': 'UP' });
    await reconcileGroup(h.deps, h.group);
    await h.verdicts({ 'lb-1': 'DOWN' });
    await reconcileGroup(h.deps, h.group);
    expect(h.notifier.of(EventType.NO_HEALTHY_TARGET)).toHaveLength(2);
  });
});
