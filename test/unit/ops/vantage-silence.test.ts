import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/ports/log';
import { hearVantages, watchedVantages, watchVantageSilence } from '../../../shared/usecases/vantage-silence';
import { makeConfig } from '../../helpers/config';
import { MemoryStore } from '../../helpers/memory-store';
import { RecordingNotifier } from '../../helpers/notifier';
import { verdict } from '../../helpers/verdicts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function setup() {
  const config = makeConfig();
  const group = config.groups[0]!;
  const store = new MemoryStore();
  const notifier = new RecordingNotifier();
  const deps = { config, store, notifier, log: silentLog };
  /** One reconcile at `now` with az-a last heard `aAge` ms ago and az-c `cAge` ms ago. */
  const tick = async (now: number, aAge: number, cAge: number) => {
    const { state } = await store.readGroup(group.id);
    const verdicts = [
      verdict('az-a', 'lb-1', 'UP', now - aAge),
      verdict('az-a', 'lb-2', 'UP', now - aAge),
      verdict('az-c', 'lb-1', 'UP', now - cAge),
    ];
    await watchVantageSilence(deps, group, { state, verdicts }, now);
  };
  return { config, group, store, notifier, tick };
}

describe('vantage silence', () => {
  it('calls a vantage silent once its newest row is older than staleAfterSeconds', () => {
    const { group } = setup();
    const stale = group.policy.staleAfterSeconds * 1000;
    const hearing = hearVantages(
      group,
      [verdict('az-a', 'lb-1', 'UP', NOW - stale - 1), verdict('az-a', 'lb-2', 'UP', NOW - 5_000)],
      NOW,
    );
    expect(hearing).toEqual([
      { vantage: 'az-a', lastSeenAt: NOW - 5_000, silent: false },
      { vantage: 'az-c', lastSeenAt: undefined, silent: true },
    ]);
  });

  it('alerts once when a vantage goes silent and once when it is back, not on every reconcile', async () => {
    const { notifier, tick, group } = setup();
    const stale = group.policy.staleAfterSeconds * 1000;
    await tick(NOW, 5_000, 5_000);
    expect(notifier.sent).toEqual([]);
    await tick(NOW + 60_000, stale + 1_000, 5_000);
    await tick(NOW + 120_000, stale + 61_000, 5_000);
    await tick(NOW + 180_000, 5_000, 5_000);
    await tick(NOW + 240_000, 5_000, 5_000);
    expect(notifier.of('vantage-silent').map((n) => [n.subject, n.severity])).toEqual([
      ['[ha-arbiter] vantage az-a SILENT: its verdicts no longer count', 'warning'],
      ['[ha-arbiter] vantage az-a reporting again', 'info'],
    ]);
  });

  it('lets only one of two arbiters announce a transition (the alert write is conditional)', async () => {
    const { tick, notifier, group } = setup();
    const stale = group.policy.staleAfterSeconds * 1000;
    await Promise.all([tick(NOW, 5_000, stale + 1), tick(NOW, 5_000, stale + 1)]);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.body).toContain('az-c');
  });

  it('announces a vantage that probes several groups from the first of them only', () => {
    const config = makeConfig((raw) => {
      const second = structuredClone(raw.groups[0]!);
      second.id = 'nat';
      second.nodes = second.nodes.map((n, i) => ({
        ...n,
        id: `nat-${i}`,
        instanceId: `i-1${i}`,
        eni: `eni-1${i}`,
      }));
      second.resources = [{ kind: 'elastic-ip', allocationId: 'eipalloc-02' }];
      raw.groups.push(second);
    });
    expect(watchedVantages(config, config.groups[0]!)).toEqual(['az-a', 'az-c']);
    expect(watchedVantages(config, config.groups[1]!)).toEqual([]);
  });

  it('writes nothing while every vantage stays as the alerts say', async () => {
    const { tick, store } = setup();
    let writes = 0;
    const setAlert = store.setAlert.bind(store);
    store.setAlert = async (...args) => {
      writes += 1;
      return setAlert(...args);
    };
    for (let i = 0; i < 5; i += 1) await tick(NOW + i * 60_000, 5_000, 5_000);
    expect(writes).toBe(0);
  });

  it('tries again on the next reconcile when the alert write fails', async () => {
    const { tick, store, notifier, group } = setup();
    const stale = group.policy.staleAfterSeconds * 1000;
    const setAlert = store.setAlert.bind(store);
    let fail = true;
    store.setAlert = async (...args) => {
      if (fail) {
        fail = false;
        throw new Error('injected');
      }
      return setAlert(...args);
    };
    await tick(NOW, stale + 1, 5_000);
    expect(notifier.sent).toEqual([]);
    await tick(NOW + 60_000, stale + 1, 5_000);
    expect(notifier.sent).toHaveLength(1);
  });
});
