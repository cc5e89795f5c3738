import { POLICY_DEFAULTS } from '../shared/config/defaults';
import { validateConfig } from '../shared/config/load';
import type { GroupConfig } from '../shared/config/schema';
import { decide, isMove } from '../shared/domain/decide';
import { emptyState, type GroupState, type Signals, type Verdict } from '../shared/domain/model';
import { VerdictTracker } from '../shared/domain/verdict-tracker';
import type { FalseFailoverResult } from './baselines/model';
import { chance, seededRng, uniform } from './rng';

/** The policy under test. */
export interface ArbiterPolicyUnderTest {
  intervalSeconds: number;
  timeoutMs: number;
  recheckMs: number;
  fall: number;
  rise: number;
  quorum: number;
  vantages: number;
}

/** The detection policy fields the shipped defaults set (shared/config/defaults.ts). */
export const SHIPPED_DETECTION = {
  intervalSeconds: POLICY_DEFAULTS.intervalSeconds,
  timeoutMs: POLICY_DEFAULTS.timeoutMs,
  recheckMs: POLICY_DEFAULTS.recheckMs,
  fall: POLICY_DEFAULTS.fall,
  rise: POLICY_DEFAULTS.rise,
  quorum: POLICY_DEFAULTS.quorum,
} as const;

/** The shipped defaults, watched from two vantages. */
export const DEFAULT_POLICY: ArbiterPolicyUnderTest = { ...SHIPPED_DETECTION, vantages: 2 };

const RECONCILE_MS = 60_000;

/** A two-node group with the policy under test, validated like a real config file. */
export function groupUnderTest(policy: ArbiterPolicyUnderTest): GroupConfig {
  const vantages = Array.from({ length: policy.vantages }, (_, i) => ({
    id: `v${i + 1}`,
    subnet: `subnet-0${i + 1}`,
  }));
  const config = validateConfig(
    {
      version: 1,
      vantages,
      groups: [
        {
          id: 'web-lb',
          check: { type: 'http', port: 80, path: '/healthz' },
          nodes: [
            { id: 'lb-1', instanceId: 'i-01', address: '10.0.1.10', eni: 'eni-01', priority: 200 },
            { id: 'lb-2', instanceId: 'i-02', address: '10.0.3.10', eni: 'eni-02', priority: 100 },
          ],
          resources: [{ kind: 'elastic-ip', allocationId: 'eipalloc-01' }],
          policy: {
            intervalSeconds: policy.intervalSeconds,
            timeoutMs: policy.timeoutMs,
            recheckMs: policy.recheckMs,
            fall: policy.fall,
            rise: policy.rise,
            quorum: policy.quorum,
          },
        },
      ],
    },
    'bench policy',
  );
  return config.groups[0] as GroupConfig;
}

/**
 * False failovers of ha-arbiter in simulated time, through the real decision path: every
 * vantage probes both nodes every interval (its own random phase), each probe is lost with
 * `lossRate` (a lost probe fails after the timeout), the real VerdictTracker turns results
 * into verdicts, and a node with a streak in progress is rechecked `recheckMs` after each
 * probe started (at once after a timeout), as the probe loop does (shared/usecases/probe-loop.ts). The real `decide` runs
 * whenever a verdict changes (the table stream) and every minute (the reconcile schedule),
 * with the real cooldown and breaker. Nothing fails, so every move it makes is a false one.
 * Heartbeats keep every verdict fresh (their rate does not change the outcome). Losses are
 * independent draws, rechecks included.
 */
export function arbiterFalseFailovers(
  policy: ArbiterPolicyUnderTest,
  minutes: number,
  lossRate: number,
  seed: number,
): FalseFailoverResult {
  const group = groupUnderTest(policy);
  const rng = seededRng(seed);
  const intervalMs = policy.intervalSeconds * 1000;
  const endMs = minutes * 60_000;
  const vantages = group.vantages;
  const nodes = group.nodes.map((n) => n.id);
  const verdicts = new Map<string, Verdict>();
  const trackers = new Map<string, VerdictTracker>();
  for (const v of vantages) {
    for (const n of nodes) {
      const up: Verdict = {
        group: group.id,
        vantage: v,
        node: n,
        status: 'UP',
        since: 0,
        seenAt: 0,
        count: 2,
        evidence: [],
      };
      verdicts.set(`${v}/${n}`, up);
      trackers.set(`${v}/${n}`, new VerdictTracker(group.id, v, n, policy.fall, policy.rise, up));
    }
  }
  let state: GroupState = { ...emptyState(group.id), active: 'lb-1' };
  let holder = 'lb-1';
  const signals = (): Signals => ({
    instances: Object.fromEntries(
      group.nodes.map((n) => [
        n.id,
        { instanceId: n.instanceId, state: 'running', impaired: false, launchTime: -1e12 },
      ]),
    ),
    holdings: [{ resource: `elastic-ip eipalloc-01`, node: holder, detail: '' }],
  });
  const counts = { failovers: 0, downVerdicts: 0, breakerOpened: 0, heldByCooldown: 0 };

  const arbiter = (now: number) => {
    const fresh = [...verdicts.values()].map((v) => ({ ...v, seenAt: now }));
    const decision = decide(group, state, fresh, signals(), now);
    state = { ...state, healthySince: decision.healthySince };
    const action = decision.action;
    if (!isMove(action)) return;
    if (action.hold === 'cooldown') counts.heldByCooldown += 1;
    if (action.hold === 'breaker' && action.opensBreaker) {
      counts.breakerOpened += 1;
      state = { ...state, breakerOpenSince: now };
    }
    if (action.hold) return;
    counts.failovers += 1;
    holder = action.to;
    state = {
      ...state,
      active: action.to,
      moveEpoch: state.moveEpoch + 1,
      lastFailoverAt: now,
      failoverTimes: [
        ...state.failoverTimes.filter((t) => t > now - group.policy.breaker.windowSeconds * 1000),
        now,
      ],
    };
  };

  // One probe schedule per (vantage, node): steady slots on the vantage's grid, rechecks in between.
  const probes = vantages.flatMap((vantage) => {
    const phase = uniform(rng, 0, intervalMs);
    return nodes.map((node) => ({ vantage, node, phase, next: phase }));
  });
  const nextSlot = (phase: number, after: number) =>
    phase + Math.ceil((after - phase) / intervalMs) * intervalMs;
  let nextReconcile = uniform(rng, 0, RECONCILE_MS);
  for (;;) {
    let p = probes[0] as (typeof probes)[number];
    for (const q of probes) if (q.next < p.next) p = q;
    const t = p.next;
    if (nextReconcile <= t) {
      arbiter(nextReconcile);
      nextReconcile += RECONCILE_MS;
      continue;
    }
    if (t >= endMs) break;
    const key = `${p.vantage}/${p.node}`;
    const ok = !chance(rng, lossRate);
    const result = ok
      ? { ok, latencyMs: 2, at: t }
      : { ok, latencyMs: policy.timeoutMs, at: t, error: `timeout after ${policy.timeoutMs} ms` };
    const doneAt = t + result.latencyMs;
    const tracker = trackers.get(key) as VerdictTracker;
    const change = tracker.observe(result);
    if (change) {
      verdicts.set(key, change);
      if (change.status === 'DOWN') counts.downVerdicts += 1;
      arbiter(doneAt);
    }
    const slot = nextSlot(p.phase, doneAt);
    p.next = tracker.streak() ? Math.min(Math.max(t + policy.recheckMs, doneAt), slot) : slot;
  }
  return {
    failovers: counts.failovers,
    simulatedMinutes: minutes,
    other: {
      downVerdicts: counts.downVerdicts,
      breakerOpened: counts.breakerOpened,
      heldByCooldown: counts.heldByCooldown,
    },
  };
}
