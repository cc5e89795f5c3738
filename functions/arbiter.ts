import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { emfMetrics, recordReadiness, recordReconcile } from '../shared/metrics';
import type { Readiness } from '../shared/readiness/judge';
import { container } from '../shared/runtime/container';
import { parseArbiterEvent } from '../shared/usecases/arbiter-event';
import { type ReconcileResult, reconcileAll } from '../shared/usecases/reconcile';

/** EMF metrics of this container; written at the end of every invocation. */
const metrics = emfMetrics();

/**
 * One correlation id per tick: the scheduled time for the reconcile schedule, the first record
 * for a stream batch, else the request id. Logs of one tick then read together.
 */
export function tickId(event: unknown, requestId: string | undefined): string | undefined {
  const e = event as { time?: unknown; Records?: { eventID?: unknown }[] } | undefined;
  if (typeof e?.time === 'string') return `schedule@${e.time}`;
  const first = Array.isArray(e?.Records) ? e.Records[0]?.eventID : undefined;
  if (typeof first === 'string') return `stream@${first}`;
  return requestId;
}

/** Arbiter: woken by verdict changes (table stream) and by the 1-minute reconcile schedule. */
export async function arbiter(
  event: unknown,
  context?: Pick<Context, 'awsRequestId'>,
): Promise<ReconcileResult[]> {
  const c = container();
  const correlation = tickId(event, context?.awsRequestId);
  if (correlation !== undefined) c.logger.setCorrelationId(correlation);
  const base = c.arbiterDeps(context?.awsRequestId ? `arbiter-${context.awsRequestId}` : undefined);
  const judged = new Map<string, Readiness>();
  const deps = base.readiness
    ? { ...base, readiness: { ...base.readiness, onJudged: (g: string, r: Readiness) => judged.set(g, r) } }
    : base;
  const trigger = parseArbiterEvent(event, c.config, deps.now());
  if (trigger.kind === 'dropped') {
    c.logger.info('event dropped', { reason: trigger.reason });
    return [];
  }
  const groups = c.config.groups.filter((g) => trigger.groups.includes(g.id));
  try {
    const results = await reconcileAll(deps, groups);
    for (const r of results) c.logger.info('reconciled', { trigger: trigger.kind, ...r });
    recordReconcile(metrics, results);
    recordReadiness(metrics, judged, c.config.groups.length);
    return results;
  } finally {
    metrics.flush();
  }
}

export const handler = middy(arbiter).use(injectLambdaContext(container().logger, { resetKeys: true }));
