import { VerdictStatus } from './constants';
import type { ProbeResult, Streak, Verdict } from './model';

const EVIDENCE_KEPT = 3;

/**
 * Rise/fall counting for one (vantage, node): `fall` consecutive failures make it DOWN,
 * `rise` consecutive successes make it UP. A node never seen before has no verdict until
 * one of the two thresholds is reached.
 *
 * The count continues across invocations: the previous invocation leaves the streak it had in
 * progress against the stored verdict on the verdict row (`Verdict.streak`), and the first
 * result here continues it if it comes soon enough after the streak's last probe (within
 * `carryLimitMs`, see streakCarryLimitMs in loop-deadline.ts); otherwise counting starts afresh.
 */
export class VerdictTracker {
  private status: VerdictStatus | undefined;
  private since = 0;
  private fails = 0;
  private successes = 0;
  private lastAt = 0;
  private evidence: ProbeResult[] = [];
  /** The streak the previous invocation left, until the first result here. */
  private readonly carried: Streak | undefined;
  private observed = false;

  constructor(
    readonly group: string,
    readonly vantage: string,
    readonly node: string,
    private readonly fall: number,
    private readonly rise: number,
    previous?: Verdict,
    /** How long after a carried streak's last probe the first probe here may start to continue it. */
    private readonly carryLimitMs = 0,
  ) {
    if (previous) {
      this.status = previous.status;
      this.since = previous.since;
      this.evidence = previous.evidence.slice(-EVIDENCE_KEPT);
      this.carried = previous.streak;
    }
  }

  /** Feeds one result; returns the new verdict if the status changed, else undefined. */
  observe(result: ProbeResult): Verdict | undefined {
    if (!this.observed) {
      this.observed = true;
      this.resume(result.at);
    }
    this.lastAt = result.at;
    this.evidence = [...this.evidence, result].slice(-EVIDENCE_KEPT);
    if (result.ok) {
      this.successes += 1;
      this.fails = 0;
      if (this.status !== VerdictStatus.UP && this.successes >= this.rise) {
        return this.change(VerdictStatus.UP, result.at, this.successes);
      }
    } else {
      this.fails += 1;
      this.successes = 0;
      if (this.status !== VerdictStatus.DOWN && this.fails >= this.fall) {
        return this.change(VerdictStatus.DOWN, result.at, this.fails);
      }
    }
    return undefined;
  }

  /** The current verdict, if any, as of `seenAt`. */
  current(seenAt: number): Verdict | undefined {
    if (this.status === undefined) return undefined;
    return this.verdict(this.status, seenAt, this.status === VerdictStatus.UP ? this.successes : this.fails);
  }

  get consecutiveFailures(): number {
    return this.fails;
  }

  /**
   * The streak in progress against the current verdict: failures while UP, successes while
   * DOWN; undefined when there is none, or no verdict to count against. Before the first
   * result of this invocation, the streak the previous one left, as it was.
   */
  streak(): Streak | undefined {
    if (!this.observed) return this.carried;
    if (this.status === VerdictStatus.UP && this.fails > 0) return this.run(false, this.fails);
    if (this.status === VerdictStatus.DOWN && this.successes > 0) return this.run(true, this.successes);
    return undefined;
  }

  /**
   * Continues the carried streak if it still counts against the verdict and the first probe
   * here (`firstAt`) started within the carry limit of the streak's last probe.
   */
  private resume(firstAt: number): void {
    const s = this.carried;
    if (!s || this.status === undefined || !(s.count > 0)) return;
    if (this.status !== (s.ok ? VerdictStatus.DOWN : VerdictStatus.UP)) return;
    if (!(Math.abs(firstAt - s.at) <= this.carryLimitMs)) return;
    if (s.ok) this.successes = s.count;
    else this.fails = s.count;
    this.evidence = [...this.evidence, ...s.evidence].slice(-EVIDENCE_KEPT);
  }

  private run(ok: boolean, count: number): Streak {
    return { ok, count, at: this.lastAt, evidence: this.evidence.slice(-Math.min(count, EVIDENCE_KEPT)) };
  }

  private change(status: VerdictStatus, at: number, count: number): Verdict {
    this.status = status;
    this.since = at;
    return this.verdict(status, at, count);
  }

  private verdict(status: VerdictStatus, seenAt: number, count: number): Verdict {
    return {
      group: this.group,
      vantage: this.vantage,
      node: this.node,
      status,
      since: this.since,
      seenAt,
      count,
      evidence: [...this.evidence],
    };
  }
}

/** Whether two streaks are the same run (same kind, length and last probe). */
export function sameStreak(a: Streak | undefined, b: Streak | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ok === b.ok && a.count === b.count && a.at === b.at;
}
