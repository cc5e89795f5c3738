import type { LocalCloud } from '../cloud/index';
import { type NodeHealth, type NodeServer, startNodeServer } from './node-server';

/** One node server per instance of a local cloud. */
export interface NodeFleet {
  /** The node of an instance; throws for an unknown id. */
  node(instanceId: string): NodeServer;
  all(): NodeServer[];
  close(): Promise<void>;
}

/** Options of {@link startNodeFleet}. */
export interface NodeFleetOptions {
  /**
   * Listen on free ports and point the instances' endpoints at them instead of
   * the topology's fixed ports (what tests want, so runs never collide).
   */
  readonly ephemeralPorts?: boolean;
  /** Kill a node when its instance stops, and revive it when it runs again (default true). */
  readonly followInstanceState?: boolean;
  /** The health check each instance's node answers (default `/healthz`, 200). */
  readonly healthOf?: (instanceId: string) => NodeHealth | undefined;
}

/**
 * Starts a node server for every instance of the cloud that has (or, with ephemeral ports, gets)
 * an endpoint, except the topology's external nodes: those are the user's own processes, already
 * listening where the topology says.
 */
export async function startNodeFleet(cloud: LocalCloud, options: NodeFleetOptions = {}): Promise<NodeFleet> {
  const nodes = new Map<string, NodeServer>();
  const external = new Set(cloud.topology.instances.filter((i) => i.external).map((i) => i.id));
  try {
    for (const instance of cloud.world.instances()) {
      if (external.has(instance.id)) continue;
      if (!options.ephemeralPorts && !instance.endpoint) continue;
      const port = options.ephemeralPorts ? 0 : Number(instance.endpoint?.split(':')[1]);
      const health = options.healthOf?.(instance.id);
      const node = await startNodeServer({
        name: instance.name,
        instanceId: instance.id,
        port,
        ...(health ? { health } : {}),
      });
      nodes.set(instance.id, node);
      if (options.ephemeralPorts) cloud.world.setEndpoint(instance.id, node.endpoint);
    }
  } catch (err) {
    await Promise.all([...nodes.values()].map((n) => n.close()));
    throw err;
  }
  const unsubscribe =
    options.followInstanceState === false
      ? () => {}
      : cloud.world.onInstanceState((instanceId, state) => {
          const node = nodes.get(instanceId);
          if (!node) return;
          if (state === 'stopping' || state === 'stopped') void node.kill();
          else if (state === 'running' && node.status() === 'down') void node.revive();
        });
  return {
    node: (instanceId) => {
      const node = nodes.get(instanceId);
      if (!node)
        throw new Error(
          external.has(instanceId)
            ? `instance ${instanceId} is an external node: the local cloud does not run it`
            : `no node for instance ${instanceId}`,
        );
      return node;
    },
    all: () => [...nodes.values()],
    close: async () => {
      unsubscribe();
      await Promise.all([...nodes.values()].map((n) => n.close()));
    },
  };
}
