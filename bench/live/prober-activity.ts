import type { RuntimeEvent } from '../../local/runtime/runtime';

/**
 * Which probers are running a loop now. Between two loops of a prober there is a pause of a
 * few seconds every minute (the loop stops with a tick's budget to spare before the next
 * scheduled invocation): failures in it are part of the measurement. A loop that started cold
 * can overrun the minute; the schedule then fires while it still runs, and the local runtime,
 * like Lambda with reserved concurrency 1, throttles that tick and retries it (trigger
 * `retry`) with its scheduled time. This counts those retries.
 */
export class ProberActivity {
  private readonly running = new Map<string, number>();
  private readonly known = new Set<string>();
  private readonly loopsMs: number[] = [];
  redelivered = 0;
  /** When the runtime's schedules started (their ticks come every period from then). */
  scheduleStartedAt = 0;

  see(e: RuntimeEvent): void {
    if (!e.fn.startsWith('probe-')) return;
    this.known.add(e.fn);
    // The runtime starts the first loops and its one-minute interval in the same step.
    if (e.type === 'invoke' && e.trigger === 'schedule' && this.scheduleStartedAt === 0)
      this.scheduleStartedAt = e.at;
    if (e.type === 'invoke') {
      if (e.trigger === 'retry') this.redelivered += 1;
      this.running.set(e.fn, e.at);
      return;
    }
    const startedAt = this.running.get(e.fn);
    this.running.delete(e.fn);
    if (startedAt === undefined) return;
    this.loopsMs.push(e.at - startedAt);
  }

  /** True if some prober is between two loops. */
  inGap(): boolean {
    return [...this.known].some((fn) => !this.running.has(fn));
  }

  /** Median length of the loops seen so far (from invocation to result), or `fallback`. */
  typicalLoopMs(fallback: number): number {
    if (this.loopsMs.length === 0) return fallback;
    const sorted = [...this.loopsMs].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  }

  /** Waits until every prober is running a loop (after a redelivery or a normal gap). */
  async waitUntilRunning(timeoutMs: number): Promise<void> {
    await waitUntil(
      () => ([...this.known].every((fn) => this.running.has(fn)) ? true : undefined),
      timeoutMs,
      'every prober to run a loop',
    );
  }
}

async function waitUntil(fn: () => boolean | undefined, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
