import { VerdictStatus } from '../constants';
import type { ProbeResult, Verdict } from '../model';

const EVIDENCE_KEPT = 3;

/**
 * Rise/fall counting for one (vantage, node): `fall` consecutive failures make it DOWN,
 * `rise` consecutive successes make it UP. A node never seen before has no verdict until
 * one of the two thresholds is reached.
 */
export class VerdictTracker {
  private status: VerdictStatus | undefined;
  private since = 0;
  private fails = 0;
  private successes = 0;
  private evidence: ProbeResult[] = [];

  constructor(
    readonly group: string,
    readonly vantage: string,
    readonly node: string,
    private readonly fall: number,
    private readonly rise: number,
    previous?: Verdict,
  ) {
    if (previous) {
      this.status = previous.status;
      this.since = previous.since;
      this.evidence = previous.evidence.slice(-EVIDENCE_KEPT);
    }
  }

  /** Feeds one result; returns the new verdict if the status changed, else undefined. */
  observe(result: ProbeResult): Verdict | undefined {
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
