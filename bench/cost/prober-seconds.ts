import { silentLog } from '../../shared/log';
import { runProbeLoop } from '../../shared/usecases/probe-loop';
import { CountingVerdictStore } from '../scale/counting-verdict-store';
import { scaleConfig, upVerdicts } from '../scale/scale-config';
import { VirtualClock } from '../scale/virtual-clock';

/** The deployed prober timeout (infra/timing.ts PROBER_TIMEOUT_SECONDS). */
export const PROBER_TIMEOUT_SECONDS = 58;

/**
 * How long one prober invocation runs (= is billed) at a given probe interval: the real
 * runProbeLoop on a virtual clock, with each tick taking `tickMs`, until it stops by itself
 * before the timeout. A looping prober is billed for nearly the whole minute whatever the
 * interval up to ~10 s; at 60 s it probes once and returns.
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
    remainingMs: () => timeoutSeconds * 1000 - (clock.now() - start),
    log: silentLog,
  });
  return (clock.now() - start) / 1000;
}
