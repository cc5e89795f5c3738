import { describe, expect, it } from 'vitest';
import { EventType } from '../../../shared/domain/constants';
import { InputError } from '../../../shared/domain/errors';
import { manualFailover } from '../../../shared/ops/manual-failover';
import { THIRD_NODE } from '../../helpers/config';
import { opsHarness } from './harness';

describe('manualFailover', () => {
  it('moves to the named node under the lease and reports holders before and after', async () => {
    const h = await opsHarness();
    const result = await manualFailover(h.deps, {
      group: 'web-lb',
      to: 'lb-2',
      reason: 'patching lb-1',
      requestedBy: 'alice',
    });
    expect(result.outcome).toBe('moved');
    expect(result.from).toBe('lb-1');
    expect(result.to).toBe('lb-2');
    expect(result.before.map((x) => x.node)).toEqual(['lb-1']);
    expect(result.after?.map((x) => x.node)).toEqual(['lb-2']);
    expect(h.cloud.mutations).toEqual(['move elastic-ip eipalloc-01 -> lb-2']);
    expect(result.timings.moveMs).toBeTypeOf('number');
    expect(result.timings.steps?.some((s) => s.what.startsWith('lease taken by test-owner'))).toBe(true);
    const state = h.store.stateOf('web-lb');
    expect(state.active).toBe('lb-2');
    expect(state.leaseOwner).toBeUndefined();
    expect(state.leaseEpoch).toBe(1);
  });

  it('notifies who asked and why', async () => {
    const h = await opsHarness();
    await manualFailover(h.deps, {
      group: 'web-lb',
      to: 'lb-2',
      reason: 'patching lb-1',
      requestedBy: 'alice',
    });
    const [note] = h.notifier.of(EventType.FAILOVER_SUCCEEDED);
    expect(note?.subject).toBe('[ha-arbiter] web-lb: manual failover lb-1 -> lb-2 (patching lb-1)');
    expect(note?.body).toContain('Why: patching lb-1 (requested by alice)');
  });

  it('takes requestedBy from the invoke client context when the payload has none', async () => {
    const h = await opsHarness();
    const result = await manualFailover(
      h.deps,
      { group: 'web-lb', to: 'lb-2' },
      { clientContext: { custom: { requestedBy: 'bob@laptop' } } },
    );
    expect(result.requestedBy).toBe('bob@laptop');
    expect(h.notifier.sent[0]?.body).toContain('requested by bob@laptop');
  });

  it('picks the best healthy standby by priority when no target is named', async () => {
    const h = await opsHarness({ edit: (g) => g.nodes.push({ ...THIRD_NODE }) });
    await h.verdicts({ 'lb-3': 'UP' });
    const result = await manualFailover(h.deps, { group: 'web-lb' });
    expect(result.to).toBe('lb-3');
    expect(h.cloud.mutations).toEqual(['move elastic-ip eipalloc-01 -> lb-3']);
  });

  it('passes over a DOWN standby and a banned one when choosing', async () => {
    const h = await opsHarness({ edit: (g) => g.nodes.push({ ...THIRD_NODE }) });
    await h.verdicts({ 'lb-3': 'DOWN' });
    h.store.setState('web-lb', { bans: { 'lb-2': 0 } });
    await expect(manualFailover(h.deps, { group: 'web-lb' })).rejects.toThrow(
      /no other node of group web-lb can take the address: lb-2 is banned; lb-3 is DOWN/,
    );
    expect(h.cloud.mutations).toEqual([]);
  });

  it('refuses a DOWN target unless forced, and says how to force', async () => {
    const h = await opsHarness();
    await h.verdicts({ 'lb-2': 'DOWN' });
    const refused = manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' });
    await expect(refused).rejects.toBeInstanceOf(InputError);
    await expect(refused).rejects.toThrow(
      /to = "lb-2": lb-2 is DOWN \(http \/healthz timeout from 2\/2 vantages\); add "force": true/,
    );
    expect(h.cloud.mutations).toEqual([]);
    expect(h.notifier.sent).toEqual([]);

    const forced = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2', force: true });
    expect(forced.outcome).toBe('moved');
    expect(forced.forced).toBe(true);
    expect(forced.warnings.join('\n')).toMatch(/forced onto lb-2, which is DOWN/);
  });

  it('refuses an UNKNOWN target (no fresh quorum) unless forced', async () => {
    const h = await opsHarness();
    h.clock.advance(10 * 60_000);
    await h.verdicts({ 'lb-1': 'UP' });
    await expect(manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' })).rejects.toThrow(/lb-2 is UNKNOWN/);
    expect(h.cloud.mutations).toEqual([]);
  });

  it('refuses a banned target even when forced, naming the unban command', async () => {
    const h = await opsHarness();
    h.store.setState('web-lb', { bans: { 'lb-2': 0 } });
    await expect(manualFailover(h.deps, { group: 'web-lb', to: 'lb-2', force: true })).rejects.toThrow(
      /lb-2 is banned without expiry.*"action":"unban","node":"lb-2"/,
    );
  });

  it('names the valid nodes when the target is not a node of the group', async () => {
    const h = await opsHarness();
    await expect(manualFailover(h.deps, { group: 'web-lb', to: 'lb-9' })).rejects.toThrow(
      'failover: to = "lb-9": not a node of group web-lb (valid: lb-1, lb-2)',
    );
  });

  it('names the valid groups when the group is unknown', async () => {
    const h = await opsHarness();
    await expect(manualFailover(h.deps, { group: 'web' })).rejects.toThrow(
      'failover: group = "web": no such group (valid: web-lb)',
    );
  });

  it('returns the plan on dryRun and takes no lease, moves nothing and tells nobody', async () => {
    const h = await opsHarness();
    const before = h.store.stateOf('web-lb');
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2', dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.plan).toEqual([
      { resource: 'elastic-ip eipalloc-01', from: 'lb-1', to: 'lb-2', moves: true },
    ]);
    expect(result.detail).toMatch(/would move elastic-ip eipalloc-01 to lb-2; nothing was changed/);
    expect(h.store.stateOf('web-lb')).toEqual(before);
    expect(h.store.calls).not.toContain('acquireLease');
    expect(h.cloud.mutations).toEqual([]);
    expect(h.notifier.sent).toEqual([]);
    expect(h.store.history).toEqual([]);
  });

  it('does nothing when the target already holds every resource', async () => {
    const h = await opsHarness();
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-1' });
    expect(result.outcome).toBe('already-there');
    expect(h.store.calls).not.toContain('acquireLease');
    expect(h.notifier.sent).toEqual([]);
  });

  it('moves in observe mode, while paused and with the breaker open, and says the arbiter will not undo it', async () => {
    const h = await opsHarness({ policy: { mode: 'observe' } });
    h.store.setState('web-lb', { paused: true, breakerOpenSince: h.clock.now() - 1000 });
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' });
    expect(result.outcome).toBe('moved');
    expect(result.warnings).toEqual([
      'mode: observe: the arbiter will not move the address on its own',
      'the group is paused: the arbiter will not move the address on its own',
      'the circuit breaker is open: the arbiter will not move the address on its own until reset',
    ]);
  });

  it('warns that failback: auto will move the address back to the preferred node', async () => {
    const h = await opsHarness({ policy: { failback: 'auto' } });
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' });
    expect(result.warnings.join('\n')).toMatch(
      /failback: auto moves the address back to lb-1.*"action":"ban","node":"lb-1"/,
    );
  });

  it('starts the cooldown but does not count toward the breaker', async () => {
    const h = await opsHarness();
    h.store.setState('web-lb', { failoverTimes: [h.clock.now() - 5000] });
    await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' });
    const state = h.store.stateOf('web-lb');
    expect(state.lastFailoverAt).toBe(h.clock.now());
    expect(state.failoverTimes).toEqual([h.clock.now() - 5000]);
  });

  it('stands down when another arbiter holds the lease', async () => {
    const h = await opsHarness();
    await h.store.acquireLease('web-lb', 'arbiter-x', h.clock.now(), 60_000);
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' });
    expect(result.outcome).toBe('lease-held');
    expect(result.detail).toMatch(/held by arbiter-x/);
    expect(h.cloud.mutations).toEqual([]);
  });

  it('reports a failed move with where the addresses are now', async () => {
    const h = await opsHarness();
    h.cloud.moveFailures.push(new Error('boom 1'), new Error('boom 2'));
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' });
    expect(result.outcome).toBe('failed');
    expect(result.detail).toBe('boom 2');
    expect(result.after?.map((x) => x.node)).toEqual(['lb-1']);
    expect(h.notifier.of(EventType.FAILOVER_FAILED)).toHaveLength(1);
  });
});
