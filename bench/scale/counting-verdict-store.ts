import type { Verdict } from '../../shared/domain/model';
import type { VerdictStore } from '../../shared/ports/store';

/**
 * An in-memory VerdictStore that counts what the probe loop writes. It can start from stored
 * verdicts (a warm prober continuing from its previous invocation), so a run measures the
 * steady state rather than the first verdicts of a cold start.
 */
export class CountingVerdictStore implements VerdictStore {
  verdictWrites = 0;
  heartbeatWrites = 0;
  private readonly verdicts = new Map<string, Verdict>();

  constructor(initial: readonly Verdict[] = []) {
    for (const v of initial) this.verdicts.set(`${v.group}/${v.vantage}/${v.node}`, v);
  }

  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    const wanted = new Set(groups);
    return [...this.verdicts.values()].filter((v) => v.vantage === vantage && wanted.has(v.group));
  }

  async putVerdict(verdict: Verdict): Promise<boolean> {
    this.verdictWrites += 1;
    this.verdicts.set(`${verdict.group}/${verdict.vantage}/${verdict.node}`, verdict);
    return true;
  }

  /** One row per vantage (shared/adapters/dynamo/keys.ts), whatever the number of groups. */
  async putHeartbeat(_vantage: string, _at: number): Promise<boolean> {
    this.heartbeatWrites += 1;
    return true;
  }
}
