/**
 * How far this process's clock is from AWS's, proven from the `Date` header of AWS responses.
 *
 * The header has one-second resolution and the server stamped it somewhere between our send
 * and our receipt, so one response proves only an interval: the server's time at that moment
 * was in [D, D + 1 s), our clock read somewhere in [sent, received]. Our clock is provably
 * ahead by at least `sent - (D + 1 s)` and provably behind by at least `D - received`. Only
 * that proven part is reported, so network time and the header's rounding never raise a false
 * alarm; a skew above the bound is still seen, short of at most one second plus the round trip.
 */
export class ClockSkew {
  private provenMs = 0;
  private seenAt: number | undefined;
  /** When the latest response arrived, on the monotonic clock. */
  private seenAtMonotonic: number | undefined;

  /**
   * Reads `now` for the local clock and `monotonic` for the age of a measurement (both
   * injected in tests and the simulator).
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** The local clock right before a request is sent. */
  sending(): number {
    return this.now();
  }

  /** A response arrived with this `Date` header (an HTTP date), sent at `sentAt`. */
  observe(sentAt: number, dateHeader: string | undefined): void {
    if (dateHeader === undefined) return;
    const server = Date.parse(dateHeader);
    if (Number.isNaN(server)) return;
    const received = this.now();
    const ahead = sentAt - (server + 1_000);
    const behind = server - received;
    this.provenMs = ahead > 0 ? ahead : behind > 0 ? -behind : 0;
    this.seenAt = received;
    this.seenAtMonotonic = this.monotonic();
  }

  /*
   * Why the arbiter reads this clock and not its own: the lease expiry, `lastFailoverAt`, the
   * breaker window and ban expiries are written by one arbiter and compared by another. Read
   * on each container's own clock, a container 30 s ahead would see every lease expired and
   * every cooldown over (a false DRIFT, a second mover's attempt). Less the proven skew, every
   * container writes and compares in AWS's time, within one second plus a round trip whatever
   * its offset; the lease itself is judged on no wall clock at all (LeaseGuard.take).
   */
  /*
   * Why a correction expires (found by the simulator): a container's clock is 30 s behind, so
   * it reads AWS's time as its clock + 30 s. The host's clock is then set right. The next
   * invocation judges its event's age before any AWS call, with the old correction: the event
   * looks 30 s old and is dropped, no call is made, the correction is never renewed, and the
   * container drops every event from then on. A correction older than SKEW_TRUSTED_MS is no
   * evidence about the clock now, so the clock is read as it is until an answer proves again.
   */
  /** The local clock corrected by the proven skew: AWS's time as far as it is known. */
  awsNow(): number {
    return this.now() - (this.proven() ? this.provenMs : 0);
  }

  /** True while an answer within SKEW_TRUSTED_MS proved the skew (awsNow is AWS's time). */
  proven(): boolean {
    return this.seenAtMonotonic !== undefined && this.monotonic() - this.seenAtMonotonic <= SKEW_TRUSTED_MS;
  }

  /**
   * The proven skew of the latest response in ms (positive: our clock is ahead), or undefined
   * before any response was seen.
   */
  get skewMs(): number | undefined {
    return this.seenAt === undefined ? undefined : this.provenMs;
  }
}

/** How long a proven skew corrects the clock without a newer answer (ClockSkew.awsNow). */
export const SKEW_TRUSTED_MS = 5 * 60_000;

/** Largest clock skew against AWS the lease and cooldown rules are checked for (docs/runbook.md). */
export const MAX_CLOCK_SKEW_MS = 2_000;
