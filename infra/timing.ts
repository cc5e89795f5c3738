import type { ArbiterConfig } from '../shared/config/schema';
import type { FixedFunction } from './names';

/**
 * Prober timeout, above the one-minute schedule period on purpose. The probe loop does not run
 * until the timeout: it stops shortly before the next scheduled invocation is due, counted from
 * the time its own schedule tick was due (shared/domain/loop-deadline.ts), keeping one tick's
 * probe timeouts and a reserve for its last writes (shared/usecases/probe-loop.ts). So one
 * invocation normally ends before the next begins, and the vantage stops probing only for the
 * changeover. The timeout is a backstop 10 s past the period: a tick whose write stalls gets
 * that long to finish before Lambda kills it, and the loop also keeps its reserve against it.
 * If an invocation still runs when the next one arrives, reserved concurrency 1 throttles the
 * newcomer (never two loops of one vantage at once), and Lambda retries a throttled
 * asynchronous event within the maximum event age (ASYNC_MAX_EVENT_AGE_SECONDS; see
 * shared/domain/loop-deadline.ts for the AWS documentation). A timeout at or under the period
 * would cut every loop at the timeout instead, seconds before the next invocation comes.
 */
export const PROBER_TIMEOUT_SECONDS = 70;

/** Seconds between the arbiter's timeout and its lease expiry, for an EC2 call still in flight. */
export const LEASE_MARGIN_SECONDS = 10;

/** The arbiter needs at least this long for a read, a lease, moves and read-backs. */
export const MIN_ARBITER_TIMEOUT_SECONDS = 15;

/**
 * The functions that take a group lease and move under it: the arbiter, a manual failover, and
 * control (it reconciles right after a ban or reset, and moves off a banned holder).
 */
export const LEASE_HOLDERS: readonly FixedFunction[] = ['arbiter', 'failover', 'control'];

/**
 * Timeout of the functions that hold a group lease (LEASE_HOLDERS). It must end before the
 * lease does: EC2 cannot check a fencing token, so the only guarantee that a stalled holder
 * makes no mutation after another arbiter took over is that it is dead by then.
 */
export function leaseHolderTimeoutSeconds(config: ArbiterConfig): number {
  return Math.min(60, config.arbiter.leaseSeconds - LEASE_MARGIN_SECONDS);
}

/**
 * Async invocations: no retries after a function error, and drop events older than a minute (a
 * fresher one is coming). A throttled event (a prober whose previous loop still runs) is not a
 * function error: Lambda retries it with backoff until it is this old.
 */
export const ASYNC_MAX_RETRIES = 0;
export const ASYNC_MAX_EVENT_AGE_SECONDS = 60;
