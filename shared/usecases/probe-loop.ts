import type { ArbiterConfig, GroupConfig, NodeConfig } from '../config/schema';
import { probedNodes } from '../domain/egress-health';
import { messageOf } from '../domain/errors';
import { streakCarryLimitMs } from '../domain/loop-deadline';
import type { ProbeResult, Verdict } from '../domain/model';
import { sameStreak, VerdictTracker } from '../domain/verdict-tracker';
import type { Log } from '../ports/log';
import type { NodeProber } from '../ports/node-prober';
import type { VerdictStore } from '../ports/store';
import { mapLimit } from './map-limit';
import { WriteOrder, withWriteOrder } from './write-order';

/** What the probe loop needs. */
export interface ProbeLoopDeps {
  config: ArbiterConfig;
  vantage: string;
  store: VerdictStore;
  probe: NodeProber;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /**
   * Milliseconds left before the invocation must return (the prober: until shortly before the
   * next scheduled invocation, within its own timeout; shared/domain/loop-deadline.ts).
   */
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
  /** Verdict rows rewritten at the end of the loop to carry (or drop) a streak in progress. */
  streakWrites: number;
  /** Duration of each tick (probe round + writes) in ms. */
  tickMs: number[];
}

/** Time kept in reserve at the end of the invocation for the last writes. */
const SAFETY_MS = 1_500;

/**
 * The time a tick over these jobs needs before the invocation must return: one probe timeout
 * per round that the concurrency bound forces, and the reserve for its writes.
 */
function tickBudgetMs(deps: ProbeLoopDeps, jobs: readonly ProbeJob[]): number {
  const rounds = Math.max(1, Math.ceil(jobs.length / deps.config.arbiter.probeConcurrency));
  return Math.max(0, ...jobs.map((j) => j.g.policy.timeoutMs)) * rounds + SAFETY_MS;
}

/** One probe of one node of a group. */
interface ProbeJob {
  g: GroupConfig;
  n: NodeConfig;
}

/** The nodes this vantage probes in these groups. */
function jobsOf(groups: readonly GroupConfig[], vantage: string): ProbeJob[] {
  return groups.flatMap((g) => probedNodes(g, vantage).map((n) => ({ g, n })));
}

const keyOf = (j: ProbeJob) => `${j.g.id}/${j.n.id}`;

/**
 * A rise/fall tracker per probed node, continuing from the verdicts stored by the previous
 * invocation, and those stored rows by node (`stored`: loaded, and then written since).
 */
function trackersFrom(
  groups: readonly GroupConfig[],
  vantage: string,
  previous: readonly Verdict[],
  endReserveMs: number,
): { trackers: Map<string, VerdictTracker>; stored: Map<string, Verdict> } {
  const trackers = new Map<string, VerdictTracker>();
  const stored = new Map<string, Verdict>();
  for (const g of groups) {
    const carryLimitMs = streakCarryLimitMs(g.policy.intervalSeconds * 1000, endReserveMs);
    for (const n of probedNodes(g, vantage)) {
      const key = `${g.id}/${n.id}`;
      const prev = previous.find((v) => v.group === g.id && v.node === n.id);
      if (prev) stored.set(key, prev);
      trackers.set(
        key,
        new VerdictTracker(g.id, vantage, n.id, g.policy.fall, g.policy.rise, prev, carryLimitMs),
      );
    }
  }
  return { trackers, stored };
}

/**
 * Probes every node of every group this vantage watches, every `intervalSeconds`, until
 * shortly before the invocation's time runs out. A probe that starts or continues a streak
 * (a failure on an UP node, a success on a DOWN one) has that node probed again `recheckMs`
 * after that probe started (at once if it took longer: a timeout), and again, until the verdict changes or the streak breaks; the steady
 * slots stay on their grid (start + k x interval), so rechecks add probes only while a state
 * change is in progress. Rise/fall state continues from the stored
 * verdicts of the previous invocation, and so does a streak it had in progress (carryStreaks).
 * Writes a verdict row only when a verdict changes, and one heartbeat for the vantage (all its
 * groups) every `heartbeatSeconds` that keeps unchanged verdicts fresh: table writes follow
 * changes and vantages, not groups x ticks.
 */
export async function runProbeLoop(deps: ProbeLoopDeps): Promise<ProbeLoopSummary> {
  const { config, vantage } = deps;
  const groups = config.groups.filter((g) => g.vantages.includes(vantage));
  const summary: ProbeLoopSummary = {
    ticks: 0,
    probes: 0,
    verdictWrites: 0,
    heartbeatWrites: 0,
    streakWrites: 0,
    tickMs: [],
  };
  if (groups.length === 0) {
    deps.log.warn('this vantage probes no group', { vantage });
    return summary;
  }
  const previous = await deps.store.loadVerdicts(
    vantage,
    groups.map((g) => g.id),
  );
  // Every verdict write carries the vantage's write order, so one landing late never replaces
  // a newer one (shared/usecases/write-order.ts).
  const writes: ProbeLoopDeps = {
    ...deps,
    store: withWriteOrder(deps.store, new WriteOrder(deps.now, previous)),
  };
  const all = jobsOf(groups, vantage);
  const { trackers, stored } = trackersFrom(groups, vantage, previous, tickBudgetMs(deps, all));
  const start = deps.now();
  const nextDue = new Map(groups.map((g) => [g.id, start]));
  /** Nodes with a streak in progress: when their recheck is due. */
  const recheckAt = new Map<string, number>();
  const heartbeat: HeartbeatClock = { heartbeatMs: config.arbiter.heartbeatSeconds * 1000 };
  const pending = new Map<string, Verdict>();

  /** The steady slots due by `at`, and the rechecks due by then of nodes not in them. */
  const dueBy = (at: number) => {
    const steady = groups.filter((g) => (nextDue.get(g.id) ?? 0) <= at);
    const jobs = jobsOf(steady, vantage);
    const inTick = new Set(jobs.map(keyOf));
    for (const j of all) {
      const r = recheckAt.get(keyOf(j));
      // One probe per node per tick: a node whose steady slot is due now is probed once, and
      // that probe is its recheck too.
      if (r !== undefined && r <= at && !inTick.has(keyOf(j))) jobs.push(j);
    }
    return { steady, jobs };
  };

  for (;;) {
    const now = deps.now();
    const { steady, jobs } = dueBy(now);
    if (deps.remainingMs() < tickBudgetMs(deps, jobs)) break;
    if (jobs.length > 0) {
      const tickStart = deps.now();
      deps.onTick?.(summary.ticks + 1, tickStart);
      await tick(writes, jobs, trackers, pending, stored, heartbeat, summary);
      const tickEnd = deps.now();
      summary.tickMs.push(tickEnd - tickStart);
      summary.ticks += 1;
      for (const j of jobs) {
        const key = keyOf(j);
        // Recheck while a streak runs against the verdict; reaching fall/rise (a new verdict)
        // or a result that breaks the streak ends it: back to the steady slots only. Rechecks
        // are spaced `recheckMs` from probe start to probe start: a probe that took longer (a
        // timeout) is followed at once, since it already kept the node waiting that long.
        if (trackers.get(key)?.streak()) {
          recheckAt.set(key, Math.max(tickStart + j.g.policy.recheckMs, tickEnd));
        } else recheckAt.delete(key);
      }
      for (const g of steady) {
        const next = (nextDue.get(g.id) ?? now) + g.policy.intervalSeconds * 1000;
        // After a slow tick, skip missed slots instead of probing in a burst.
        nextDue.set(g.id, Math.max(next, deps.now()));
      }
    }
    const wake = Math.min(...nextDue.values(), ...recheckAt.values());
    const wait = wake - deps.now();
    // Return now rather than sleep until a tick there will be no time for (idle, but billed).
    if (deps.remainingMs() - Math.max(0, wait) < tickBudgetMs(deps, dueBy(wake).jobs)) break;
    if (wait > 0) await deps.sleep(wait);
  }
  await carryStreaks(writes, trackers, pending, stored, summary);
  return summary;
}

/**
 * At the end of the loop, leaves on each node's verdict row the streak in progress against its
 * verdict (failures while UP, successes while DOWN), or no streak when there is none, so that
 * the next invocation continues counting where this one stopped instead of from zero (the
 * tracker continues it only if its first probe comes within streakCarryLimitMs). A row is
 * rewritten only where that differs from what it holds: writes follow streaks, not ticks, at
 * most one per node per invocation. The verdict is written back exactly as stored (status,
 * since, seenAt, count, evidence), so the arbiter, which never reads the streak, reads what it
 * read before. A node whose verdict change is still pending is left alone: its row no longer
 * holds the verdict the streak counts against.
 */
async function carryStreaks(
  deps: ProbeLoopDeps,
  trackers: Map<string, VerdictTracker>,
  pending: Map<string, Verdict>,
  stored: Map<string, Verdict>,
  summary: ProbeLoopSummary,
): Promise<void> {
  const writes = [...trackers.entries()].map(async ([key, tracker]) => {
    const row = stored.get(key);
    if (!row || pending.has(key)) return;
    const streak = tracker.streak();
    if (sameStreak(row.streak, streak)) return;
    const { streak: _previous, ...verdict } = row;
    const next: Verdict = streak ? { ...verdict, streak } : verdict;
    try {
      if (!(await deps.store.putVerdict(next))) {
        deps.log.debug('streak write superseded by a newer write', { group: row.group, node: row.node });
        return;
      }
      stored.set(key, next);
      summary.streakWrites += 1;
      deps.log.debug('streak carried', { group: row.group, node: row.node, status: row.status, streak });
    } catch (error) {
      deps.log.warn('streak write failed', { group: row.group, node: row.node, error: messageOf(error) });
    }
  });
  await Promise.all(writes);
}

/** When the vantage's heartbeat was last written, and how often it is due. */
interface HeartbeatClock {
  heartbeatMs: number;
  last?: number;
}

async function tick(
  deps: ProbeLoopDeps,
  jobs: ProbeJob[],
  trackers: Map<string, VerdictTracker>,
  pending: Map<string, Verdict>,
  stored: Map<string, Verdict>,
  heartbeat: HeartbeatClock,
  summary: ProbeLoopSummary,
) {
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
  const writes: Promise<void>[] = changes.map(async ([key, v]) => {
    try {
      const row = { ...v, seenAt: now };
      if (!(await deps.store.putVerdict(row))) {
        // A newer write of this row is already there (its seq is higher): this one is dropped.
        if (pending.get(key) === v) pending.delete(key);
        deps.log.debug('verdict write superseded by a newer write', { group: v.group, node: v.node });
        return;
      }
      if (pending.get(key) === v) {
        pending.delete(key);
        stored.set(key, row);
      }
      summary.verdictWrites += 1;
      deps.onVerdict?.(v);
      deps.log.info('verdict changed', {
        group: v.group,
        node: v.node,
        status: v.status,
        evidence: v.evidence.at(-1),
      });
    } catch (error) {
      deps.log.error('verdict write failed', { group: v.group, node: v.node, error: messageOf(error) });
    }
  });
  await Promise.all(writes);
  // The heartbeat says "every verdict this vantage stored, in every group, is current": never
  // send it while any verdict write (of any group) failed and is still pending. The stored
  // verdicts then go stale and the arbiter stops counting this vantage, rather than counting a
  // verdict the vantage no longer holds.
  if (pending.size > 0) return;
  if (heartbeat.last !== undefined && now - heartbeat.last < heartbeat.heartbeatMs) return;
  heartbeat.last = now;
  try {
    if (await deps.store.putHeartbeat(deps.vantage, now)) summary.heartbeatWrites += 1;
    else deps.log.debug('heartbeat superseded by a newer one', { at: now });
  } catch (error) {
    delete heartbeat.last;
    deps.log.error('heartbeat write failed', { error: messageOf(error) });
  }
}
