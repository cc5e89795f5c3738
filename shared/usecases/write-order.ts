import type { Verdict } from '../domain/model';
import type { VerdictStore } from '../ports/store';

/*
 * The race this order closes:
 *   t0  the prober writes lb-1 DOWN (seq s1); the request reaches DynamoDB slowly.
 *   t3  the SDK gives up (3 s) and the write stays pending; next tick it writes lb-1 DOWN
 *       again (seq s2 > s1), and later lb-1 UP (seq s3), which both land.
 *   t4  DynamoDB applies the first request at last. Unconditional, it would put DOWN back
 *       over UP until the next change; conditioned on `seq < s1`, it fails and changes nothing.
 *
 * The order is the prober's clock in microseconds-ish units, raised past the last order it
 * wrote or loaded: monotonic within an invocation, and across invocations of the vantage as
 * long as the clocks of its containers agree to better than the pause between invocations
 * (about a second; Lambda hosts keep to a few milliseconds). Starting above every loaded row
 * keeps a container whose clock is behind from being refused its own rows.
 */

/** A per-vantage, monotonic order for verdict writes. */
export class WriteOrder {
  private last: number;

  constructor(
    private readonly now: () => number,
    loaded: readonly Pick<Verdict, 'seq'>[] = [],
  ) {
    this.last = Math.max(0, ...loaded.map((v) => v.seq ?? 0));
  }

  /** The order of the next write: after every order given or loaded before. */
  next(): number {
    this.last = Math.max(Math.floor(this.now() * 1000), this.last + 1);
    return this.last;
  }
}

/**
 * The vantage's VerdictStore with every verdict write stamped with the next `seq` of `order`,
 * so that a write landing late never replaces a newer one (the store refuses it).
 */
export function withWriteOrder(store: VerdictStore, order: WriteOrder): VerdictStore {
  return {
    loadVerdicts: (vantage, groups) => store.loadVerdicts(vantage, groups),
    putVerdict: (verdict) => store.putVerdict({ ...verdict, seq: order.next() }),
    putHeartbeat: (vantage, at) => store.putHeartbeat(vantage, at),
  };
}
