import type { CloudPort } from '../shared/cloud';
import type { ArbiterConfig, GroupConfig } from '../shared/config/schema';
import { silentLog } from '../shared/log';
import { emptyState } from '../shared/model';
import type { GroupStore } from '../shared/store/ports';
import { reconcileAll } from '../shared/usecases/reconcile';

/**
 * The arbiter keeps a little memory per Lambda container (the groups whose table it saw
 * down, to say so once). In the simulator every arbiter shares one process, so that memory
 * would leak from one episode into the next and a replayed episode would not run the same.
 * A reconcile that succeeds against an empty, always-answering store clears it, through the
 * public entry point, before each episode.
 */
export async function forgetContainerMemory(config: ArbiterConfig, group: GroupConfig): Promise<void> {
  const store = new Proxy({} as GroupStore, {
    get: (_target, name) =>
      name === 'readGroup' ? async () => ({ state: emptyState(group.id), verdicts: [] }) : async () => false,
  });
  const cloud: CloudPort = { signals: async () => ({}), movers: () => [] };
  await reconcileAll(
    {
      config,
      store,
      cloud,
      notifier: { publish: async () => undefined },
      owner: 'memory-reset',
      now: () => 0,
      log: silentLog,
    },
    [group],
  );
}
