import type { ArbiterConfig, GroupConfig } from '../../../shared/config/schema';
import type { OpsDeps } from '../../../shared/ops/deps';
import { silentLog } from '../../../shared/ports/log';
import type { AfterMove } from '../../../shared/usecases/after-move';
import { newContainerMemory } from '../../../shared/usecases/deps';
import { type FakeClock, fakeClock } from '../../helpers/clock';
import { makeConfig, type rawConfig } from '../../helpers/config';
import { FakeCloud } from '../../helpers/fake-cloud';
import { RecordingNotifier } from '../../helpers/notifier';
import { fromAll } from '../../helpers/verdicts';
import { OpsMemoryStore } from './ops-store';

type RawGroup = ReturnType<typeof rawConfig>['groups'][number];

/** A group `web-lb` (lb-1 preferred, lb-2 standby) on a fake cloud, with the store and a fake clock. */
export interface OpsHarness {
  config: ArbiterConfig;
  group: GroupConfig;
  store: OpsMemoryStore;
  cloud: FakeCloud;
  notifier: RecordingNotifier;
  clock: FakeClock;
  deps: OpsDeps;
  /** Every vantage says `status` about `node`, as of now. */
  verdicts: (health: Record<string, 'UP' | 'DOWN'>) => Promise<void>;
}

/**
 * Builds the harness: every instance running (launched long ago), the addresses on `holder`,
 * and, unless told otherwise, lb-1 and lb-2 UP from both vantages.
 */
export async function opsHarness(
  options: {
    policy?: Record<string, unknown>;
    edit?: (group: RawGroup) => void;
    holder?: string;
    health?: Record<string, 'UP' | 'DOWN'>;
    afterMove?: AfterMove;
  } = {},
): Promise<OpsHarness> {
  const config = makeConfig((raw) => {
    const g = raw.groups[0]!;
    g.policy = { ...(options.policy ?? {}) };
    options.edit?.(g);
  });
  const group = config.groups[0]!;
  const clock = fakeClock();
  const store = new OpsMemoryStore();
  const cloud = new FakeCloud();
  const notifier = new RecordingNotifier();
  for (const n of group.nodes) {
    cloud.instances[n.id] = {
      instanceId: n.instanceId,
      state: 'running',
      impaired: false,
      launchTime: clock.now() - 86_400_000,
    };
  }
  const holder = options.holder ?? 'lb-1';
  cloud.place(group, holder);
  store.setState(group.id, {
    active: holder,
    holders: Object.fromEntries(cloud.movers(group).map((m) => [m.key, holder])),
  });
  const deps: OpsDeps = {
    config,
    store,
    cloud,
    notifier,
    owner: 'test-owner',
    now: clock.now,
    log: silentLog,
    memory: newContainerMemory(),
    ...(options.afterMove ? { afterMove: options.afterMove } : {}),
  };
  const verdicts = async (health: Record<string, 'UP' | 'DOWN'>) => {
    for (const [node, status] of Object.entries(health)) {
      for (const v of fromAll(group.vantages, node, status, clock.now())) await store.putVerdict(v);
    }
  };
  await verdicts(options.health ?? Object.fromEntries(group.nodes.map((n) => [n.id, 'UP' as const])));
  return { config, group, store, cloud, notifier, clock, deps, verdicts };
}
