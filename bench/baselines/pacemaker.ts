import { chance, seededRng, uniform } from '../rng';
import type {
  BaselineModel,
  BaselineOutcome,
  Ec2Timing,
  FailureScenario,
  FalseFailoverResult,
} from './model';

/**
 * A Pacemaker-style monitor as configured in seed 002: a recurring monitor every 10 s,
 * `migration-threshold=2` (the first failure restarts the service in place, the second moves
 * the group), fail counts that never expire (no `failure-timeout`), and an EIP resource agent
 * whose move takes 10-20 s.
 */
export const PACEMAKER = {
  monitorIntervalMs: 10_000,
  /** The monitor op's timeout (the seed's httpd monitor: `timeout=3s`): how long a hang takes to fail it. */
  monitorTimeoutMs: 3_000,
  /** A monitor of a crashed service fails at once (unit failed / connection refused). */
  failFastMs: 50,
  migrationThreshold: 2,
  /** `on-fail=restart`: stop + start in place; it cannot fix a fault that persists. */
  restartMs: 2_000,
  /** The service's start on the new node after the EIP (group order: res-eip, then res-httpd). */
  serviceStartMs: 1_000,
  /**
   * The seed's "10-20 s" EIP move, measured on AWS, includes its API calls: at the default
   * injected latencies (Disassociate + Associate + one Describe = 1.9 s) the agent's own
   * overhead (CLI start-ups, its wait loop) is the rest of a uniform 10-20 s draw.
   */
  eipMoveSeedMs: [10_000, 20_000] as const,
  seedApiMs: 2 * 800 + 300,
  /** With both nodes at the threshold the group stops; an operator cleans up after this long. */
  operatorCleanupMs: 600_000,
} as const;

/** Start of the EIP move -> the address moved, with the injected latencies of its API calls. */
function eipMoveMs(ec2: Ec2Timing, rng: () => number): number {
  const p = PACEMAKER;
  const overhead = uniform(rng, p.eipMoveSeedMs[0] - p.seedApiMs, p.eipMoveSeedMs[1] - p.seedApiMs);
  return overhead + 2 * ec2.mutatingMs + ec2.describeMs;
}

export const pacemaker: BaselineModel = {
  id: 'pacemaker',
  name: 'Pacemaker-style monitor (10 s, migration-threshold 2)',
  assumptions: [
    'A recurring monitor every 10 s (rescheduled after each run; seeded phase). A crashed service fails it at once; a hung one when the op times out after 3 s (the seed’s httpd monitor timeout).',
    'migration-threshold=2: the first failure restarts the service in place (2 s; it does not fix a fault that persists), the monitor runs again right after the start and fails again, and the second failure moves the group.',
    'The move stops the group on the failed node and starts it on the peer: the EIP agent (DisassociateAddress + AssociateAddress + one Describe at the injected latencies, plus the agent’s own overhead so that the total is the 10-20 s the seed reports), then the service (1 s).',
    'Fail counts never expire (the seed sets no failure-timeout). When both nodes have reached the threshold the group stops everywhere; an operator runs a cleanup after 10 minutes.',
    'For false failovers the monitor is a network health check that loses 5% of its probes like every other system here (the seed’s systemd monitor is local and would not see the loss, but then it also cannot see a network-side failure).',
    'No fencing (stonith-enabled=false, as in the seed) and no node-level (corosync) failure: the node stays up, its service fails.',
  ],

  outcome(failure: FailureScenario, ec2: Ec2Timing, seed: number): BaselineOutcome {
    const p = PACEMAKER;
    const rng = seededRng(seed);
    const monitorEnd = (t: number) =>
      t < failure.failAt
        ? t + p.failFastMs
        : t + (failure.kind === 'hang' ? p.monitorTimeoutMs : p.failFastMs);
    let t = uniform(rng, 0, p.monitorIntervalMs);
    let failcount = 0;
    for (;;) {
      const end = monitorEnd(t);
      if (t < failure.failAt) {
        t = end + p.monitorIntervalMs;
        continue;
      }
      failcount += 1;
      if (failcount < p.migrationThreshold) {
        // Restart in place, then the recurring monitor runs again at once.
        t = end + p.restartMs;
        continue;
      }
      const eipDone = end + eipMoveMs(ec2, rng);
      const serving = Math.max(eipDone + ec2.propagationMs, eipDone + p.serviceStartMs);
      return {
        detected: true,
        detectMs: end - failure.failAt,
        moveMs: eipDone - failure.failAt,
        outageMs: serving - failure.failAt,
      };
    }
  },

  falseFailovers(minutes: number, lossRate: number, ec2: Ec2Timing, seed: number): FalseFailoverResult {
    const p = PACEMAKER;
    const rng = seededRng(seed);
    const endMs = minutes * 60_000;
    const failcount = [0, 0];
    let holder = 0;
    let failovers = 0;
    let restarts = 0;
    let stops = 0;
    let stoppedMs = 0;
    let t = uniform(rng, 0, p.monitorIntervalMs);
    while (t < endMs) {
      const lost = chance(rng, lossRate);
      const end = t + (lost ? p.monitorTimeoutMs : p.failFastMs);
      if (!lost) {
        t = end + p.monitorIntervalMs;
        continue;
      }
      failcount[holder] = (failcount[holder] ?? 0) + 1;
      if ((failcount[holder] as number) < p.migrationThreshold) {
        restarts += 1;
        t = end + p.restartMs;
        continue;
      }
      const peer = 1 - holder;
      if ((failcount[peer] as number) < p.migrationThreshold) {
        failovers += 1;
        holder = peer;
        t = end + eipMoveMs(ec2, rng) + p.serviceStartMs;
        continue;
      }
      // Nowhere left to run: the group stops until an operator clears the fail counts.
      stops += 1;
      stoppedMs += p.operatorCleanupMs;
      failcount[0] = 0;
      failcount[1] = 0;
      t = end + p.operatorCleanupMs + p.serviceStartMs;
    }
    return {
      failovers,
      simulatedMinutes: minutes,
      other: {
        needlessRestarts: restarts,
        groupStopped: stops,
        minutesStopped: Math.round(stoppedMs / 60_000),
      },
    };
  },
};
