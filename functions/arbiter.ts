import type { Context } from 'aws-lambda';
import type { Readiness } from '../shared/domain/readiness';
import { parseArbiterEvent } from '../shared/runtime/arbiter-event';
import { container } from '../shared/runtime/container';
import { emfMetrics, recordReadiness, recordReconcile } from '../shared/runtime/metrics';
import { CorrelationPath, lambdaHandler } from '../shared/runtime/middleware';
import type { ReconcileResult } from '../shared/usecases/deps';
import { reconcileAll } from '../shared/usecases/reconcile';

/** EMF metrics of this container; logMetrics writes them at the end of every invocation. */
const metrics = emfMetrics();

/** Arbiter: woken by verdict changes (table stream) and by the 1-minute reconcile schedule. */
export async function arbiter(
  event: unknown,
  context?: Pick<Context, 'awsRequestId'>,
): Promise<ReconcileResult[]> {
  const c = container();
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
  const results = await reconcileAll(deps, groups);
  for (const r of results) c.logger.info('reconciled', { trigger: trigger.kind, ...r });
  recordReconcile(metrics, results);
  recordReadiness(metrics, judged, c.config.groups.length);
  return results;
}

export const handler = lambdaHandler(arbiter, {
  logger: container().logger,
  correlationIdPath: CorrelationPath.ARBITER,
  metrics,
});
