import { describe, expect, it } from 'vitest';
import { EventType, Severity } from '../../../shared/domain/constants';
import {
  BAN_ENDED_RETAIN_MS,
  banEndedKey,
  endedBans,
  forgettableBanEnds,
} from '../../../shared/domain/decide';
import { emptyState, type GroupState } from '../../../shared/domain/model';
import { banOrigin } from '../../../shared/messages/bans';
import { slackMessage } from '../../../shared/messages/slack';
import { control } from '../../../shared/ops/control';
import { status } from '../../../shared/ops/status';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { makeConfig } from '../../helpers/config';
import { type OpsHarness, opsHarness } from './harness';

const MINUTE = 60_000;
const ENDED = '[ha-arbiter] web-lb: ban on lb-2 ended (set 1h ago by alice); lb-2 is eligible again';

/** The standby lb-2 banned for an hour by alice, at the harness's start (12:00:00Z). */
async function bannedStandby(options: Parameters<typeof opsHarness>[0] = {}): Promise<OpsHarness> {
  const h = await opsHarness(options);
  await control(h.deps, {
    group: 'web-lb',
    action: 'ban',
    node: 'lb-2',
    expiresInMinutes: 60,
    reason: 'kernel update',
    requestedBy: 'alice',
  });
  return h;
}

/** Fresh verdicts (every node UP unless told), then one reconcile by `owner`. */
async function reconcileAt(h: OpsHarness, owner = 'arbiter-a', health = {}) {
  await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'UP', ...health });
  return reconcileGroup({ ...h.deps, owner }, h.group);
}

describe('a ban that runs out', () => {
  it('is announced once when it ends, in history too, and not before', async () => {
    const h = await bannedStandby();
    h.clock.advance(59 * MINUTE);
    await reconcileAt(h);
    expect(h.notifier.of(EventType.BAN_ENDED)).toEqual([]);

    h.clock.advance(MINUTE);
    await reconcileAt(h);
    const [note, ...more] = h.notifier.of(EventType.BAN_ENDED);
    expect(more).toEqual([]);
    expect(note?.subject).toBe(ENDED);
    expect(note?.severity).toBe(Severity.INFO);
    expect(note?.body).toContain(
      'Group web-lb: the ban on lb-2 ended at 2025-01-01T13:00:00Z; lb-2 can be chosen as a target again.',
    );
    expect(note?.body).toContain('Set by: alice at 2025-01-01T12:00:00Z (1h ago)');
    expect(note?.body).toContain('Reason: kernel update');
    expect(note?.body).toContain('lb-2 is HEALTHY now (up from 2/2 vantages); the address is on lb-1.');
    expect(note?.body).toContain(`npx serverless invoke -f status --data '{"group":"web-lb"}'`);
    const row = h.store.history.find((e) => e.event === EventType.BAN_ENDED);
    expect(row).toMatchObject({
      summary: ENDED,
      severity: Severity.INFO,
      detail: { node: 'lb-2', expiresAt: Date.UTC(2025, 0, 1, 13, 0, 0) },
    });

    h.clock.advance(MINUTE);
    await reconcileAt(h);
    await reconcileAt(h, 'arbiter-b');
    expect(h.notifier.of(EventType.BAN_ENDED)).toHaveLength(1);
  });

  it('is announced once when several arbiters reconcile at the same moment', async () => {
    const h = await bannedStandby();
    h.clock.advance(61 * MINUTE);
    await h.verdicts({ 'lb-1': 'UP', 'lb-2': 'UP' });
    await Promise.all(
      ['arbiter-a', 'arbiter-b', 'arbiter-c'].map((owner) => reconcileGroup({ ...h.deps, owner }, h.group)),
    );
    expect(h.notifier.of(EventType.BAN_ENDED)).toHaveLength(1);
    expect(h.store.history.filter((e) => e.event === EventType.BAN_ENDED)).toHaveLength(1);
  });

  it('is not announced when it was lifted before its expiry: only the unban is told', async () => {
    const h = await bannedStandby();
    h.clock.advance(30 * MINUTE);
    await control(h.deps, { group: 'web-lb', action: 'unban', node: 'lb-2', requestedBy: 'alice' });
    h.clock.advance(60 * MINUTE);
    await reconcileAt(h);
    await reconcileAt(h);
    expect(h.notifier.of(EventType.BAN_ENDED)).toEqual([]);
    expect(h.notifier.of(EventType.CONTROL).map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb: lb-2 banned until 2025-01-01T13:00:00Z (1h) by alice (kernel update)',
      '[ha-arbiter] web-lb: lb-2 unbanned by alice',
    ]);
  });

  it('never ends without an expiry', async () => {
    const h = await opsHarness();
    await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-2' });
    h.clock.advance(365 * 24 * 60 * MINUTE);
    await reconcileAt(h);
    expect(h.notifier.of(EventType.BAN_ENDED)).toEqual([]);
  });

  it('lets the address move to the node once announced, when it is the only healthy one', async () => {
    const h = await bannedStandby({ policy: { cooldownSeconds: 0 } });
    h.clock.advance(MINUTE);
    expect(await reconcileAt(h, 'arbiter-a', { 'lb-1': 'DOWN' })).toMatchObject({
      action: 'no-healthy-target',
      outcome: 'alerted',
    });
    h.clock.advance(60 * MINUTE);
    expect(await reconcileAt(h, 'arbiter-a', { 'lb-1': 'DOWN' })).toMatchObject({
      action: 'failover',
      outcome: 'moved',
      to: 'lb-2',
    });
    const events = h.notifier.sent.map((n) => n.event);
    expect(events.slice(-2)).toEqual([EventType.BAN_ENDED, EventType.FAILOVER_SUCCEEDED]);
    expect(h.notifier.of(EventType.NO_HEALTHY_TARGET)).toHaveLength(1);
  });

  it('is not announced again after a reset, which clears open alerts only', async () => {
    const h = await bannedStandby();
    h.clock.advance(61 * MINUTE);
    await reconcileAt(h);
    await control(h.deps, { group: 'web-lb', action: 'reset' });
    await reconcileAt(h);
    expect(h.notifier.of(EventType.BAN_ENDED)).toHaveLength(1);
    expect(h.store.stateOf('web-lb').alerts).toHaveProperty(
      banEndedKey('lb-2', Date.UTC(2025, 0, 1, 13, 0, 0)),
    );
  });

  it('announces the end of a later ban of the same node too, and forgets the old record a day on', async () => {
    const h = await bannedStandby();
    h.clock.advance(61 * MINUTE);
    await reconcileAt(h);
    await control(h.deps, {
      group: 'web-lb',
      action: 'ban',
      node: 'lb-2',
      expiresInMinutes: 10,
      requestedBy: 'bob',
    });
    h.clock.advance(11 * MINUTE);
    await reconcileAt(h);
    expect(h.notifier.of(EventType.BAN_ENDED).map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb: ban on lb-2 ended (set 1h1m ago by alice); lb-2 is eligible again',
      '[ha-arbiter] web-lb: ban on lb-2 ended (set 11m ago by bob); lb-2 is eligible again',
    ]);
    const first = banEndedKey('lb-2', Date.UTC(2025, 0, 1, 13, 0, 0));
    expect(h.store.stateOf('web-lb').alerts).toHaveProperty(first);
    h.clock.advance(BAN_ENDED_RETAIN_MS);
    await reconcileAt(h);
    expect(Object.keys(h.store.stateOf('web-lb').alerts)).toEqual([
      banEndedKey('lb-2', Date.UTC(2025, 0, 1, 13, 11, 0)),
    ]);
    expect(h.notifier.of(EventType.BAN_ENDED)).toHaveLength(2);
  });

  it('is still announced when the ban is not in the history, without saying who set it', async () => {
    const h = await opsHarness();
    h.store.setState('web-lb', { bans: { 'lb-2': h.clock.now() - 1000 } });
    await reconcileAt(h);
    const [note] = h.notifier.of(EventType.BAN_ENDED);
    expect(note?.subject).toBe('[ha-arbiter] web-lb: ban on lb-2 ended; lb-2 is eligible again');
    expect(note?.body).toContain('Set by: (not found in the recent history)');
  });

  it('is still announced when the history cannot be read', async () => {
    const h = await bannedStandby();
    h.clock.advance(61 * MINUTE);
    h.store.readHistory = async () => {
      throw new Error('DynamoDB: throttled');
    };
    await reconcileAt(h);
    expect(h.notifier.of(EventType.BAN_ENDED).map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb: ban on lb-2 ended; lb-2 is eligible again',
    ]);
  });

  it('is not an open alert in the status', async () => {
    const h = await bannedStandby();
    h.clock.advance(61 * MINUTE);
    await reconcileAt(h);
    const report = await status(h.deps, { group: 'web-lb' });
    expect(report).toMatchObject({ groups: [{ alerts: {}, bans: [] }] });
  });

  it('reads well in Slack: the reason and the status command', () => {
    const message = slackMessage({
      subject: ENDED,
      body: 'Group web-lb: the ban on lb-2 ended.\nReason: kernel update\n\nSee the full status:\n  npx serverless invoke -f status --data \'{"group":"web-lb"}\'',
      group: 'web-lb',
      event: EventType.BAN_ENDED,
      severity: Severity.INFO,
    });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('kernel update');
    expect(text).toContain('ban-ended');
    expect(text).not.toContain('*Move*');
  });
});

describe('the ban rules (pure)', () => {
  const group = makeConfig().groups[0]!;
  const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
  const state = (patch: Partial<GroupState>): GroupState => ({ ...emptyState('web-lb'), ...patch });

  it('ends a ban when now reaches its expiry, never a ban without one, once per ban', () => {
    expect(endedBans(group, state({ bans: { 'lb-1': NOW + 1, 'lb-2': 0 } }), NOW)).toEqual([]);
    expect(endedBans(group, state({ bans: { 'lb-1': NOW } }), NOW)).toEqual([
      { node: 'lb-1', expiresAt: NOW, key: `ban-ended:lb-1@${NOW}` },
    ]);
    const told = state({ bans: { 'lb-1': NOW }, alerts: { [`ban-ended:lb-1@${NOW}`]: String(NOW) } });
    expect(endedBans(group, told, NOW + MINUTE)).toEqual([]);
    expect(endedBans(group, state({ bans: { 'lb-9': NOW - 1 } }), NOW)).toEqual([]);
  });

  it('forgets a record only once its ban is gone or replaced and a day has passed', () => {
    const key = banEndedKey('lb-1', NOW);
    const told = { [key]: String(NOW), 'no-healthy-target': 'lb-1' };
    const later = NOW + BAN_ENDED_RETAIN_MS;
    expect(forgettableBanEnds(state({ bans: { 'lb-1': NOW }, alerts: told }), later * 2)).toEqual([]);
    expect(forgettableBanEnds(state({ alerts: told }), later - 1)).toEqual([]);
    expect(forgettableBanEnds(state({ alerts: told }), later)).toEqual([key]);
    expect(forgettableBanEnds(state({ bans: { 'lb-1': 0 }, alerts: told }), later)).toEqual([key]);
    expect(forgettableBanEnds(state({ alerts: { [key]: 'garbled' } }), NOW)).toEqual([key]);
  });

  it('finds who set a ban by its node and expiry', () => {
    const row = (node: string, expiresAt: number, requestedBy: string, reason = '') => ({
      group: 'web-lb',
      at: NOW - 5 * MINUTE,
      event: EventType.CONTROL,
      severity: Severity.INFO,
      summary: '',
      detail: { action: 'ban', node, expiresAt, requestedBy, reason, changed: true },
    });
    const history = [
      row('lb-1', NOW + 1, 'carol'),
      row('lb-2', NOW, 'bob'),
      row('lb-1', NOW, 'alice', 'disk'),
    ];
    expect(banOrigin(history, 'lb-1', NOW)).toEqual({
      at: NOW - 5 * MINUTE,
      requestedBy: 'alice',
      reason: 'disk',
    });
    expect(banOrigin(history, 'lb-2', NOW)).toEqual({ at: NOW - 5 * MINUTE, requestedBy: 'bob' });
    expect(banOrigin(history, 'lb-2', NOW + 1)).toBeUndefined();
  });
});
