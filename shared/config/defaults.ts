/**
 * Every default of the config file, in one place. docs/config.md mirrors this table;
 * a test keeps the two in step.
 */
export const POLICY_DEFAULTS = {
  /**
   * Seconds between two steady probes of a node from one vantage point. The wait for the next
   * probe is the one term of detection that no recheck shortens, so it is 1 s: a refused
   * connection is seen within 1.6 s (fall 3, rechecks 300 ms apart), a hang within 4 s
   * (docs/config.md). The prober runs for the whole minute whatever the interval, so probing
   * every second costs the same as every 5 s; under 5% random probe loss it made no false
   * failover in the bench's simulation (docs/bench.md).
   */
  intervalSeconds: 1,
  /**
   * Probe timeout in milliseconds; must be below intervalSeconds * 1000. A hung node is seen
   * only after one timeout per probe, fall times over (docs/config.md, detection bounds): 800 ms
   * keeps a hang's detection within 4 s at fall 3. A node in the same VPC answers in
   * milliseconds; the cost is that a dropped SYN (retransmitted after 1 s) now fails the probe,
   * which is the probe loss fall 3 and quorum absorb (docs/bench.md, false failovers).
   */
  timeoutMs: 800,
  /**
   * Milliseconds between the end of a probe that starts or continues a streak (a failure on an
   * UP node, a success on a DOWN one) and the recheck of that node, until fall/rise is reached
   * or the streak breaks. The steady interval is unchanged.
   */
  recheckMs: 300,
  /** Consecutive failures before a vantage says DOWN. */
  fall: 3,
  /** Consecutive successes before a vantage says UP again. */
  rise: 2,
  /** Vantage points that must agree before a node counts as DOWN (or HEALTHY). */
  quorum: 2,
  /** A vantage's verdicts older than this (no heartbeat) are ignored. */
  staleAfterSeconds: 90,
  /** Minimum seconds between two automatic failovers of one group. */
  cooldownSeconds: 60,
  /** `manual`: the address stays where it is (sticky); `auto`: moves back to the preferred node. */
  failback: 'manual',
  /** With failback auto: seconds of continuous quorum health before failing back. */
  holdDownSeconds: 300,
  /** Circuit breaker: more than maxFailovers in windowSeconds makes the group observe-only. */
  breaker: { maxFailovers: 3, windowSeconds: 3600 },
  /** `active` moves addresses; `observe` decides and notifies "would fail over" only. */
  mode: 'active',
  /** Seconds after an instance launch during which its failures do not count. */
  graceSeconds: 120,
  /** `stop`: StopInstances on the failed node after a successful move. */
  fence: 'none',
  /** What to do when EC2 shows a holder other than the recorded one: `repair` or `report`. */
  drift: 'repair',
} as const;

export const ARBITER_DEFAULTS = {
  /** Lease length; longer than the arbiter timeout plus the worst SDK time. */
  leaseSeconds: 60,
  /** History rows expire after this many days (DynamoDB TTL). */
  historyTtlDays: 30,
  /** Probers write their heartbeat row (one per vantage, for all its groups) at most this often. */
  heartbeatSeconds: 30,
  /** Probes in flight at once per prober. */
  probeConcurrency: 64,
  /** Scheduled events older than this are dropped as late deliveries. */
  maxEventAgeSeconds: 30,
  /**
   * The readiness checks that call EC2 (DryRun of every move to the standby) run at most this
   * often per group; the rest of readiness is judged on every reconcile. 0: every reconcile.
   */
  readinessCheckSeconds: 300,
} as const;

export const HTTP_CHECK_DEFAULTS = {
  method: 'GET',
  path: '/',
  expectStatus: '200-399',
  tls: false,
  insecureSkipTlsVerify: false,
} as const;
