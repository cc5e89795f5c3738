import type { ArbiterConfig } from '../../shared/config/schema';
import { decide } from '../../shared/domain/decide';
import { emptyState, type GroupState, type Signals, type Verdict } from '../../shared/domain/model';
import { type Summary, summarize } from '../stats';
import { scaleConfig } from './scale-config';

/** Time of the pure decision for every group of a config, once per pass. */
export interface DecideScaleResult {
  groups: number;
  passes: number;
  /** Milliseconds per pass over all groups. */
  passMs: Summary;
  /** Microseconds per group (mean over all passes). */
  perGroupUs: number;
}

/** Fresh UP verdicts from two vantages for every node, as the arbiter reads them. */
function verdictsOf(config: ArbiterConfig, now: number): Map<string, Verdict[]> {
  const out = new Map<string, Verdict[]>();
  for (const g of config.groups) {
    const vs: Verdict[] = [];
    for (const vantage of ['v1', 'v2']) {
      for (const n of g.nodes) {
        vs.push({
          group: g.id,
          vantage,
          node: n.id,
          status: 'UP',
          since: 0,
          seenAt: now,
          count: 2,
          evidence: [],
        });
      }
    }
    out.set(g.id, vs);
  }
  return out;
}

/**
 * Runs the real `decide` for 1, 100, 1000... groups (two nodes, two vantages, quorum 2 each)
 * and times whole passes, as one reconcile of every group would run them.
 */
export function decideScale(groupCounts: readonly number[], passes: number): DecideScaleResult[] {
  return groupCounts.map((groups) => {
    const ports = Array.from({ length: groups * 2 }, (_, i) => 20_000 + i);
    const base = scaleConfig(ports, 5, 30);
    const config: ArbiterConfig = {
      ...base,
      vantages: [
        { id: 'v1', subnet: 'subnet-01' },
        { id: 'v2', subnet: 'subnet-02' },
      ],
      groups: base.groups.map((g) => ({ ...g, vantages: ['v1', 'v2'], policy: { ...g.policy, quorum: 2 } })),
    };
    const now = Date.now();
    const verdicts = verdictsOf(config, now);
    const states = new Map<string, GroupState>(
      config.groups.map((g) => [
        g.id,
        { ...emptyState(g.id), ...(g.nodes[0] ? { active: g.nodes[0].id } : {}) },
      ]),
    );
    const signals = new Map<string, Signals>(
      config.groups.map((g) => [
        g.id,
        {
          instances: Object.fromEntries(
            g.nodes.map((n) => [
              n.id,
              { instanceId: n.instanceId, state: 'running', impaired: false, launchTime: 0 },
            ]),
          ),
          holdings: [{ resource: `elastic-ip ${g.id}`, node: g.nodes[0]?.id, detail: '' }],
        },
      ]),
    );
    const times: number[] = [];
    let sink = 0;
    for (let p = 0; p < passes + 3; p += 1) {
      const t = performance.now();
      for (const g of config.groups) {
        const d = decide(
          g,
          states.get(g.id) as GroupState,
          verdicts.get(g.id) ?? [],
          signals.get(g.id) as Signals,
          now,
        );
        sink += d.action.kind.length;
      }
      // The first passes warm the JIT up; they are not counted.
      if (p >= 3) times.push(performance.now() - t);
    }
    if (sink < 0) throw new Error('unreachable');
    const passMs = summarize(times);
    return { groups, passes, passMs, perGroupUs: (passMs.mean * 1000) / groups };
  });
}
