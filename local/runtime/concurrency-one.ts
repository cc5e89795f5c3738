/** How a scheduled invocation reached the function: on time, or retried after a throttle. */
export type ScheduledTrigger = 'schedule' | 'retry';

/**
 * Asynchronous invocations of a function with reserved concurrency 1, as Lambda handles them:
 * at most one runs at a time; one that arrives while another runs is throttled and retried
 * after 1 s, 2 s, 4 s... until it is older than the maximum event age, then dropped. A retry
 * keeps the event's scheduled time (the prober uses it to end its loop before the next tick).
 */
export class ConcurrencyOne {
  private busy = false;
  /** Deliveries refused because an invocation was running. */
  throttled = 0;
  /** Events dropped because they grew older than the maximum event age. */
  dropped = 0;

  constructor(
    private readonly run: (scheduledAt: number, trigger: ScheduledTrigger) => Promise<unknown>,
    private readonly options: { maxEventAgeMs: number; now?: () => number; stopped?: () => boolean },
  ) {}

  /** Delivers the event scheduled at `scheduledAt` (now, by default). */
  deliver(scheduledAt = this.now(), retryMs = 1_000, trigger: ScheduledTrigger = 'schedule'): void {
    if (this.options.stopped?.()) return;
    if (this.busy) {
      this.throttled += 1;
      if (this.now() + retryMs - scheduledAt < this.options.maxEventAgeMs) {
        setTimeout(() => this.deliver(scheduledAt, retryMs * 2, 'retry'), retryMs).unref();
      } else {
        this.dropped += 1;
      }
      return;
    }
    this.busy = true;
    this.run(scheduledAt, trigger)
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
      });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
