import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionKind, NodeHealth } from '../../../shared/domain/constants';
import { decide, Hold, isMove } from '../../../shared/domain/decide';
import {
  emptyState,
  type GroupState,
  type InstanceSignal,
  type Signals,
  type Verdict,
} from '../../../shared/domain/model';
import { makeGroup, THIRD_NODE } from '../../helpers/config';
import { fromAll, verdict } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const S = 1000;
const BOTH = ['az-a', 'az-c'];

interface Case {
  name: string;
  policy?: Record<string, unknown>;
  threeNodes?: boolean;
  holder: string | undefined;
  verdicts: Verdict[];
  instances?: Record<string, Partial<InstanceSignal>>;
  state?: Partial<GroupState>;
  expected: {
    kind: string;
    from?: string;
    to?: string;
    hold?: string;
    opensBreaker?: boolean;
    reason?: string;
  };
  health?: Record<string, string>;
}

const up = (node: string, at = NOW - 5 * S) => fromAll(BOTH, node, 'UP', at);
const down = (node: string, at = NOW - 5 * S) => fromAll(BOTH, node, 'DOWN', at);

function run(c: Case) {
  const group = makeGroup(c.policy ?? {}, (g) => {
    if (c.threeNodes) g.nodes.push({ ...THIRD_NODE });
  });
  const instances: Record<string, InstanceSignal> = {};
  for (const [node, s] of Object.entries(c.instances ?? {})) {
    const n = group.nodes.find((x) => x.id === node)!;
    instances[node] = { instanceId: n.instanceId, state: 'running', impaired: false, ...s };
  }
  const signals: Signals = {
    instances,
    holdings: [{ resource: 'elastic-ip eipalloc-01', node: c.holder, detail: '' }],
  };
  const state = { ...emptyState('web-lb'), ...c.state };
  return decide(group, state, c.verdicts, signals, NOW);
}

const cases: Case[] = [
  {
    name: 'stays when the holder is healthy',
    holder: 'lb-1',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    expected: { kind: ActionKind.STAY },
    health: { 'lb-1': NodeHealth.HEALTHY, 'lb-2': NodeHealth.HEALTHY },
  },
  {
    name: 'fails over to the healthy standby when both vantages see the holder DOWN',
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    expected: {
      kind: ActionKind.FAILOVER,
      from: 'lb-1',
      to: 'lb-2',
      reason: 'http /healthz timeout from 2/2 vantages',
    },
    health: { 'lb-1': NodeHealth.DOWN, 'lb-2': NodeHealth.HEALTHY },
  },
  {
    name: 'does nothing on a quorum split (1 of 2 vantages says DOWN)',
    holder: 'lb-1',
    verdicts: [verdict('az-a', 'lb-1', 'DOWN', NOW), verdict('az-c', 'lb-1', 'UP', NOW), ...up('lb-2')],
    expected: { kind: ActionKind.UNKNOWN },
    health: { 'lb-1': NodeHealth.UNKNOWN },
  },
  {
    name: 'does nothing when only one vantage has a verdict on the holder',
    holder: 'lb-1',
    verdicts: [verdict('az-a', 'lb-1', 'DOWN', NOW), ...up('lb-2')],
    expected: { kind: ActionKind.UNKNOWN },
    health: { 'lb-1': NodeHealth.UNKNOWN },
  },
  {
    name: 'ignores stale verdicts: a DOWN quorum older than staleAfterSeconds is UNKNOWN',
    holder: 'lb-1',
    verdicts: [...down('lb-1', NOW - 91 * S), ...up('lb-2')],
    expected: { kind: ActionKind.UNKNOWN },
    health: { 'lb-1': NodeHealth.UNKNOWN },
  },
  {
    name: 'counts a verdict exactly staleAfterSeconds old as fresh',
    holder: 'lb-1',
    verdicts: [...down('lb-1', NOW - 90 * S), ...up('lb-2')],
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2' },
  },
  {
    name: 'ignores verdicts from the future (clock trouble)',
    holder: 'lb-1',
    verdicts: [...down('lb-1', NOW + 61 * S), ...up('lb-2')],
    expected: { kind: ActionKind.UNKNOWN },
  },
  {
    name: 'ignores verdicts of a vantage that does not probe the group',
    holder: 'lb-1',
    verdicts: [verdict('az-a', 'lb-1', 'DOWN', NOW), verdict('az-x', 'lb-1', 'DOWN', NOW), ...up('lb-2')],
    expected: { kind: ActionKind.UNKNOWN },
  },
  {
    name: 'ignores verdicts of another group',
    holder: 'lb-1',
    verdicts: [...fromAll(BOTH, 'lb-1', 'DOWN', NOW, { group: 'other' }), ...up('lb-1'), ...up('lb-2')],
    expected: { kind: ActionKind.STAY },
  },
  {
    name: 'reports no healthy target when every node is DOWN',
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...down('lb-2')],
    expected: { kind: ActionKind.NO_HEALTHY_TARGET, from: 'lb-1' },
    health: { 'lb-1': NodeHealth.DOWN, 'lb-2': NodeHealth.DOWN },
  },
  {
    name: 'never moves to a standby whose health is UNKNOWN',
    holder: 'lb-1',
    verdicts: [...down('lb-1'), verdict('az-a', 'lb-2', 'UP', NOW)],
    expected: { kind: ActionKind.NO_HEALTHY_TARGET, from: 'lb-1' },
    health: { 'lb-2': NodeHealth.UNKNOWN },
  },
  {
    name: 'holds a failover during the cooldown',
    policy: { cooldownSeconds: 60 },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    state: { lastFailoverAt: NOW - 30 * S },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: Hold.COOLDOWN },
  },
  {
    name: 'fails over once the cooldown has passed',
    policy: { cooldownSeconds: 60 },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    state: { lastFailoverAt: NOW - 60 * S },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: undefined },
  },
  ...['stopping', 'stopped', 'shutting-down', 'terminated'].map(
    (state): Case => ({
      name: `counts a ${state} holder as DOWN at once, whatever the probes say`,
      holder: 'lb-1',
      verdicts: [...up('lb-1'), ...up('lb-2')],
      instances: { 'lb-1': { state } },
      expected: { kind: ActionKind.FAILOVER, from: 'lb-1', to: 'lb-2', reason: `instance i-01 is ${state}` },
      health: { 'lb-1': NodeHealth.DOWN },
    }),
  ),
  {
    name: 'counts a stopped holder as DOWN even with no verdicts at all',
    holder: 'lb-1',
    verdicts: up('lb-2'),
    instances: { 'lb-1': { state: 'stopped' } },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2' },
  },
  {
    name: 'never moves to a stopped standby that still has UP verdicts',
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    instances: { 'lb-2': { state: 'stopped' } },
    expected: { kind: ActionKind.NO_HEALTHY_TARGET },
  },
  {
    name: 'counts an impaired holder as DOWN',
    holder: 'lb-1',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    instances: { 'lb-1': { impaired: true, launchTime: NOW - 3600 * S } },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', reason: 'instance i-01 status check impaired' },
  },
  {
    name: 'ignores DOWN verdicts of a node in its boot grace period',
    policy: { graceSeconds: 120 },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    instances: { 'lb-1': { launchTime: NOW - 30 * S } },
    expected: { kind: ActionKind.UNKNOWN },
    health: { 'lb-1': NodeHealth.UNKNOWN },
  },
  {
    name: 'ignores an impaired status check in the boot grace period',
    policy: { graceSeconds: 120 },
    holder: 'lb-1',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    instances: { 'lb-1': { impaired: true, launchTime: NOW - 30 * S } },
    expected: { kind: ActionKind.STAY },
  },
  {
    name: 'counts DOWN verdicts again once the grace period is over',
    policy: { graceSeconds: 120 },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    instances: { 'lb-1': { launchTime: NOW - 121 * S } },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2' },
  },
  {
    name: 'chooses the highest-priority healthy standby of three nodes',
    threeNodes: true,
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2'), ...up('lb-3')],
    expected: { kind: ActionKind.FAILOVER, to: 'lb-3' },
  },
  {
    name: 'skips an unhealthy higher-priority standby',
    threeNodes: true,
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2'), ...down('lb-3')],
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2' },
  },
  {
    name: 'skips a banned standby',
    threeNodes: true,
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2'), ...up('lb-3')],
    state: { bans: { 'lb-3': 0 } },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2' },
  },
  {
    name: 'skips a standby whose ban has not expired yet',
    threeNodes: true,
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2'), ...up('lb-3')],
    state: { bans: { 'lb-3': NOW + 60 * S } },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2' },
  },
  {
    name: 'uses a standby whose ban has expired',
    threeNodes: true,
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2'), ...up('lb-3')],
    state: { bans: { 'lb-3': NOW - 1 } },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-3' },
  },
  {
    name: 'moves the address off a banned holder',
    holder: 'lb-1',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    state: { bans: { 'lb-1': 0 } },
    expected: { kind: ActionKind.FAILOVER, from: 'lb-1', to: 'lb-2', reason: 'lb-1 is banned' },
  },
  {
    name: 'is sticky: a recovered preferred node does not take the address back (failback manual)',
    policy: { failback: 'manual' },
    holder: 'lb-2',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    state: { healthySince: { 'lb-1': NOW - 86_400 * S } },
    expected: { kind: ActionKind.STAY },
  },
  {
    name: 'does not fail back before holdDownSeconds of continuous health (failback auto)',
    policy: { failback: 'auto', holdDownSeconds: 300 },
    holder: 'lb-2',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    state: { healthySince: { 'lb-1': NOW - 299 * S } },
    expected: { kind: ActionKind.STAY },
  },
  {
    name: 'fails back after holdDownSeconds of continuous health (failback auto)',
    policy: { failback: 'auto', holdDownSeconds: 300 },
    holder: 'lb-2',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    state: { healthySince: { 'lb-1': NOW - 300 * S } },
    expected: { kind: ActionKind.FAILBACK, from: 'lb-2', to: 'lb-1' },
  },
  {
    name: 'does not fail back to a preferred node that is banned',
    policy: { failback: 'auto', holdDownSeconds: 0 },
    holder: 'lb-2',
    verdicts: [...up('lb-1'), ...up('lb-2')],
    state: { healthySince: { 'lb-1': NOW - 999 * S }, bans: { 'lb-1': 0 } },
    expected: { kind: ActionKind.STAY },
  },
  {
    name: 'holds a wanted failover in observe mode',
    policy: { mode: 'observe' },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: Hold.OBSERVE },
  },
  {
    name: 'holds a wanted failover while the group is paused',
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    state: { paused: true },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: Hold.PAUSED },
  },
  {
    name: 'holds a wanted failover while the breaker is open',
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    state: { breakerOpenSince: NOW - 10 * S },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: Hold.BREAKER, opensBreaker: undefined },
  },
  {
    name: 'opens the breaker when maxFailovers already happened within the window',
    policy: { breaker: { maxFailovers: 3, windowSeconds: 3600 }, cooldownSeconds: 0 },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    state: { failoverTimes: [NOW - 3000 * S, NOW - 2000 * S, NOW - 1000 * S] },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: Hold.BREAKER, opensBreaker: true },
  },
  {
    name: 'does not count failovers older than the breaker window',
    policy: { breaker: { maxFailovers: 3, windowSeconds: 3600 }, cooldownSeconds: 0 },
    holder: 'lb-1',
    verdicts: [...down('lb-1'), ...up('lb-2')],
    state: { failoverTimes: [NOW - 3601 * S, NOW - 2000 * S, NOW - 1000 * S] },
    expected: { kind: ActionKind.FAILOVER, to: 'lb-2', hold: undefined },
  },
  {
    name: 'places an address that no node holds on the highest-priority healthy node',
    holder: undefined,
    verdicts: [...up('lb-1'), ...up('lb-2')],
    expected: { kind: ActionKind.FAILOVER, from: undefined, to: 'lb-1' },
  },
  {
    name: 'reports no healthy target for an unheld address with no healthy node',
    holder: undefined,
    verdicts: [...down('lb-1'), verdict('az-a', 'lb-2', 'UP', NOW)],
    expected: { kind: ActionKind.NO_HEALTHY_TARGET, from: undefined },
  },
];

describe('decide', () => {
  it.each(cases)('$name', (c) => {
    const decision = run(c);
    const action = decision.action as Record<string, unknown>;
    for (const [key, value] of Object.entries(c.expected)) {
      // An expected `undefined` means "absent or undefined", e.g. no hold.
      expect(action[key], key).toEqual(value);
    }
    for (const [node, health] of Object.entries(c.health ?? {})) {
      expect(decision.assessments[node]?.health, node).toBe(health);
    }
  });

  it('names the holder according to EC2 as the active node', () => {
    const decision = run({ holder: 'lb-2', verdicts: [], name: '', expected: { kind: '' } });
    expect(decision.active).toBe('lb-2');
  });

  it('dates the detection to the moment the quorum of DOWN verdicts was reached', () => {
    const decision = run({
      name: '',
      holder: 'lb-1',
      verdicts: [
        verdict('az-a', 'lb-1', 'DOWN', NOW, { since: NOW - 20 * S }),
        verdict('az-c', 'lb-1', 'DOWN', NOW, { since: NOW - 12 * S }),
        ...up('lb-2'),
      ],
      expected: { kind: '' },
    });
    expect(decision.assessments['lb-1']?.downSince).toBe(NOW - 12 * S);
  });

  it('keeps healthySince while a node stays healthy, starts it when it becomes healthy, drops it otherwise', () => {
    const decision = run({
      name: '',
      threeNodes: true,
      holder: 'lb-1',
      verdicts: [...up('lb-1'), ...up('lb-2'), ...down('lb-3')],
      state: { healthySince: { 'lb-1': NOW - 500 * S, 'lb-3': NOW - 500 * S } },
      expected: { kind: '' },
    });
    expect(decision.healthySince).toEqual({ 'lb-1': NOW - 500 * S, 'lb-2': NOW });
  });

  it('never moves to a node that is not HEALTHY and unbanned, whatever the inputs', () => {
    const nodes = ['lb-1', 'lb-2', 'lb-3'];
    const verdictArb = fc.record({
      vantage: fc.constantFrom('az-a', 'az-c', 'az-x'),
      node: fc.constantFrom(...nodes),
      status: fc.constantFrom('UP' as const, 'DOWN' as const),
      age: fc.integer({ min: -70, max: 200 }),
    });
    const instanceArb = fc.record({
      state: fc.constantFrom('running', 'pending', 'stopped', 'terminated'),
      impaired: fc.boolean(),
      launchAge: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(
        fc.array(verdictArb, { maxLength: 12 }),
        fc.dictionary(fc.constantFrom(...nodes), instanceArb),
        fc.option(fc.constantFrom(...nodes), { nil: undefined }),
        fc.dictionary(fc.constantFrom(...nodes), fc.constantFrom(0, NOW - 1, NOW + 1)),
        fc.constantFrom('manual', 'auto'),
        (vs, inst, holder, bans, failback) => {
          const decision = run({
            name: '',
            threeNodes: true,
            policy: { failback, holdDownSeconds: 0 },
            holder,
            verdicts: vs.map((v) => verdict(v.vantage, v.node, v.status, NOW - v.age * S)),
            instances: Object.fromEntries(
              Object.entries(inst).map(([n, i]) => [
                n,
                { state: i.state, impaired: i.impaired, launchTime: NOW - i.launchAge * S },
              ]),
            ),
            state: { bans },
            expected: { kind: '' },
          });
          const { action } = decision;
          if (isMove(action)) {
            const target = decision.assessments[action.to];
            expect(target?.health).toBe(NodeHealth.HEALTHY);
            expect(target?.banned).toBe(false);
            expect(action.to).not.toBe(holder);
          }
          if (action.kind === ActionKind.FAILOVER && holder !== undefined) {
            const current = decision.assessments[holder];
            expect(current?.health === NodeHealth.DOWN || current?.banned).toBe(true);
          }
        },
      ),
      { numRuns: 300, seed: 20250101 },
    );
  });
});
