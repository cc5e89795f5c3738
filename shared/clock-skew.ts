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

  /** Reads `now` for the local clock (injected in tests and the simulator). */
  constructor(private readonly now: () => number = Date.now) {}

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
  }

  /*
   * Why the arbiter reads this clock and not its own: the lease expiry, `lastFailoverAt`, the
   * breaker window and ban expiries are written by one arbiter and compared by another. Read
   * on each container's own clock, a container 30 s ahead would see every lease expired and
   * every cooldown over (a false DRIFT, a second mover's attempt). Less the proven skew, every
   * container writes and compares in AWS's time, within one second plus a round trip whatever
   * its offset; the lease itself is judged on no wall clock at all (LeaseGuard.take).
   */
  /** The local clock corrected by the proven skew: AWS's time as far as it is known. */
  awsNow(): number {
    return this.now() - (this.skewMs ?? 0);
  }

  /**
   * The proven skew of the latest response in ms (positive: our clock is ahead), or undefined
   * before any response was seen.
   */
  get skewMs(): number | undefined {
    return this.seenAt === undefined ? undefined : this.provenMs;
  }
}

/** Largest clock skew against AWS the lease and cooldown rules are checked for (docs/runbook.md). */
export const MAX_CLOCK_SKEW_MS = 2_000;
