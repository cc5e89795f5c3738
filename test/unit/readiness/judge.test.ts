import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide';
import { emptyState, type GroupState, type Verdict } from '../../../shared/domain/model';
import { CallOutcome, judgeReadiness, type PermissionCheck } from '../../../shared/domain/readiness';
import { makeGroup } from '../../helpers/config';
import { fromAll, verdict } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const BOTH = ['az-a', 'az-c'];
const ALL_UP = [...fromAll(BOTH, 'lb-1', 'UP', NOW - 5_000), ...fromAll(BOTH, 'lb-2', 'UP', NOW - 5_000)];

function judge(
  options: {
    verdicts?: Verdict[];
    state?: Partial<GroupState>;
    permissions?: PermissionCheck;
    holder?: string;
  } = {},
) {
  const group = makeGroup({});
  const state = { ...emptyState('web-lb'), active: 'lb-1', ...options.state };
  const verdicts = options.verdicts ?? ALL_UP;
  const holder = options.holder ?? 'lb-1';
  const holdings = [{ resource: 'elastic-ip eipalloc-01', node: holder, detail: '' }];
  const decision = decide(group, state, verdicts, { instances: {}, holdings }, NOW);
  return judgeReadiness({
    group,
    state,
    decision,
    verdicts,
    ...(options.permissions ? { permissions: options.permissions } : {}),
    now: NOW,
  });
}

const allowed: PermissionCheck = {
  at: NOW - 1_000,
  target: 'lb-2',
  from: 'lb-1',
  calls: [
    {
      action: 'AssociateAddress',
      node: 'lb-2',
      resource: 'eipalloc-01 -> eni-02',
      outcome: CallOutcome.ALLOWED,
    },
  ],
};

describe('judgeReadiness', () => {
  it('is ready when the standby is healthy, the move passed DryRun and every vantage is current', () => {
    const r = judge({ permissions: allowed });
    expect(r).toMatchObject({
      status: 'ready',
      reason: '',
      standby: 'lb-2',
      checkedAt: NOW - 1_000,
      notes: [],
    });
  });

  it('says not ready with the DryRun answer when the move is denied', () => {
    const denied: PermissionCheck = {
      ...allowed,
      calls: [{ ...allowed.calls[0]!, outcome: CallOutcome.DENIED, code: 'UnauthorizedOperation' }],
    };
    expect(judge({ permissions: denied }).reason).toBe(
      'DryRun AssociateAddress to lb-2 answered UnauthorizedOperation (a policy or SCP change?)',
    );
  });

  it('ignores a DryRun made for another standby or holder, and says it is not proven yet', () => {
    const r = judge({ permissions: { ...allowed, from: 'lb-2' } });
    expect(r.status).toBe('ready');
    expect(r.checkedAt).toBeUndefined();
    expect(r.notes).toEqual(['the move to lb-2 has not been proven by DryRun yet']);
  });

  it('says not ready when no standby is healthy by quorum, naming why', () => {
    const verdicts = [
      ...fromAll(BOTH, 'lb-1', 'UP', NOW - 5_000),
      ...fromAll(BOTH, 'lb-2', 'DOWN', NOW - 5_000),
    ];
    const r = judge({ verdicts, permissions: allowed });
    expect(r.status).toBe('not-ready');
    expect(r.reason).toMatch(/^no standby is HEALTHY by quorum: lb-2 is DOWN \(/);
  });

  it('says not ready when a vantage has gone quiet', () => {
    const verdicts = [
      verdict('az-a', 'lb-1', 'UP', NOW - 5_000),
      verdict('az-a', 'lb-2', 'UP', NOW - 5_000),
      verdict('az-c', 'lb-1', 'UP', NOW - 600_000),
      verdict('az-c', 'lb-2', 'UP', NOW - 600_000),
    ];
    expect(judge({ verdicts, permissions: allowed }).reasons[0]).toBe(
      'vantage az-c has confirmed nothing for 10m (staleAfterSeconds 90): is its prober running?',
    );
  });

  it('is pending, telling nobody, until every vantage has judged every node once', () => {
    const r = judge({ verdicts: fromAll(BOTH, 'lb-1', 'UP', NOW - 5_000) });
    expect(r).toMatchObject({
      status: 'pending',
      reason: 'waiting for the first verdicts (az-a on lb-2, az-c on lb-2)',
    });
  });

  it('puts a paused group, an open breaker and drift before everything else', () => {
    const r = judge({
      state: { paused: true, breakerOpenSince: NOW - 120_000 },
      holder: 'lb-2',
      permissions: allowed,
    });
    expect(r.reasons.slice(0, 3)).toEqual([
      'the group is paused: the arbiter moves nothing until it is resumed',
      'the circuit breaker is open since 2m ago: no automatic failover until reset',
      expect.stringMatching(/^the resources are not where the record says: /),
    ]);
  });
});
