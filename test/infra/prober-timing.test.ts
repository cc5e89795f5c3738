import { describe, expect, it } from 'vitest';
import { SCHEDULE_RATE } from '../../infra/scheduler';
import { ASYNC_MAX_EVENT_AGE_SECONDS, PROBER_TIMEOUT_SECONDS } from '../../infra/timing';
import { NEXT_INVOCATION_MARGIN_MS, PROBE_SCHEDULE_PERIOD_MS } from '../../shared/domain/loop-deadline';

describe('Prober timing', () => {
  it('counts the loop deadline in the period the schedule really has', () => {
    expect(SCHEDULE_RATE).toBe('rate(1 minute)');
    expect(PROBE_SCHEDULE_PERIOD_MS).toBe(60_000);
  });

  it('sets the timeout above the loop deadline, so the schedule, not the timeout, ends a loop', () => {
    // The loop keeps a 1.5 s reserve before whichever comes first; a timeout under the
    // deadline would cut every loop short of the next invocation.
    expect(PROBER_TIMEOUT_SECONDS * 1000).toBeGreaterThan(
      PROBE_SCHEDULE_PERIOD_MS - NEXT_INVOCATION_MARGIN_MS + 1_500,
    );
  });

  it('keeps a throttled invocation (previous loop still running) for retries within one period', () => {
    expect(ASYNC_MAX_EVENT_AGE_SECONDS * 1000).toBe(PROBE_SCHEDULE_PERIOD_MS);
  });
});
