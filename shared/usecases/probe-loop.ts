import type { ArbiterConfig, GroupConfig } from '../config/schema';
import { probedNodes } from '../egress-health';
import { messageOf } from '../errors';
import type { Log } from '../log';
import type { ProbeResult, Verdict } from '../model';
import { mapLimit } from '../probe/limit';
import type { NodeProber } from '../probe/probe-node';
import { VerdictTracker } from '../probe/tracker';
import type { VerdictStore } from '../store/ports';

/** What the probe loop needs. */
export interface ProbeLoopDeps {
  config: ArbiterConfig;
  vantage: string;
  store: VerdictStore;
  probe: NodeProber;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds left before the invocation must return. */
  remainingMs: () => number;
  log: Log;
  /** Called with every probe result (metrics). */
  onResult?: (group: GroupConfig, node: string, result: ProbeResult) => void;
  /** Called with every verdict change written. */
  onVerdict?: (verdict: Verdict) => void;
  /** Called as each tick starts (the handler gives every tick its own log correlation id). */
  onTick?: (tick: number, at: number) => void;
}

export interface ProbeLoopSummary {
  ticks: number;
  probes: number;
  verdictWrites: number;
  heartbeatWrites: number;
  /** Duration of each tick (probe round + writes) in ms. */
  tickMs: number[];
}

/** Time kept in reserve at the end of the invocation for the last writes. */
const SAFETY_MS = 1_500;

/**
 * Probes every node of every group this vantage watches, every `intervalSeconds`, until
 * shortly before the invocation's time runs out. Rise/fall state continues from the stored
 * verdicts of the previous invocation. Writes a verdict row only when a verdict changes, and
 * a heartbeat per group every `heartbeatSeconds` that keeps unchanged verdicts fresh.
 */
export async function runProbeLoop(deps: ProbeLoopDeps): Promise<ProbeLoopSummary> {
  const { config, vantage } = deps;
  const groups = config.groups.filter((g) => g.vantages.includes(vantage));
  const summary: ProbeLoopSummary = { ticks: 0, probes: 0, verdictWrites: 0, heartbeatWrites: 0, tickMs: [] };
  if (groups.length === 0) {
    deps.log.warn('this vantage probes no group', { vantage });
    return summary;
  }
  const previous = await deps.store.loadVerdicts(
    vantage,
    groups.map((g) => g.id),
  );
  const trackers = new Map<string, VerdictTracker>();
  for (const g of groups) {
    for (const n of probedNodes(g, vantage)) {
      const prev = previous.find((v) => v.group === g.id && v.node === n.id);
      trackers.set(
        `${g.id}/${n.id}`,
        new VerdictTracker(g.id, vantage, n.id, g.policy.fall, g.policy.rise, prev),
      );
    }
  }
  const start = deps.now();
  const nextDue = new Map(groups.map((g) => [g.id, start]));
  const lastHeartbeat = new Map<string, number>();
  const pending = new Map<string, Verdict>();
  const heartbeatMs = config.arbiter.heartbeatSeconds * 1000;

  for (;;) {
    const now = deps.now();
    const due = groups.filter((g) => (nextDue.get(g.id) ?? 0) <= now);
    // A tick lasts up to one probe timeout per round that the concurrency bound forces.
    const jobs = due.reduce((n, g) => n + probedNodes(g, vantage).length, 0);
    const rounds = Math.max(1, Math.ceil(jobs / config.arbiter.probeConcurrency));
    const budget = Math.max(0, ...due.map((g) => g.policy.timeoutMs)) * rounds + SAFETY_MS;
    if (deps.remainingMs() < budget) break;
    if (due.length > 0) {
      const tickStart = deps.now();
      deps.onTick?.(summary.ticks + 1, tickStart);
      await tick(deps, due, trackers, pending, lastHeartbeat, heartbeatMs, summary);
      summary.tickMs.push(deps.now() - tickStart);
      summary.ticks += 1;
      for (const g of due) {
        const next = (nextDue.get(g.id) ?? now) + g.policy.intervalSeconds * 1000;
        // After a slow tick, skip missed slots instead of probing in a burst.
        nextDue.set(g.id, Math.max(next, deps.now()));
      }
    }
    const wake = Math.min(...nextDue.values());
    const wait = wake - deps.now();
    if (deps.remainingMs() - Math.max(0, wait) < SAFETY_MS) break;
    if (wait > 0) await deps.sleep(wait);
  }
  return summary;
}

async function tick(
  deps: ProbeLoopDeps,
  groups: GroupConfig[],
  trackers: Map<string, VerdictTracker>,
  pending: Map<string, Verdict>,
  lastHeartbeat: Map<string, number>,
  heartbeatMs: number,
  summary: ProbeLoopSummary,
) {
  const jobs = groups.flatMap((g) => probedNodes(g, deps.vantage).map((n) => ({ g, n })));
  const results = await mapLimit(jobs, deps.config.arbiter.probeConcurrency, ({ g, n }) => deps.probe(g, n));
  summary.probes += jobs.length;
  jobs.forEach(({ g, n }, i) => {
    const result = results[i] as ProbeResult;
    deps.onResult?.(g, n.id, result);
    const change = trackers.get(`${g.id}/${n.id}`)?.observe(result);
    if (change) pending.set(`${g.id}/${n.id}`, change);
  });
  // Verdicts whose write failed stay pending and are written again on the next tick.
  const changes = [...pending.entries()];
  const now = deps.now();
  const failedGroups = new Set<string>();
  const writes: Promise<void>[] = changes.map(async ([key, v]) => {
    try {
      await deps.store.putVerdict({ ...v, seenAt: now });
      if (pending.get(key) === v) pending.delete(key);
      summary.verdictWrites += 1;
      deps.onVerdict?.(v);
      deps.log.info('verdict changed', {
        group: v.group,
        node: v.node,
        status: v.status,
        evidence: v.evidence.at(-1),
      });
    } catch (error) {
      failedGroups.add(v.group);
      deps.log.error('verdict write failed', { group: v.group, node: v.node, error: messageOf(error) });
    }
  });
  await Promise.all(writes);
  // A heartbeat says "my stored verdicts are current": never send it over a failed verdict write.
  const heartbeats: Promise<void>[] = [];
  for (const g of groups) {
    if (failedGroups.has(g.id)) continue;
    const last = lastHeartbeat.get(g.id);
    if (last !== undefined && now - last < heartbeatMs) continue;
    lastHeartbeat.set(g.id, now);
    heartbeats.push(
      deps.store
        .putHeartbeat(g.id, deps.vantage, now)
        .then(() => {
          summary.heartbeatWrites += 1;
        })
        .catch((error: unknown) => {
          lastHeartbeat.delete(g.id);
          deps.log.error('heartbeat write failed', { group: g.id, error: messageOf(error) });
        }),
    );
  }
  await Promise.all(heartbeats);
}
