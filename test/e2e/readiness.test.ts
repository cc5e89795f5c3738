import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../shared/ops/status';
import { instanceOf, type Running, snsEvents, stackPerTest, until } from './stack-helpers';

const CONFIG = 'test/e2e/fixtures/readiness.arbiter.yml';

/** One scheduled reconcile of every group, as EventBridge Scheduler sends it. */
async function reconcile(running: Running): Promise<void> {
  await running.stack.runtime.invoke('arbiter', {
    source: 'ha-arbiter.schedule',
    time: new Date().toISOString(),
  });
}

async function readiness(running: Running) {
  const report = (await running.stack.runtime.invoke('status', { group: 'web-lb' })) as StatusReport;
  return report.groups[0]?.readiness;
}

const subjects = (running: Running, event: string) => snsEvents(running, event).map((e) => e.message.subject);

/** Workers boot slowly on a busy machine; the checks below do not depend on it. */
const UP_WITHIN_MS = 90_000;

describe('Readiness on the local stack', () => {
  const start = stackPerTest();

  it('turns not ready within one reconcile when AssociateAddress is denied to the arbiter, says why once, and says ready again once', async () => {
    const running = await start({ config: CONFIG, upWithinMs: UP_WITHIN_MS });
    await reconcile(running);
    expect((await readiness(running))?.status).toBe('ready');
    expect(snsEvents(running, 'not-ready')).toHaveLength(0);

    // What a new SCP or an edited role policy does: the arbiter's key may no longer associate.
    running.stack.cloud.world.setDenied('arbiter', ['AssociateAddress']);
    await reconcile(running);
    expect(subjects(running, 'not-ready')).toEqual([
      '[ha-arbiter] web-lb NOT READY: DryRun AssociateAddress to lb-2 answered UnauthorizedOperation',
    ]);
    const [alert] = snsEvents(running, 'not-ready');
    expect(alert?.message.message).toMatch(
      /^web-lb is NOT READY to fail over: DryRun AssociateAddress to lb-2 answered UnauthorizedOperation \(a policy or SCP change\?\)\.\n/,
    );
    expect(alert?.message.message).toContain('if the holder failed now');
    const status = await readiness(running);
    expect(status?.status).toBe('not-ready');
    expect(status?.reason).toBe(
      'DryRun AssociateAddress to lb-2 answered UnauthorizedOperation (a policy or SCP change?)',
    );
    const text = (await running.stack.runtime.invoke('status', {
      group: 'web-lb',
      format: 'text',
    })) as string;
    expect(text).toContain(
      'readiness: NOT READY: DryRun AssociateAddress to lb-2 answered UnauthorizedOperation',
    );

    // More reconciles, still denied: nothing more is said.
    await reconcile(running);
    await reconcile(running);
    expect(snsEvents(running, 'not-ready')).toHaveLength(1);
    // Nothing was moved by the checks: DryRun only.
    expect(running.holder()).toBe('lb-1');
    expect(running.stack.cloud.audit().filter((a) => a.outcome === 'ok')).toHaveLength(0);

    running.stack.cloud.world.setDenied('arbiter', []);
    await reconcile(running);
    expect(subjects(running, 'ready-again')).toEqual([
      '[ha-arbiter] web-lb is ready to fail over again to lb-2',
    ]);
    await reconcile(running);
    expect(snsEvents(running, 'ready-again')).toHaveLength(1);
    expect(snsEvents(running, 'not-ready')).toHaveLength(1);
    expect((await readiness(running))?.status).toBe('ready');
  }, 180_000);

  it('turns not ready when the standby breaks, and ready again once it is repaired', async () => {
    const running = await start({ config: CONFIG, upWithinMs: UP_WITHIN_MS });
    await reconcile(running);
    const lb2 = running.stack.nodes.node(instanceOf(running, 'lb-2'));
    await lb2.kill();
    await until(
      () => snsEvents(running, 'not-ready').length === 1,
      20_000,
      'the not-ready alert',
      () => reconcile(running),
    );
    const [alert] = snsEvents(running, 'not-ready');
    expect(alert?.message.subject).toMatch(
      // DOWN by quorum, or UNKNOWN while one vantage has counted its falls and the other not yet.
      /^\[ha-arbiter\] web-lb NOT READY: no standby is HEALTHY by quorum: lb-2 is (DOWN|UNKNOWN)/,
    );
    expect(running.holder()).toBe('lb-1');

    await lb2.revive();
    await until(
      () => snsEvents(running, 'ready-again').length === 1,
      20_000,
      'the ready-again alert',
      () => reconcile(running),
    );
    await reconcile(running);
    expect(snsEvents(running, 'not-ready')).toHaveLength(1);
    expect(snsEvents(running, 'ready-again')).toHaveLength(1);
  }, 180_000);
});
