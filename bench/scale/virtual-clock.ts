/**
 * A clock for running the real probe loop faster than real time: `sleep` (and `advance`) move
 * the clock forward at once, while time spent working (probing, writing) still passes for
 * real. A loop that sleeps between ticks thus runs its ticks back to back, and every tick is
 * still measured truly.
 */
export class VirtualClock {
  private offset = 0;

  readonly now = (): number => Date.now() + this.offset;

  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
  };

  /** Lets `ms` pass on this clock without waiting. */
  advance(ms: number): void {
    this.offset += Math.max(0, ms);
  }
}
