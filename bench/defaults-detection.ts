import { ASYNC_MAX_EVENT_AGE_SECONDS, PROBER_TIMEOUT_SECONDS } from '../infra/timing';
import { loopRemainingMs, PROBE_SCHEDULE_PERIOD_MS } from '../shared/domain/loop-deadline';
import type { ProbeResult, Verdict } from '../shared/domain/model';
import { silentLog } from '../shared/ports/log';
import { runProbeLoop } from '../shared/usecases/probe-loop';
import type { FailureKind } from './baselines/model';
import { detectionSpanMs } from './detection-span';
import { childSeed, seededRng, uniform } from './rng';
import { CountingVerdictStore } from './scale/counting-verdict-store';
import { scaleConfig, upVerdicts } from './scale/scale-config';
import { VirtualClock } from './scale/virtual-clock';
import { type Summary, summarize } from './stats';

/** Detection of the shipped policy, failures at uniformly random moments of the minute. */
export interface DefaultsDetection {
  intervalSeconds: number;
  timeoutMs: number;
  recheckMs: number;
  fall: number;
  /** interval + (fall - 1) x max(timeout, recheck) + timeout: the worst case (a hang) if probing never paused. */
  boundMs: number;
  crash: Summary;
  hang: Summary;
  /** Share of failures detected later than the bound (they met the end of a loop). */
  laterThanBoundShare: number;
}

/**
 * When the invocation of the tick due at `scheduledAt`, arriving at `arrivesAt`, starts if the
 * previous loop of its prober runs until `busyUntil`: reserved concurrency 1 throttles it, and
 * Lambda retries a throttled asynchronous event 1 s after the first attempt, then at
 * exponentially growing intervals, while the event is younger than the maximum event age
 * (undefined: dropped).
 */
export function throttledStart(
  scheduledAt: number,
  arrivesAt: number,
  busyUntil: number,
): number | undefined {
  let at = arrivesAt;
  for (let backoff = 1_000; at < busyUntil; backoff *= 2) at += backoff;
  return at - scheduledAt <= ASYNC_MAX_EVENT_AGE_SECONDS * 1000 ? at : undefined;
}

/** One vantage's verdict store, recording when each DOWN verdict was written. */
class RecordingStore extends CountingVerdictStore {
  downAt: number | undefined;

  constructor(
    initial: readonly Verdict[],
    private readonly now: () => number,
  ) {
    super(initial);
  }

  override async putVerdict(verdict: Verdict): Promise<boolean> {
    if (verdict.status === 'DOWN' && this.downAt === undefined) this.downAt = this.now();
    return super.putVerdict(verdict);
  }
}

/**
 * When does one vantage write DOWN after a failure at `failAt` ms into a minute? The real
 * runProbeLoop runs on a virtual clock as the deployed prober does: one invocation per
 * scheduled minute (starting `startMs` after the tick, or later if the previous loop still
 * ran), each with the handler's deadline (shortly before the next scheduled invocation, within
 * its timeout) and continuing from the verdicts the previous one stored, with the streak it
 * had in progress at its end (carried on the verdict row, shared/usecases/probe-loop.ts).
 */
async function vantageDetection(
  failAt: number,
  kind: FailureKind,
  policy: { intervalSeconds: number; timeoutMs: number; recheckMs: number; fall: number },
  startMs: number,
): Promise<number> {
  const config = scaleConfig([1, 2], policy.intervalSeconds, 30);
  const group = config.groups[0];
  if (group)
    Object.assign(group.policy, {
      timeoutMs: policy.timeoutMs,
      recheckMs: policy.recheckMs,
      fall: policy.fall,
    });
  const clock = new VirtualClock(false);
  const origin = clock.now();
  const store = new RecordingStore(upVerdicts(config, 'v1'), clock.now);
  for (let minute = 0; minute < 4 && store.downAt === undefined; minute += 1) {
    const scheduledAt = origin + minute * PROBE_SCHEDULE_PERIOD_MS;
    const start = throttledStart(scheduledAt, scheduledAt + startMs, clock.now());
    if (start === undefined) continue;
    if (clock.now() < start) clock.advance(start - clock.now());
    await runProbeLoop({
      config,
      vantage: 'v1',
      store,
      probe: async (_g, node) => {
        const at = clock.now();
        const failed = node.id === 'n0' && at - origin >= failAt;
        if (failed && kind === 'hang') clock.advance(policy.timeoutMs);
        const result: ProbeResult = failed
          ? { ok: false, latencyMs: kind === 'hang' ? policy.timeoutMs : 1, at, error: 'failed' }
          : { ok: true, latencyMs: 1, at };
        return result;
      },
      now: clock.now,
      sleep: clock.sleep,
      remainingMs: loopRemainingMs({
        scheduledAt,
        now: clock.now,
        invocationRemainingMs: () => PROBER_TIMEOUT_SECONDS * 1000 - (clock.now() - start),
      }),
      log: silentLog,
    });
  }
  return (store.downAt ?? Number.NaN) - origin - failAt;
}

/**
 * Detection at a given policy with two vantages and quorum 2: the later of the two vantages'
 * DOWN writes, for failures spread uniformly over a minute (seeded), each vantage's loop
 * starting up to 300 ms after the tick.
 */
export async function defaultsDetection(
  policy: { intervalSeconds: number; timeoutMs: number; recheckMs: number; fall: number },
  samples: number,
  seed: number,
): Promise<DefaultsDetection> {
  const rng = seededRng(childSeed(seed, 'defaults-detection'));
  const out: Record<FailureKind, number[]> = { crash: [], hang: [] };
  for (let i = 0; i < samples; i += 1) {
    const kind: FailureKind = i % 2 === 0 ? 'crash' : 'hang';
    const failAt = uniform(rng, 0, 60_000);
    const a = await vantageDetection(failAt, kind, policy, uniform(rng, 0, 300));
    const b = await vantageDetection(failAt, kind, policy, uniform(rng, 0, 300));
    out[kind].push(Math.max(a, b));
  }
  const boundMs = detectionSpanMs(policy);
  const all = [...out.crash, ...out.hang];
  return {
    ...policy,
    boundMs,
    crash: summarize(out.crash),
    hang: summarize(out.hang),
    laterThanBoundShare: all.filter((d) => d > boundMs + 50).length / Math.max(1, all.length),
  };
}
