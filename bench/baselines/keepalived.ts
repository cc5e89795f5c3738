import { chance, type Rng, seededRng, uniform } from '../rng';
import type {
  BaselineModel,
  BaselineOutcome,
  Ec2Timing,
  FailureScenario,
  FalseFailoverResult,
} from './model';

/**
 * keepalived with an Elastic IP notify script, as NGINX's AWS deployment guide sets it up
 * (docs/bench.md cites the sources): two nodes, VRRP over unicast with `advert_int 1`,
 * priorities 101 (primary) and 100 (backup), a `vrrp_script` every 3 s with weight 50, and a
 * notify script that, on the transition to MASTER, looks the peer and the address up with the
 * AWS CLI and moves the address with disassociate-address + associate-address.
 */
export const KEEPALIVED = {
  advertIntMs: 1_000,
  backupPriority: 100,
  /** The guide's vrrp_script interval (`interval 3`); fall is keepalived's default, 1. */
  scriptIntervalMs: 3_000,
  scriptFall: 1,
  /**
   * How long a check of a hung service takes to fail. The guide's check script asks only
   * whether the nginx process runs (`service nginx status`) and would never see a hang; the
   * model credits keepalived with an HTTP check that gives up after 1 s.
   */
  scriptHangTimeoutMs: 1_000,
  /** The notify script's AWS CLI calls: describe-instances and describe-addresses twice... */
  notifyDescribeCalls: 3,
  /** ...then disassociate-address and associate-address. */
  notifyMutatingCalls: 2,
  /**
   * The guide reports that the address took five to six seconds to move in most of its tests.
   * At the default injected latencies (3 Describe + 2 mutating calls = 2.5 s) the rest is the
   * script's own overhead (five AWS CLI start-ups, the JSON parsing in Python), drawn so that
   * the total is that 5-6 s; the injected latencies are added on top.
   */
  notifySeedMs: [5_000, 6_000] as const,
  seedApiMs: 3 * 300 + 2 * 800,
} as const;

/**
 * VRRP's Master_Down_Interval (RFC 3768 section 6.1): 3 x Advertisement_Interval + Skew_Time,
 * with Skew_Time = (256 - Priority) / 256 s for the backup's priority.
 */
export function masterDownIntervalMs(advertIntMs: number, backupPriority: number): number {
  return 3 * advertIntMs + ((256 - backupPriority) / 256) * 1_000;
}

const MASTER_DOWN_MS = masterDownIntervalMs(KEEPALIVED.advertIntMs, KEEPALIVED.backupPriority);

/** The last advertisement the master sent at or before `t`, adverts at `phase + k x advert_int`. */
function lastAdvertAt(t: number, phase: number): number {
  const k = Math.floor((t - phase) / KEEPALIVED.advertIntMs);
  return phase + k * KEEPALIVED.advertIntMs;
}

/** The notify script from its start to associate-address returning. */
function notifyMs(ec2: Ec2Timing, rng: Rng): number {
  const k = KEEPALIVED;
  const overhead = uniform(rng, k.notifySeedMs[0] - k.seedApiMs, k.notifySeedMs[1] - k.seedApiMs);
  return overhead + k.notifyDescribeCalls * ec2.describeMs + k.notifyMutatingCalls * ec2.mutatingMs;
}

export const keepalived: BaselineModel = {
  id: 'keepalived',
  name: 'keepalived + EIP notify script (advert_int 1)',
  assumptions: [
    'VRRP with `advert_int 1` over unicast, priorities 101 and 100 as in NGINX’s AWS guide: the backup takes over when it has accepted no advertisement for Master_Down_Interval = 3 x advert_int + Skew_Time = 3.61 s at priority 100 (seeded advertisement phase).',
    'A crash is the node going silent (no more advertisements): takeover 2.6-3.6 s after it, depending on when the last advertisement went out.',
    'A hang is seen by the `vrrp_script` (every 3 s, weight 50, fall 1, as in the guide), credited with an HTTP check that fails after 1 s (the guide’s own check only asks whether the process runs and would never see a hang). The master then advertises priority 101 against the backup’s 150; per VRRP the backup discards those advertisements and takes over when Master_Down_Interval has passed since the last higher one.',
    'The notify script on the new master: three AWS CLI Describe calls, then disassociate-address and associate-address (the injected latencies), plus the script’s own overhead so that the total is the 5-6 s the guide reports; then the data-path propagation.',
    'False failovers: each advertisement is lost with the run’s probe loss; three lost in a row let the backup’s timer expire. The backup takes the address, then yields to the next advertisement of the higher priority and its BACKUP notify moves the address back: two needless moves per event. The health script runs locally and sees no network loss.',
  ],

  outcome(failure: FailureScenario, ec2: Ec2Timing, seed: number): BaselineOutcome {
    const k = KEEPALIVED;
    const rng = seededRng(seed);
    const phase = uniform(rng, 0, k.advertIntMs);
    let lastAccepted: number;
    if (failure.kind === 'crash') {
      lastAccepted = lastAdvertAt(failure.failAt, phase);
    } else {
      // The script runs every interval (seeded phase); fall 1 = the first run after the hang.
      const first = failure.failAt + uniform(rng, 0, k.scriptIntervalMs);
      const failedAt = first + (k.scriptFall - 1) * k.scriptIntervalMs + k.scriptHangTimeoutMs;
      lastAccepted = lastAdvertAt(failedAt, phase);
    }
    const takeover = lastAccepted + MASTER_DOWN_MS;
    const moved = takeover + notifyMs(ec2, rng);
    return {
      detected: true,
      detectMs: takeover - failure.failAt,
      moveMs: moved - failure.failAt,
      outageMs: moved + ec2.propagationMs - failure.failAt,
    };
  },

  falseFailovers(minutes: number, lossRate: number, _ec2: Ec2Timing, seed: number): FalseFailoverResult {
    const rng = seededRng(seed);
    const endMs = minutes * 60_000;
    let lastAccepted = 0;
    let takeovers = 0;
    for (let t = KEEPALIVED.advertIntMs; t < endMs; t += KEEPALIVED.advertIntMs) {
      if (chance(rng, lossRate)) continue;
      if (t - lastAccepted > MASTER_DOWN_MS) takeovers += 1;
      lastAccepted = t;
    }
    return { failovers: 2 * takeovers, simulatedMinutes: minutes, other: { needlessTakeovers: takeovers } };
  },
};
