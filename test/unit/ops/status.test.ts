import { describe, expect, it } from 'vitest';
import { Ec2Error } from '../../../shared/domain/errors';
import { control } from '../../../shared/ops/control';
import { manualFailover } from '../../../shared/ops/manual-failover';
import { type GroupStatus, type StatusReport, status } from '../../../shared/ops/status';
import { renderTable } from '../../../shared/ops/table';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { verdict } from '../../helpers/verdicts';
import { opsHarness } from './harness';

async function json(h: Awaited<ReturnType<typeof opsHarness>>, payload: unknown = {}): Promise<GroupStatus> {
  const report = (await status(h.deps, payload)) as StatusReport;
  return report.groups[0] as GroupStatus;
}

describe('status', () => {
  it('shows the holder as EC2 reports it next to the recorded one, per resource', async () => {
    const h = await opsHarness();
    const g = await json(h);
    expect(g.resources).toEqual([
      {
        resource: 'elastic-ip eipalloc-01',
        holder: 'lb-1',
        detail: 'on lb-1',
        recorded: 'lb-1',
        drift: false,
      },
    ]);
    expect(g.active).toEqual({ observed: 'lb-1', recorded: 'lb-1' });
    expect(g.drift).toBe(false);
  });

  it('flags drift when EC2 and the recorded state disagree', async () => {
    const h = await opsHarness();
    h.cloud.place(h.group, 'lb-2');
    const g = await json(h);
    expect(g.drift).toBe(true);
    expect(g.resources[0]).toMatchObject({ holder: 'lb-2', recorded: 'lb-1', drift: true });
  });

  it('shows every vantage verdict per node with its age, fail count and last error', async () => {
    const h = await opsHarness();
    const t = h.clock.now();
    await h.store.putVerdict(
      verdict('az-a', 'lb-1', 'DOWN', t - 4000, { since: t - 9000, error: 'ECONNREFUSED' }),
    );
    h.clock.advance(1000);
    const g = await json(h);
    const lb1 = g.nodes.find((n) => n.id === 'lb-1');
    expect(lb1?.verdicts[0]).toEqual({
      vantage: 'az-a',
      status: 'DOWN',
      since: '2025-01-01T11:59:51Z',
      seenAt: '2025-01-01T11:59:56Z',
      ageSeconds: 5,
      stale: false,
      count: 2,
      lastProbe: { ok: false, at: '2025-01-01T11:59:54Z', latencyMs: 2000, error: 'ECONNREFUSED' },
      lastError: { at: '2025-01-01T11:59:54Z', error: 'ECONNREFUSED' },
    });
    expect(lb1?.verdicts[1]).toMatchObject({ vantage: 'az-c', status: 'UP', ageSeconds: 1 });
    expect(lb1).toMatchObject({ health: 'UNKNOWN', reason: 'vantages disagree (down: az-a; up: az-c)' });
    expect(lb1?.instance).toEqual({ state: 'running', impaired: false, launchTime: '2024-12-31T12:00:00Z' });
  });

  it('marks verdicts older than staleAfterSeconds as stale', async () => {
    const h = await opsHarness();
    h.clock.advance(91_000);
    const g = await json(h);
    expect(g.nodes[0]?.verdicts.every((v) => v.stale)).toBe(true);
    expect(g.nodes[0]?.health).toBe('UNKNOWN');
  });

  it('shows mode, breaker, cooldown, lease and bans with their expiry, hiding expired bans', async () => {
    const h = await opsHarness();
    const now = h.clock.now();
    h.store.setState('web-lb', {
      paused: true,
      breakerOpenSince: now - 60_000,
      failoverTimes: [now - 60_000, now - 120_000, now - 7_200_000],
      lastFailoverAt: now - 30_000,
      bans: { 'lb-1': now + 600_000, 'lb-2': now - 1 },
    });
    await h.store.acquireLease('web-lb', 'arbiter-42', now, 60_000);
    const g = await json(h);
    expect(g.mode).toBe('paused');
    expect(g.breaker).toEqual({
      open: true,
      since: '2025-01-01T11:59:00Z',
      recentFailovers: 2,
      maxFailovers: 3,
      windowSeconds: 3600,
    });
    expect(g.cooldownUntil).toBe('2025-01-01T12:00:30Z');
    expect(g.lease).toEqual({
      holder: 'arbiter-42',
      epoch: 1,
      expiresAt: '2025-01-01T12:01:00Z',
      held: true,
    });
    expect(g.bans).toEqual([{ node: 'lb-1', until: '2025-01-01T12:10:00Z' }]);
    expect(g.nodes.map((n) => n.bannedUntil)).toEqual(['2025-01-01T12:10:00Z', undefined]);
  });

  it('says what the arbiter would do now', async () => {
    const h = await opsHarness({ policy: { mode: 'observe' }, health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const g = await json(h);
    expect(g.mode).toBe('observe');
    expect(g.next).toEqual({
      action: 'failover',
      from: 'lb-1',
      to: 'lb-2',
      hold: 'observe',
      reason: 'http /healthz timeout from 2/2 vantages',
    });
  });

  it('lists the last N events, newest first', async () => {
    const h = await opsHarness();
    await control(h.deps, { group: 'web-lb', action: 'pause', requestedBy: 'alice' });
    h.clock.advance(1000);
    await control(h.deps, { group: 'web-lb', action: 'resume', requestedBy: 'alice' });
    h.clock.advance(1000);
    await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2', reason: 'test' });
    const g = await json(h, { history: 2 });
    expect(g.history.map((e) => e.event)).toEqual(['failover-succeeded', 'control']);
    expect((await json(h, { history: 0 })).history).toEqual([]);
  });

  it('shows who asked for each manual action and its Lambda request id, to look up in CloudTrail', async () => {
    const h = await opsHarness();
    await control(
      h.deps,
      { group: 'web-lb', action: 'pause', requestedBy: 'alice' },
      { awsRequestId: 'req-1' },
    );
    h.clock.advance(1000);
    await manualFailover(
      h.deps,
      { group: 'web-lb', to: 'lb-2', requestedBy: 'bob' },
      { awsRequestId: 'req-2' },
    );
    const g = await json(h, { history: 2 });
    expect(g.history.map((e) => [e.event, e.requestedBy, e.requestId])).toEqual([
      ['failover-succeeded', 'bob', 'req-2'],
      ['control', 'alice', 'req-1'],
    ]);
    const text = (await status(h.deps, { format: 'text', history: 2 })) as string;
    expect(text).toMatch(/failover-succeeded .* bob \(request req-2\)/);
    expect(text).toMatch(/control .* alice \(request req-1\)/);
  });

  it('records the request id of a failed manual failover too', async () => {
    const h = await opsHarness();
    const refused = new Ec2Error('UnauthorizedOperation', 'refused');
    h.cloud.moveFailures.push(refused, refused);
    const result = await manualFailover(
      h.deps,
      { group: 'web-lb', to: 'lb-2', requestedBy: 'bob' },
      {
        awsRequestId: 'req-3',
      },
    );
    expect(result).toMatchObject({ outcome: 'failed', requestId: 'req-3' });
    const [row] = (await json(h, { history: 1 })).history;
    expect(row).toMatchObject({ event: 'failover-failed', requestedBy: 'bob', requestId: 'req-3' });
  });

  it('still answers when EC2 cannot be read, and says what is missing', async () => {
    const h = await opsHarness();
    h.cloud.observeFailures.push(
      new Ec2Error('InternalError', 'DescribeAddresses eipalloc-01: InternalError'),
    );
    const g = await json(h);
    expect(g.errors).toEqual(['EC2 holders: DescribeAddresses eipalloc-01: InternalError']);
    expect(g.next).toBeUndefined();
    expect(g.drift).toBe(false);
    expect(g.resources[0]).toMatchObject({ holder: undefined, recorded: 'lb-1', detail: '(EC2 not read)' });
    expect(g.nodes).toHaveLength(2);
  });

  it('reports every group when none is named, and one when named', async () => {
    const h = await opsHarness();
    expect(((await status(h.deps, {})) as StatusReport).groups.map((g) => g.group)).toEqual(['web-lb']);
    expect(((await status(h.deps, { group: 'web-lb' })) as StatusReport).at).toBe('2025-01-01T12:00:00Z');
    await expect(status(h.deps, { group: 'nope' })).rejects.toThrow(
      'status: group = "nope": no such group (valid: web-lb)',
    );
  });

  it('changes nothing', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const before = h.store.stateOf('web-lb');
    await status(h.deps, { format: 'text' });
    expect(h.store.stateOf('web-lb')).toEqual(before);
    expect(h.cloud.mutations).toEqual([]);
    expect(h.notifier.sent).toEqual([]);
  });
});

describe('status as text', () => {
  it('renders the group as aligned tables a person can read in a terminal', async () => {
    const h = await opsHarness({ health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    await reconcileGroup(h.deps, h.group);
    h.clock.advance(5000);
    await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-1', requestedBy: 'alice' });
    const text = (await status(h.deps, { format: 'text' })) as string;
    const lines = text.split('\n');
    expect(lines[0]).toBe('ha-arbiter status at 2025-01-01T12:00:05Z');
    expect(text).toContain(
      'web-lb\n  mode active | failback manual | breaker closed (1/3 failovers in 1h) | cooldown until 12:01:00Z | lease free (epoch 1)',
    );
    expect(text).toContain('  next: stay (lb-2 is healthy)');
    expect(text).toContain(
      `  ! lb-1 is banned without expiry: npx serverless invoke -f control --data '{"group":"web-lb","action":"unban","node":"lb-1"}'`,
    );
    expect(lines).toContain('  RESOURCE                EC2 HOLDER  RECORDED  DETAIL');
    expect(lines).toContain('  elastic-ip eipalloc-01  lb-2        lb-2      on lb-2');
    expect(lines).toContain('  NODE  PRI  EC2      HEALTH   BANNED     HEALTHY SINCE  WHY');
    expect(lines).toContain(
      '  lb-1  200  running  DOWN     no expiry  -              http /healthz timeout from 2/2 vantages',
    );
    expect(lines).toContain(
      '  NODE  VANTAGE  VERDICT  FAILS  SINCE      SEEN    LAST PROBE             LAST ERROR',
    );
    expect(lines).toContain(
      '  lb-1  az-a     DOWN     2      12:00:00Z  5s ago  timeout after 2000 ms  11:59:58Z timeout after 2000 ms',
    );
    expect(lines).toContain(
      '        az-c     DOWN     2      12:00:00Z  5s ago  timeout after 2000 ms  11:59:58Z timeout after 2000 ms',
    );
    expect(text).toContain('  RECENT EVENTS');
    expect(text).toMatch(
      /12:00:05Z {2}control {13}\[ha-arbiter\] web-lb: lb-1 banned without expiry by alice/,
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  it('shows drift, read errors and an open breaker as warnings at the top of the group', async () => {
    const h = await opsHarness();
    h.store.setState('web-lb', { breakerOpenSince: h.clock.now() });
    h.cloud.place(h.group, 'lb-2');
    const text = (await status(h.deps, { format: 'text' })) as string;
    expect(text).toContain('! DRIFT: elastic-ip eipalloc-01 is on lb-2 in EC2 but recorded on lb-1');
    expect(text).toContain(
      `! breaker open: reset when the cause is fixed: npx serverless invoke -f control --data '{"group":"web-lb","action":"reset"}'`,
    );
  });
});

describe('renderTable', () => {
  it('aligns columns and cuts long cells', () => {
    expect(renderTable(['A', 'BB'], [['long value', 'x'.repeat(10)]], 5)).toEqual([
      'A      BB',
      'long…  xxxx…',
    ]);
  });
});
