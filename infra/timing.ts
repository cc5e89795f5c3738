import type { ArbiterConfig } from '../shared/config/schema';

/**
 * Prober timeout. The probe loop stops by itself shortly before the time runs out
 * (shared/usecases/probe-loop.ts keeps a reserve for its last writes), so with a schedule every
 * minute one invocation ends before the next begins and reserved concurrency 1 never throttles.
 */
export const PROBER_TIMEOUT_SECONDS = 58;

/** Seconds between the arbiter's timeout and its lease expiry, for an EC2 call still in flight. */
export const LEASE_MARGIN_SECONDS = 10;

/** The arbiter needs at least this long for a read, a lease, moves and read-backs. */
export const MIN_ARBITER_TIMEOUT_SECONDS = 15;

/**
 * Timeout of the functions that hold a group lease (arbiter, failover). It must end before the
 * lease does: EC2 cannot check a fencing token, so the only guarantee that a stalled holder
 * makes no mutation after another arbiter took over is that it is dead by then.
 */
export function leaseHolderTimeoutSeconds(config: ArbiterConfig): number {
  return Math.min(60, config.arbiter.leaseSeconds - LEASE_MARGIN_SECONDS);
}

/** Async invocations: no retries, and drop events older than a minute (a fresher one is coming). */
export const ASYNC_MAX_RETRIES = 0;
export const ASYNC_MAX_EVENT_AGE_SECONDS = 60;
