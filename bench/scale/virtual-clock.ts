/**
 * A clock for running the real probe loop faster than real time: `sleep` (and `advance`) move
 * the clock forward at once. With `realTime` (the default) time spent working (probing,
 * writing) still passes for real, so a loop that sleeps between ticks runs its ticks back to
 * back and every tick is still measured truly. Without it the clock moves only when told to:
 * a pure simulation that repeats exactly.
 */
export class VirtualClock {
  private offset = 0;
  private readonly origin = Date.now();

  constructor(private readonly realTime = true) {}

  readonly now = (): number => (this.realTime ? Date.now() : this.origin) + this.offset;

  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
  };

  /** Lets `ms` pass on this clock without waiting. */
  advance(ms: number): void {
    this.offset += Math.max(0, ms);
  }
}
