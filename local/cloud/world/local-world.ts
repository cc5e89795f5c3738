import type { DescribeLag } from '../../../ec2-model/consistency';
import type { Ec2Model, InstanceStateListener } from '../../../ec2-model/model';
import type { InstanceRecord, InstanceStateName, StatusCheck } from '../../../ec2-model/records';
import { type AddressView, apiView } from '../../../ec2-model/views';

/** A read-only picture of an instance. */
export type InstanceInfo = Readonly<Omit<InstanceRecord, 'networkInterfaceIds' | 'tags'>> & {
  readonly networkInterfaceIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
};

/**
 * The world as tests and demos use it: address queries on the latest state (what
 * Describe calls converge to; with a Describe lag they may briefly show older
 * answers) plus the few controls EC2 does not offer, such as making a status check fail.
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
  /** Changes how far behind the latest state Describe calls may answer (0: at once). */
  setDescribeLag(lag: DescribeLag): void;
  /** The Describe lag in use. */
  describeLag(): DescribeLag;
  /** Calls `listener` on every instance state change; returns the unsubscribe function. */
  onInstanceState(listener: InstanceStateListener): () => void;
  /** Plain-JSON dump of the whole world. */
  snapshot(): Record<string, unknown>;
}

function info(instance: InstanceRecord): InstanceInfo {
  return structuredClone(instance);
}

/** Wraps the EC2 model for outside use; address queries read the latest state. */
export function localWorld(model: Ec2Model): LocalWorld {
  const world = model.latest;
  return {
    ...apiView(world),
    instance: (id) => {
      const instance = world.instances.get(id);
      return instance ? info(instance) : undefined;
    },
    instances: () => [...world.instances.values()].map(info),
    setInstanceState: (id, state) => model.setInstanceState(id, state),
    setInstanceStatus: (id, status) => model.setInstanceStatus(id, status),
    setEndpoint: (id, endpoint) => model.setEndpoint(id, endpoint),
    setDenied: (key, actions) => model.setDenied(key, actions),
    setDescribeLag: (lag) => model.setDescribeLag(lag),
    describeLag: () => model.describeLag,
    onInstanceState: (listener) => model.onInstanceState(listener),
    snapshot: () => model.snapshot(),
  };
}
