import { describe, expect, it } from 'vitest';
import {
  associateCalls,
  instanceOf,
  readState,
  sleep,
  snsEvents,
  stackPerTest,
  until,
} from './stack-helpers';

describe('The local stack under faults', () => {
  const start = stackPerTest();

  it('still fails over exactly once when half of all EC2 calls are throttled', async () => {
    // A reconcile whose calls stay throttled after the SDK's retries fails and is tried again
    // by the next one (every minute when deployed; every 2 s here to keep the test short).
    const running = await start({ runtime: { reconcileEverySeconds: 2 } });
    running.stack.cloud.faults.set({ throttleRate: 0.5 });
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await until(() => running.holder() === 'lb-2', 45_000, 'the EIP on lb-2');
    // A move whose call landed but whose read-backs stayed throttled is finished by a later
    // reconcile, which looks twice, Describe's lag apart, before it says the address is moved.
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 30_000, 'the failover alert');
    expect(associateCalls(running)).toBe(1);
    const throttled = running.stack.cloud
      .audit()
      .filter((a) => a.errorCode === 'RequestLimitExceeded').length;
    expect(throttled + associateCalls(running)).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('moves nothing while DynamoDB is down, alerts once, and recovers when it is back', async () => {
    const running = await start({ runtime: { reconcileEverySeconds: 2 } });
    running.stack.dynamo.setAvailable(false);
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await until(() => snsEvents(running, 'store-unavailable').length >= 1, 30_000, 'the store alert');
    await sleep(4_000);
    expect(associateCalls(running)).toBe(0);
    expect(running.holder()).toBe('lb-1');
    const downAlerts = snsEvents(running, 'store-unavailable').filter((e) =>
      e.message.subject?.includes('UNREACHABLE'),
    );
    expect(downAlerts).toHaveLength(1);
    running.stack.dynamo.setAvailable(true);
    // A lease another container left when the outage began is taken over only after a full
    // lease of watching it unchanged (the clock-free lease rule), so the failover may wait that
    // long; a lease this container left is released by its next take.
    await until(() => running.holder() === 'lb-2', 100_000, 'the failover after recovery');
    // Said by the reconcile that made the move, once it is done (the holder changes before).
    await until(
      () =>
        snsEvents(running, 'store-unavailable').some((e) => e.message.subject?.includes('reachable again')),
      10_000,
      'the recovery alert',
    );
    expect(associateCalls(running)).toBe(1);
  }, 180_000);

  it('finishes a failover whose arbiter was killed in the middle of the move', async () => {
    const running = await start({
      config: 'test/e2e/fixtures/short-lease.arbiter.yml',
      runtime: { reconcileEverySeconds: 2 },
    });
    // A slow AssociateAddress gives time to kill the arbiter while the move is in flight.
    running.stack.cloud.faults.set({ latencyMs: { AssociateAddress: 2_000 } });
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await running.watcher.waitFor((e): e is never => e.kind === 'lease' && e.owner !== undefined, 20_000);
    await sleep(300);
    await running.stack.runtime.kill('arbiter');
    // The dead arbiter's lease (10 s) expires; a later reconcile finishes or adopts the move.
    await until(() => running.holder() === 'lb-2', 40_000, 'the EIP on lb-2');
    let recorded: unknown;
    await until(
      () => recorded === 'lb-2',
      40_000,
      'the move recorded in DynamoDB',
      async () => {
        recorded = (await readState(running)).active;
      },
    );
    expect(associateCalls(running)).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
