import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { container } from '../shared/runtime/container';
import { parseArbiterEvent } from '../shared/usecases/arbiter-event';
import { reconcileAll, type ReconcileResult } from '../shared/usecases/reconcile';

/** Arbiter: woken by verdict changes (table stream) and by the 1-minute reconcile schedule. */
export async function arbiter(event: unknown, context?: Pick<Context, 'awsRequestId'>): Promise<ReconcileResult[]> {
  const c = container();
  const deps = c.arbiterDeps(context?.awsRequestId ? `arbiter-${context.awsRequestId}` : undefined);
  const trigger = parseArbiterEvent(event, c.config, deps.now());
  if (trigger.kind === 'dropped') {
    c.logger.info('event dropped', { reason: trigger.reason });
    return [];
  }
  const groups = c.config.groups.filter((g) => trigger.groups.includes(g.id));
  const results = await reconcileAll(deps, groups);
  for (const r of results) c.logger.info('reconciled', { trigger: trigger.kind, ...r });
  return results;
}

export const handler = middy(arbiter).use(injectLambdaContext(container().logger, { resetKeys: true }));
