import { directClient } from '../../ec2-model/direct-client';
import { Ec2Model } from '../../ec2-model/model';
import { ec2Cloud } from '../../shared/adapters/aws/ec2-cloud';
import { createMovers } from '../../shared/adapters/aws/movers';
import type { GroupConfig } from '../../shared/config/schema';
import type { Verdict } from '../../shared/domain/model';
import { silentLog } from '../../shared/ports/log';
import type { Notification } from '../../shared/ports/notifier';
import { type ArbiterDeps, newContainerMemory } from '../../shared/usecases/deps';
import { SimMemoryStore } from '../../sim/store/memory-store';
import { buildConfig, buildTopology, SIM_EPOCH, VARIANTS } from '../../sim/topology';

/** Options of the one-group world the focused tests use. */
export interface FixtureOptions {
  /** Runs before each EC2 call lands; throw to make it fail. */
  fail?: (action: string, input: Record<string, unknown>) => void;
  /** Builds the store (given the clock the arbiter reads). */
  store?: (clock: { now: number }) => SimMemoryStore;
}

/**
 * The simulator's default group (n1, n2, n3 behind one Elastic IP, 3 vantages, quorum 2,
 * cooldown 60 s, lease 60 s) on the EC2 model and the simulator's store, with n1 holding the
 * address and reported DOWN by every vantage: the next reconcile fails over to n2.
 */
export function fixture(options: FixtureOptions = {}) {
  const config = buildConfig(VARIANTS[0] as (typeof VARIANTS)[number]);
  const group = config.groups[0] as GroupConfig;
  const clock = { now: SIM_EPOCH + 3_600_000 };
  // Instant Describe answers: these tests script one reconcile at a time.
  const world = new Ec2Model(buildTopology(group), { clock: () => clock.now, describeLag: 0 });
  const store = options.store?.(clock) ?? new SimMemoryStore();
  const ec2 = directClient(world, options.fail ? { before: options.fail } : {});
  const keys = createMovers(group, ec2.client).map((m) => m.key);
  store.table.patchState(group.id, {
    active: 'n1',
    holders: Object.fromEntries(keys.map((k) => [k, 'n1'])),
    moveEpoch: 0,
  });
  const report = async (node: string, up: boolean) => {
    for (const vantage of group.vantages) {
      const v: Verdict = {
        group: group.id,
        vantage,
        node,
        status: up ? 'UP' : 'DOWN',
        since: clock.now - 10_000,
        seenAt: clock.now,
        count: 2,
        evidence: [
          {
            ok: up,
            latencyMs: up ? 3 : 2000,
            at: clock.now,
            ...(up ? {} : { error: 'timeout after 2000 ms' }),
          },
        ],
      };
      await store.putVerdict(v);
    }
  };
  const notes: Notification[] = [];
  const deps: ArbiterDeps = {
    config,
    store,
    cloud: ec2Cloud(ec2.client, {
      attempts: 3,
      delayMs: 100,
      sleep: async (ms) => {
        clock.now += ms;
      },
    }),
    notifier: {
      publish: async (n) => {
        notes.push(n);
      },
    },
    owner: 'arbiter-a',
    now: () => clock.now,
    log: silentLog,
    memory: newContainerMemory(),
  };
  return { config, group, clock, world, store, ec2, deps, notes, report };
}

/** Where the Elastic IP is now, as a node id. */
export function eipHolder(world: Ec2Model, group: GroupConfig): string | undefined {
  const eni = world.latest.addresses.get('eipalloc-0000000000000001')?.association?.networkInterfaceId;
  return group.nodes.find((n) => n.eni === eni)?.id;
}
