import { chance, seededRng, uniform } from '../rng';
import {
  type BaselineModel,
  type BaselineOutcome,
  type Ec2Timing,
  type FailureScenario,
  type FalseFailoverResult,
  undetected,
} from './model';

/**
 * The NAT-instance failover script of seed 004: cron on the standby every 2 minutes; it logs
 * in to each host behind the NAT over SSH and pings an outside address through the NAT; when
 * 3 hosts fail it re-associates the private subnet to the standby's route table, then leaves a
 * lock file that stops further runs until someone removes it. The seed measured ~35 s for a
 * run that switches.
 */
export const NAT_CRON = {
  periodMs: 120_000,
  hosts: 3,
  failingHostsToSwitch: 3,
  /** SSH login to one host. */
  sshMs: 1_000,
  /** One `ping -c 1 -W 10` through the NAT: answered in ~20 ms, or given up after 10 s. */
  pingRttMs: 20,
  pingWaitMs: 10_000,
  /** Subnets re-associated (one ReplaceRouteTableAssociation each, after one Describe). */
  subnets: 1,
} as const;

/** One run: the hosts' checks in turn, how many failed and when the checks ended. */
function checkRun(start: number, ok: (t: number) => boolean): { failing: number; end: number } {
  const c = NAT_CRON;
  let t = start;
  let failing = 0;
  for (let h = 0; h < c.hosts; h += 1) {
    t += c.sshMs;
    if (ok(t)) {
      t += c.pingRttMs;
    } else {
      failing += 1;
      t += c.pingWaitMs;
    }
  }
  return { failing, end: t };
}

export const natCron: BaselineModel = {
  id: 'nat-cron',
  name: 'NAT cron script (every 2 min, 3 failing hosts)',
  assumptions: [
    'cron runs the script on the standby every 2 minutes, at a random phase against the failure (seeded).',
    'Each run logs in to 3 hosts behind the NAT in turn (SSH ~1 s each) and sends one ping through the NAT (`-c 1 -W 10`, an assumption: the seed does not show the ping options); a host fails when its ping is not answered within 10 s.',
    'When all 3 hosts fail it re-associates one private subnet: one Describe (to find the association) + one ReplaceRouteTableAssociation (the injected latencies), then the data-path propagation. With the default latencies a switching run takes 34 s, matching the ~35 s the seed measured.',
    'The check goes through the NAT itself, so both a crash and a hang are detected.',
    'After a switch the lock file stops all further runs until removed by hand; for the false-failover rate the model assumes it is removed at once.',
  ],

  outcome(failure: FailureScenario, ec2: Ec2Timing, seed: number): BaselineOutcome {
    const c = NAT_CRON;
    const rng = seededRng(seed);
    const ok = (t: number) => t < failure.failAt;
    for (let start = uniform(rng, 0, c.periodMs); start < failure.failAt + 3_600_000; start += c.periodMs) {
      const run = checkRun(start, ok);
      if (run.failing < c.failingHostsToSwitch) continue;
      const moved = run.end + c.subnets * (ec2.describeMs + ec2.mutatingMs);
      return {
        detected: true,
        detectMs: run.end - failure.failAt,
        moveMs: moved - failure.failAt,
        outageMs: moved + ec2.propagationMs - failure.failAt,
      };
    }
    return undetected(3_600_000);
  },

  falseFailovers(minutes: number, lossRate: number, _ec2: Ec2Timing, seed: number): FalseFailoverResult {
    const c = NAT_CRON;
    const rng = seededRng(seed);
    const endMs = minutes * 60_000;
    let failovers = 0;
    for (let start = uniform(rng, 0, c.periodMs); start < endMs; start += c.periodMs) {
      const run = checkRun(start, () => !chance(rng, lossRate));
      if (run.failing >= c.failingHostsToSwitch) failovers += 1;
    }
    return { failovers, simulatedMinutes: minutes, other: { lockFilesToClearByHand: failovers } };
  },
};
