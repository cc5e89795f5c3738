import type { Context } from 'aws-lambda';
import { probeNode } from '../shared/adapters/probe/probe-node';
import { loopRemainingMs, scheduledAt } from '../shared/domain/loop-deadline';
import { container } from '../shared/runtime/container';
import { optionalEnv, requireEnv } from '../shared/runtime/env';
import { emfMetrics, recordHeartbeat, recordProbe, recordVerdictChange } from '../shared/runtime/metrics';
import { CorrelationPath, lambdaHandler } from '../shared/runtime/middleware';
import { type ProbeLoopSummary, runProbeLoop } from '../shared/usecases/probe-loop';

/** EMF metrics of this container; logMetrics writes them at the end of every invocation, even a failed one. */
const metrics = emfMetrics();

/**
 * Prober of one vantage point: loops, probing every interval, until shortly before the next
 * scheduled invocation is due (shared/domain/loop-deadline.ts).
 */
export async function probe(
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<ProbeLoopSummary> {
  const c = container();
  const vantage = requireEnv('VANTAGE_ID', 'the vantage point this prober runs in');
  if (!c.config.vantages.some((v) => v.id === vantage)) {
    throw new Error(
      `VANTAGE_ID ${JSON.stringify(vantage)} is not a vantage of the config (known: ${c.config.vantages.map((v) => v.id).join(', ')})`,
    );
  }
  // Per-vantage series cost a custom metric each: only with the stack's `metrics: detailed`.
  const detailed = optionalEnv('METRICS_LEVEL', 'basic') === 'detailed';
  const invokedAt = Date.now();
  const tickAt = scheduledAt(event, invokedAt);
  const summary = await runProbeLoop({
    config: c.config,
    vantage,
    store: c.store,
    probe: probeNode,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    remainingMs: loopRemainingMs({
      scheduledAt: tickAt,
      now: Date.now,
      invocationRemainingMs: () => context.getRemainingTimeInMillis(),
    }),
    log: c.log,
    ...(detailed ? { onResult: (_group, _node, result) => recordProbe(metrics, vantage, result) } : {}),
    onVerdict: (verdict) => recordVerdictChange(metrics, verdict),
    onTick: (_tick, at) => c.logger.setCorrelationId(`${vantage}@${new Date(at).toISOString()}`),
  });
  // The dead-man's switch: only a loop that ran counts as a heartbeat.
  if (detailed && summary.ticks > 0) recordHeartbeat(metrics, vantage);
  c.logger.info('probe loop done', {
    vantage,
    // Delivery and start-up after the schedule tick; several seconds means a retry after a throttle.
    startedLateMs: invokedAt - tickAt,
    ticks: summary.ticks,
    probes: summary.probes,
    verdictWrites: summary.verdictWrites,
    streakWrites: summary.streakWrites,
  });
  return summary;
}

export const handler = lambdaHandler(probe, {
  logger: container().logger,
  correlationIdPath: CorrelationPath.PROBE,
  metrics,
});
