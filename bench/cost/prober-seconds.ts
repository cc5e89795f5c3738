import { PROBER_TIMEOUT_SECONDS } from '../../infra/timing';
import { loopRemainingMs } from '../../shared/domain/loop-deadline';
import { silentLog } from '../../shared/ports/log';
import { runProbeLoop } from '../../shared/usecases/probe-loop';
import { CountingVerdictStore } from '../scale/counting-verdict-store';
import { scaleConfig, upVerdicts } from '../scale/scale-config';
import { VirtualClock } from '../scale/virtual-clock';

export { PROBER_TIMEOUT_SECONDS };

/**
 * How long one prober invocation runs (= is billed) at a given probe interval: the real
 * runProbeLoop on a virtual clock, with each tick taking `tickMs`, given the deadline the
 * deployed handler gives it (functions/probe.ts: shortly before the next scheduled invocation,
 * within the timeout) and starting right on its schedule tick (a later start only shortens the
 * loop, so this is the upper bound). A looping prober is billed for nearly the whole minute
 * whatever the interval up to ~10 s; at 60 s it probes once and returns.
 */
export async function proberSecondsPerInvocation(
  intervalSeconds: number,
  tickMs: number,
  timeoutSeconds = PROBER_TIMEOUT_SECONDS,
): Promise<number> {
  const config = scaleConfig([1, 2], intervalSeconds, 30);
  const clock = new VirtualClock(false);
  const start = clock.now();
  await runProbeLoop({
    config,
    vantage: 'v1',
    store: new CountingVerdictStore(upVerdicts(config, 'v1')),
    probe: async () => {
      clock.advance(tickMs);
      return { ok: true, latencyMs: tickMs, at: clock.now() };
    },
    now: clock.now,
    sleep: clock.sleep,
    remainingMs: loopRemainingMs({
      scheduledAt: start,
      now: clock.now,
      invocationRemainingMs: () => timeoutSeconds * 1000 - (clock.now() - start),
    }),
    log: silentLog,
  });
  return (clock.now() - start) / 1000;
}
