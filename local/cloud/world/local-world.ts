import type { InstanceRecord, InstanceStateName, StatusCheck } from './model.js';
import { type AddressView, apiView } from './views.js';
import type { InstanceStateListener, World } from './world.js';

/** A read-only picture of an instance. */
export type InstanceInfo = Readonly<Omit<InstanceRecord, 'networkInterfaceIds' | 'tags'>> & {
  readonly networkInterfaceIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
};

/**
 * The world as tests and demos use it: API-view address queries (same answers
 * as Describe calls, at once) plus the few controls EC2 does not offer, such as
 * making a status check fail.
 */
export interface LocalWorld extends AddressView {
  /** One instance, or undefined. */
  instance(instanceId: string): InstanceInfo | undefined;
  /** All instances, in topology order. */
  instances(): InstanceInfo[];
  /** Forces an instance state (e.g. back to `running` after a StopInstances). */
  setInstanceState(instanceId: string, state: InstanceStateName): void;
  /** Makes the instance and/or system status check report `ok` or `impaired`. */
  setInstanceStatus(instanceId: string, status: { instance?: StatusCheck; system?: StatusCheck }): void;
  /** Points an instance at the loopback endpoint its node server actually got (ports chosen at run time). */
  setEndpoint(instanceId: string, endpoint: string | undefined): void;
  /** Replaces the EC2 actions denied to an access key (`*` = all; empty = allow all). */
  setDenied(accessKeyId: string, actions: readonly string[]): void;
  /** Calls `listener` on every instance state change; returns the unsubscribe function. */
  onInstanceState(listener: InstanceStateListener): () => void;
  /** Plain-JSON dump of the whole world. */
  snapshot(): Record<string, unknown>;
}

function info(instance: InstanceRecord): InstanceInfo {
  return structuredClone(instance);
}

/** Wraps the internal world for outside use. */
export function localWorld(world: World): LocalWorld {
  return {
    ...apiView(world),
    instance: (id) => {
      const instance = world.instances.get(id);
      return instance ? info(instance) : undefined;
    },
    instances: () => [...world.instances.values()].map(info),
    setInstanceState: (id, state) => world.setInstanceState(id, state),
    setInstanceStatus: (id, status) => world.setInstanceStatus(id, status),
    setEndpoint: (id, endpoint) => world.setEndpoint(id, endpoint),
    setDenied: (key, actions) => world.setDenied(key, actions),
    onInstanceState: (listener) => world.onInstanceState(listener),
    snapshot: () => world.snapshot(),
  };
}
