import { describe, expect, it } from 'vitest';
import { Ec2Error } from '../../../shared/domain/errors';
import { control } from '../../../shared/ops/control';
import { manualFailover } from '../../../shared/ops/manual-failover';
import {
  MetricName,
  type Metrics,
  recordControl,
  recordManualFailover,
} from '../../../shared/runtime/metrics';
import { opsHarness } from './harness';

function recorder(): Metrics & { names: string[] } {
  const names: string[] = [];
  return { names, add: (name) => names.push(name), flush() {} };
}

const refused = () => new Ec2Error('UnauthorizedOperation', 'AssociateAddress refused');

describe('Metrics of operator moves', () => {
  it('counts a failed manual failover in the failed-failover series the alarm watches', async () => {
    const h = await opsHarness();
    h.cloud.moveFailures.push(refused(), refused());
    const result = await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2', requestedBy: 'alice' });
    expect(result.outcome).toBe('failed');
    const metrics = recorder();
    recordManualFailover(metrics, result);
    expect(metrics.names).toEqual([MetricName.FAILED_FAILOVERS]);
  });

  it('counts a successful manual failover as a failover', async () => {
    const h = await opsHarness();
    const metrics = recorder();
    recordManualFailover(metrics, await manualFailover(h.deps, { group: 'web-lb', to: 'lb-2' }));
    expect(metrics.names).toEqual([MetricName.FAILOVERS]);
  });

  it('counts a failed move after a ban in the failed-failover series', async () => {
    const h = await opsHarness();
    h.cloud.moveFailures.push(refused(), refused());
    const result = await control(h.deps, { group: 'web-lb', action: 'ban', node: 'lb-1' });
    expect(result.reconcile).toMatchObject({ outcome: 'failed' });
    const metrics = recorder();
    recordControl(metrics, result);
    expect(metrics.names).toEqual([MetricName.FAILED_FAILOVERS]);
  });
});
