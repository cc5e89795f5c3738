/**
 * When a prober's probe loop must stop.
 *
 * One prober invocation is scheduled every minute and loops, probing, until shortly before the
 * next one is due, so that the vantage pauses probing only for the changeover (the last tick's
 * reserve, the margin below, the next invocation's delivery and start-up) instead of for the
 * rest of a minute cut short by the function's timeout. The deadline is anchored on the time
 * the schedule tick was due, not on when this invocation happened to start: an invocation that
 * starts late (a slow delivery, or a retry after a throttle, below) still ends before the next
 * scheduled one, so lateness never carries over from one minute to the next, and a late
 * duplicate of a tick that already ran finds little or no time left.
 *
 * If an invocation is still running when the next one arrives anyway (a write that hangs
 * until the timeout), reserved concurrency 1 throttles the new one: two loops of one vantage
 * never run at once. EventBridge Scheduler invokes Lambda asynchronously
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html), and Lambda
 * returns a throttled asynchronous event to its queue and retries it, from 1 s after the
 * first attempt with exponentially growing intervals, for as long as the maximum event age
 * allows (60 s here; `MaximumRetryAttempts` 0 covers function errors only)
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). The
 * retried invocation then runs the rest of its minute.
 */

/** Period of the probers' schedule (infra/scheduler.ts SCHEDULE_RATE, `rate(1 minute)`). */
export const PROBE_SCHEDULE_PERIOD_MS = 60_000;

/**
 * The loop counts its time as run out this long before the next scheduled invocation is due.
 * The loop itself keeps one tick's probe timeouts and its 1.5 s write reserve in hand before
 * that (shared/usecases/probe-loop.ts), so an invocation normally returns 1.5 s or more before
 * the next one arrives; this margin covers the scheduled time's whole-second precision and a
 * small clock difference between the scheduler and the function.
 */
export const NEXT_INVOCATION_MARGIN_MS = 250;

/**
 * When this invocation's schedule tick was due: the `time` of the scheduled input
 * (`<aws.scheduler.scheduled-time>`, ISO 8601), never later than the invocation's start. A
 * missing or unreadable time (an invocation by hand) means the invocation's start.
 */
export function scheduledAt(event: unknown, invokedAt: number): number {
  const time = (event as { time?: unknown } | null | undefined)?.time;
  const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isFinite(at) ? Math.min(at, invokedAt) : invokedAt;
}

/**
 * The probe loop's `remainingMs`: milliseconds until the next scheduled invocation is due (less
 * the margin), and never more than the invocation itself has left before its timeout, so the
 * loop keeps its reserve for the last writes against whichever comes first.
 */
export function loopRemainingMs(input: {
  /** When this invocation's schedule tick was due (see scheduledAt). */
  scheduledAt: number;
  now: () => number;
  /** What the invocation has left before its timeout (Lambda's getRemainingTimeInMillis). */
  invocationRemainingMs: () => number;
  periodMs?: number;
}): () => number {
  const stopAt = input.scheduledAt + (input.periodMs ?? PROBE_SCHEDULE_PERIOD_MS) - NEXT_INVOCATION_MARGIN_MS;
  return () => Math.min(input.invocationRemainingMs(), stopAt - input.now());
}

/**
 * Allowance in the streak carry limit for the start of the next invocation: the scheduler's
 * delivery, a cold start and loading the stored verdicts.
 */
export const INVOCATION_START_ALLOWANCE_MS = 5_000;

/**
 * How long after the last probe of a streak (consecutive failures while UP, or successes while
 * DOWN) the next invocation's first probe of that node may start for the streak to continue
 * there (shared/domain/verdict-tracker.ts); a later first probe starts counting afresh.
 *
 * The loop returns once the next tick would not leave it `endReserveMs` (one probe timeout per
 * concurrency round and the write reserve) before its stop time, so a node's last probe
 * started less than `intervalMs + endReserveMs` before it; the next invocation is due
 * NEXT_INVOCATION_MARGIN_MS after the stop time and probes as soon as it has started. A
 * normal changeover therefore leaves less than `intervalMs + endReserveMs + margin + start-up`
 * between two probes of a node, against `intervalMs` inside a loop. The limit is that plus one
 * more interval of slack:
 *
 *   2 x intervalMs + endReserveMs + NEXT_INVOCATION_MARGIN_MS + INVOCATION_START_ALLOWANCE_MS
 *
 * (12.25 s at the defaults: 2 s interval, 1.5 s timeout, one round). Only a missed or delayed
 * invocation (throttled and retried, or dropped until the next minute) goes past it; the node
 * then went unobserved for much longer than a changeover, and results from before that gap no
 * longer make a run of "consecutive" results with the ones after it.
 */
export function streakCarryLimitMs(intervalMs: number, endReserveMs: number): number {
  return 2 * intervalMs + endReserveMs + NEXT_INVOCATION_MARGIN_MS + INVOCATION_START_ALLOWANCE_MS;
}
