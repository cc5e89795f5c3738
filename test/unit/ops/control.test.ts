import { describe, expect, it } from 'vitest';
import { EventType, Severity } from '../../../shared/domain/constants';
import { InputError } from '../../../shared/domain/errors';
import { control } from '../../../shared/ops/control';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { opsHarness } from './harness';

const MINUTE = 60_000;

describe('control', () => {
  it('bans a standby with an expiry, records it in history and notifies', async () => {
    const h = await opsHarness();
    const result = await control(h.deps, {
      group: 'web-lb',
      action: 'ban',
      node: 'lb-2',
      expiresInMinutes: 30,
      reason: 'disk replacement',
      requestedBy: 'alice',
    });
    expect(result.changed).toBe(true);
    expect(result.summary).toBe('lb-2 banned until 2025-01-01T12:30:00Z (30m)');
    expect(result.state.bans).toEqual([{ node: 'lb-2', until: '2025-01-01T12:30:00Z' }]);
    expect(h.store.stateOf('web-lb').bans).toEqual({ 'lb-2': h.clock.now() + 30 * MINUTE });
    const [note] = h.notifier.of(EventType.CONTROL);
    expect(note?.subject).toBe(
      '[ha-arbiter] web-lb: lb-2 banned until 2025-01-01T12:30:00Z (30m) by alice (disk replacement)',
    );
    expect(note?.severity).toBe(Severity.INFO);
    expect(h.store.history.map((e) => [e.event, e.detail?.action, e.detail?.requestedBy])).toEqual([
      [EventType.CONTROL, 'ban', 'alice'],
    ]);
  });

  it('moves the address off a banned holder right away instead of at the next reconcile', async () => {
    const h = await opsHarness();
    const result = await control(h.deps, {
      group: 'web-lb',
      action: 'ban',
      node: 'lb-1',
      expiresInMinutes: 60,
    });
    expect(result.reconcile).toMatchObject({ outcome: 'moved', from: 'lb-1', to: 'lb-2' });
    expect(h.cloud.mutations).toEqual(['move elastic-ip eipalloc-01 -> lb-2']);
  });

  it('moves off a banned holder now even within the cooldown, which only guards against flapping', async () => {
    const h = await opsHarness();
    h.store.setState('web-lb', { lastFailoverAt: h.clock.now() - 10_000 });
    const result = await control(h.deps, {
      group: 'web-lb',
      action: 'ban',
      node: 'lb-1',
      reason: 'disk',
      requestedBy: 'alice',
    });
    expect(result.reconcile).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^cooldown/) });
    expect(result.move).toMatchObject({ outcome: 'moved', from: 'lb-1', to: 'lb-2' });
    // The reply's own outcome is what the address did, and says why the reconcile shows `held`.
    expect(result.outcome).toBe('moved');
    expect(result.detail).toMatch(
      /reconcile was held \(cooldown.*the ban moved the address off lb-1 by hand to lb-2/,
    );
    expect(h.cloud.mutations).toEqual(['move elastic-ip eipalloc-01 -> lb-2']);
    expect(h.notifier.subjects()).toContain(
      '[ha-arbiter] web-lb: manual failover lb-1 -> lb-2 (lb-1 banned: disk)',
    );
  });

  it('leaves a banned holder in place while the group is paused, and says how to move now', async () => {
    const h = await opsHarness();
    await control(h.deps, { group: 'web-lb', action: 'pause' });
    const result = await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-1' });
    expect(result.reconcile).toMatchObject({ outcome: 'held', detail: expect.stringMatching(/^paused/) });
    expect(result.move).toBeUndefined();
    expect(result.outcome).toBe('held');
    expect(result.warnings.join('\n')).toMatch(/the move off lb-1 is held \(paused.*invoke -f failover/);
    expect(h.cloud.mutations).toEqual([]);
  });

  it('says when nothing can take the address from a banned holder', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'UP', 'lb-2': 'DOWN' } });
    const result = await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-1' });
    expect(result.reconcile).toMatchObject({ action: 'no-healthy-target', outcome: 'alerted' });
    expect(h.cloud.mutations).toEqual([]);
  });

  it('warns that a ban without expiry stays until unbanned', async () => {
    const h = await opsHarness();
    const result = await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-2' });
    expect(result.state.bans).toEqual([{ node: 'lb-2', until: null }]);
    expect(result.warnings).toContain('lb-2 stays banned until someone unbans it');
    expect(h.notifier.of(EventType.CONTROL)[0]?.severity).toBe(Severity.WARNING);
  });

  it('lets a ban end on its own: the decision ignores it after the expiry', async () => {
    const h = await opsHarness({
      holder: 'lb-2',
      policy: { failback: 'auto', holdDownSeconds: 0, cooldownSeconds: 0 },
    });
    await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-1', expiresInMinutes: 15 });
    expect(h.cloud.holders.get('elastic-ip eipalloc-01')).toBe('lb-2');

    h.clock.advance(14 * MINUTE);
    await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'UP' });
    expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('none');

    h.clock.advance(2 * MINUTE);
    await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'UP' });
    const after = await reconcileGroup(h.deps, h.group);
    expect(after).toMatchObject({ action: 'failback', outcome: 'moved', to: 'lb-1' });
  });

  it('unbans, and says so when the node was not banned', async () => {
    const h = await opsHarness();
    await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-2' });
    const lifted = await control(h.deps, { group: 'web-lb', action: 'unban', node: 'lb-2' });
    expect(lifted).toMatchObject({ changed: true, summary: 'lb-2 unbanned', state: { bans: [] } });
    const again = await control(h.deps, { group: 'web-lb', action: 'unban', node: 'lb-2' });
    expect(again).toMatchObject({ changed: false, summary: 'lb-2 unbanned (was not banned)' });
    expect(h.notifier.of(EventType.CONTROL)).toHaveLength(3);
  });

  it('pauses a group so that a wanted move is only reported, once', async () => {
    const h = await opsHarness();
    const paused = await control(h.deps, { group: 'web-lb', action: 'pause', reason: 'maintenance' });
    expect(paused).toMatchObject({ changed: true, state: { paused: true } });
    expect(paused.reconcile).toBeUndefined();

    await h.verdicts({ 'lb-1': 'DOWN' });
    expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('held');
    expect((await reconcileGroup(h.deps, h.group)).outcome).toBe('held');
    expect(h.notifier.subjects().filter((s) => s.includes('would fail over'))).toEqual([
      '[ha-arbiter] web-lb: would fail over lb-1 -> lb-2 (group paused; http /healthz timeout from 2/2 vantages)',
    ]);
    expect(h.cloud.mutations).toEqual([]);
  });

  it('resumes a paused group and acts at once', async () => {
    const h = await opsHarness();
    await control(h.deps, { group: 'web-lb', action: 'pause' });
    await h.verdicts({ 'lb-1': 'DOWN' });
    await reconcileGroup(h.deps, h.group);
    const resumed = await control(h.deps, { group: 'web-lb', action: 'resume' });
    expect(resumed.reconcile).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    expect(h.store.stateOf('web-lb').alerts).toEqual({});
  });

  it('reports no change when pausing a paused group', async () => {
    const h = await opsHarness();
    await control(h.deps, { group: 'web-lb', action: 'pause' });
    const again = await control(h.deps, { group: 'web-lb', action: 'pause' });
    expect(again).toMatchObject({ changed: false, summary: 'paused: observe only (no change)' });
  });

  it('resets the breaker, the failover counts, the cooldown and open alerts, then acts', async () => {
    const h = await opsHarness();
    const now = h.clock.now();
    h.store.setState('web-lb', {
      breakerOpenSince: now - 1000,
      failoverTimes: [now - 3000, now - 2000, now - 1000],
      lastFailoverAt: now - 1000,
      alerts: { 'no-healthy-target': 'lb-1', 'would:lb-1->lb-2': '1' },
    });
    await h.verdicts({ 'lb-1': 'DOWN' });
    const result = await control(h.deps, { group: 'web-lb', action: 'reset', requestedBy: 'alice' });
    expect(result.state.breakerOpen).toBe(false);
    expect(result.reconcile).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    const state = h.store.stateOf('web-lb');
    expect(state.breakerOpenSince).toBeUndefined();
    expect(state.failoverTimes).toEqual([now]);
    expect(h.notifier.of(EventType.CONTROL)[0]?.subject).toBe(
      '[ha-arbiter] web-lb: breaker, failover counts and open alerts reset by alice',
    );
  });

  it.each([
    [{ group: 'web-lb', action: 'ban' }, 'control: node is required with action ban'],
    [
      { group: 'web-lb', action: 'pause', node: 'lb-1' },
      'control: node = "lb-1": action pause applies to the whole group; leave node out',
    ],
    [
      { group: 'web-lb', action: 'unban', node: 'lb-1', expiresInMinutes: 5 },
      'control: expiresInMinutes = 5: only a ban expires; leave it out with action unban',
    ],
    [
      { group: 'web-lb', action: 'bann', node: 'lb-1' },
      'control: action = "bann": must be one of ban, unban, pause, resume, reset',
    ],
    [
      { group: 'web-lb', action: 'ban', node: 'lb-7' },
      'control: node = "lb-7": not a node of group web-lb (valid: lb-1, lb-2)',
    ],
    [{ group: 'nat', action: 'pause' }, 'control: group = "nat": no such group (valid: web-lb)'],
    [
      { group: 'web-lb', action: 'ban', node: 'lb-1', expiresInMinutes: 0 },
      'control: expiresInMinutes = 0: must be at least 1',
    ],
  ])('refuses %j with a message naming the field, value and choices', async (payload, message) => {
    const h = await opsHarness();
    const before = h.store.stateOf('web-lb');
    const attempt = control(h.deps, payload);
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toThrow(message);
    expect(h.store.stateOf('web-lb')).toEqual(before);
    expect(h.store.controlCalls).toEqual([]);
    expect(h.notifier.sent).toEqual([]);
  });

  it('is not undone by a failover in flight: the move records its holders, not the counts it read before', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const now = h.clock.now();
    h.store.setState('web-lb', { failoverTimes: [now - 3000, now - 2000], lastFailoverAt: now - 120_000 });
    // The reset lands after the move's first EC2 call and before its record.
    const record = h.store.recordMove.bind(h.store);
    h.store.recordMove = async (...args) => {
      await h.store.resetCounters('web-lb', []);
      return record(...args);
    };
    expect(await reconcileGroup(h.deps, h.group)).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    const state = h.store.stateOf('web-lb');
    expect(state.active).toBe('lb-2');
    expect(state.failoverTimes).toEqual([]);
    expect(state.lastFailoverAt).toBeUndefined();
  });

  it('keeps the action when the notification fails, and says so', async () => {
    const h = await opsHarness();
    h.notifier.failNext();
    const result = await control(h.deps, { group: 'web-lb', action: 'pause' });
    expect(result.state.paused).toBe(true);
    expect(result.warnings).toEqual(['notification not sent: SNS: injected failure']);
    expect(h.store.history).toHaveLength(1);
  });
});
