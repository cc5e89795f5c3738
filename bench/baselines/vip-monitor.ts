import { chance, seededRng, uniform } from '../rng';
import type {
  BaselineModel,
  BaselineOutcome,
  Ec2Timing,
  FailureScenario,
  FalseFailoverResult,
} from './model';
import { undetected } from './model';

/**
 * The timing of vip_monitor.sh as published with the Floating IP pattern (seeds 000 and 001):
 * the standby pings its peer with `ping -c 3 -W 1`; only when none of the three pings is
 * answered it takes the VIP over with one ec2-assign-private-ip-addresses call, configures the
 * address, then sleeps 60 s; otherwise it sleeps 2 s and pings again.
 */
export const VIP_MONITOR = {
  pings: 3,
  /** ping's default spacing between echo requests. */
  pingSpacingMs: 1_000,
  /** `-W 1`: how long ping waits for the last reply before giving up. */
  lastReplyWaitMs: 1_000,
  rttMs: 1,
  sleepMs: 2_000,
  sleepAfterTakeoverMs: 60_000,
  /**
   * Start-up of the Java ec2-api-tools before the call reaches EC2. 0 here: generous to the
   * script (the seed's own test lost ~15 s of pings, much more than this model predicts).
   */
  cliStartMs: 0,
  /** Failures it never notices are counted as an outage of this long. */
  horizonMs: 600_000,
} as const;

/** Is the peer answering pings at `t`? */
type Answers = (t: number) => boolean;

/** One round of `ping -c 3 -W 1`: replies received and when the command returns. */
function pingRound(start: number, answers: Answers): { replies: number; end: number } {
  const m = VIP_MONITOR;
  let replies = 0;
  let lastAnswered = false;
  for (let k = 0; k < m.pings; k += 1) {
    lastAnswered = answers(start + k * m.pingSpacingMs);
    if (lastAnswered) replies += 1;
  }
  const tail = lastAnswered ? m.rttMs : m.lastReplyWaitMs;
  return { replies, end: start + (m.pings - 1) * m.pingSpacingMs + tail };
}

/** A healthy loop's period: three answered pings, then the 2 s sleep. */
const HEALTHY_CYCLE_MS =
  (VIP_MONITOR.pings - 1) * VIP_MONITOR.pingSpacingMs + VIP_MONITOR.rttMs + VIP_MONITOR.sleepMs;

export const vipMonitor: BaselineModel = {
  id: 'vip-monitor',
  name: 'vip_monitor.sh (peer ping loop)',
  assumptions: [
    'Runs on the standby, pinging the active node: `ping -c 3 -W 1`, i.e. 3 echo requests 1 s apart, ~2 s when answered and ~3 s when the last one is not.',
    'Takes over only when all 3 pings of a round go unanswered; otherwise sleeps 2 s and pings again.',
    'Takeover = one ec2-assign-private-ip-addresses call (the injected mutating latency; the ENI id was looked up at start-up, so no Describe on the path) + the data-path propagation; the Java CLI start-up is counted as 0 s (generous: the seed measured ~15 s of lost pings).',
    'After a takeover it sleeps 60 s. Both nodes run the script, so a lost round on either side can move the VIP.',
    'A crash is the whole node going silent (pings unanswered), the best case for a ping check. A hung service still answers ICMP: never detected (outage capped at 10 min for the charts).',
    'The loop started at a random moment before the failure (seeded phase).',
  ],

  outcome(failure: FailureScenario, ec2: Ec2Timing, seed: number): BaselineOutcome {
    const m = VIP_MONITOR;
    if (failure.kind === 'hang') return undetected(m.horizonMs);
    const rng = seededRng(seed);
    const answers: Answers = (t) => t < failure.failAt;
    let t = uniform(rng, 0, HEALTHY_CYCLE_MS);
    while (t < failure.failAt + m.horizonMs) {
      const round = pingRound(t, answers);
      if (round.replies === 0) {
        const moved = round.end + m.cliStartMs + ec2.mutatingMs;
        return {
          detected: true,
          detectMs: round.end - failure.failAt,
          moveMs: moved - failure.failAt,
          outageMs: moved + ec2.propagationMs - failure.failAt,
        };
      }
      t = round.end + m.sleepMs;
    }
    return undetected(m.horizonMs);
  },

  falseFailovers(minutes: number, lossRate: number, _ec2: Ec2Timing, seed: number): FalseFailoverResult {
    const m = VIP_MONITOR;
    const rng = seededRng(seed);
    const endMs = minutes * 60_000;
    const answers: Answers = () => !chance(rng, lossRate);
    // Two scripts, one per node, each pinging the other; node 0 holds the VIP at first.
    const next = [uniform(rng, 0, HEALTHY_CYCLE_MS), uniform(rng, 0, HEALTHY_CYCLE_MS)];
    let holder = 0;
    let failovers = 0;
    let noOpTakeovers = 0;
    for (;;) {
      const who = (next[0] as number) <= (next[1] as number) ? 0 : 1;
      const start = next[who] as number;
      if (start >= endMs) break;
      const round = pingRound(start, answers);
      if (round.replies === 0) {
        if (holder !== who) {
          failovers += 1;
          holder = who;
        } else {
          noOpTakeovers += 1;
        }
        next[who] = round.end + m.sleepAfterTakeoverMs + m.sleepMs;
      } else {
        next[who] = round.end + m.sleepMs;
      }
    }
    return { failovers, simulatedMinutes: minutes, other: { noOpTakeovers } };
  },
};
