import { describe, expect, it } from 'vitest';
import {
  associateCalls,
  instanceOf,
  sleep,
  snsEvents,
  stackPerTest,
  until,
  waitForAlerts,
} from './stack-helpers';

describe('The local stack', () => {
  const start = stackPerTest();

  it('fails over to the standby when the active node is killed, with one AssociateAddress and one alert', async () => {
    const running = await start();
    expect(running.holder()).toBe('lb-1');
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await until(() => running.holder() === 'lb-2', 20_000, 'the EIP on lb-2');
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 5_000, 'the failover alert');
    await sleep(2_000);
    expect(associateCalls(running)).toBe(1);
    const [alert] = snsEvents(running, 'failover-succeeded');
    expect(alert?.message.subject).toMatch(
      /^\[ha-arbiter\] web-lb: failed over lb-1 -> lb-2 \(http \/healthz ECONNREFUSED from 2\/2 vantages\)$/,
    );
    const caller = running.stack.cloud.audit().find((a) => a.action === 'AssociateAddress')?.caller;
    expect(caller).toBe('arbiter');
  });

  it('fails over when the active node hangs (accepts, never answers): probe timeouts work', async () => {
    const running = await start();
    running.stack.nodes.node(instanceOf(running, 'lb-1')).hang();
    await until(() => running.holder() === 'lb-2', 20_000, 'the EIP on lb-2');
    const [alert] = await waitForAlerts(running, 'failover-succeeded', 1);
    expect(alert?.message.subject).toContain('timeout');
    expect(associateCalls(running)).toBe(1);
  });

  it('moves nothing and alerts exactly once when both nodes are down', async () => {
    const running = await start();
    await running.stack.nodes.node(instanceOf(running, 'lb-2')).kill();
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await waitForAlerts(running, 'no-healthy-target', 1);
    // Several more probe rounds and stream-triggered reconciles: still one alert, no move.
    await sleep(5_000);
    await running.stack.runtime.invoke('arbiter', {
      source: 'ha-arbiter.schedule',
      time: new Date().toISOString(),
    });
    expect(snsEvents(running, 'no-healthy-target')).toHaveLength(1);
    expect(associateCalls(running)).toBe(0);
    expect(running.holder()).toBe('lb-1');
  });

  it('does not fail over repeatedly when a node flaps', async () => {
    const running = await start();
    const lb1 = running.stack.nodes.node(instanceOf(running, 'lb-1'));
    for (let i = 0; i < 4; i += 1) {
      await lb1.kill();
      await sleep(2_500);
      await lb1.revive();
      await sleep(2_500);
    }
    expect(associateCalls(running)).toBe(1);
    expect(snsEvents(running, 'failover-succeeded')).toHaveLength(1);
    expect(running.holder()).toBe('lb-2');
  });
});
