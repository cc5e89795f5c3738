import type { IdFactory } from '../../local/cloud/util/ids';
import type { Ec2Input } from '../input';
import type { InstanceStateName } from '../records';
import type { Ec2State } from '../state';

/** What the model lends an action beyond the state: ids and instance state changes. */
export interface ModelServices {
  readonly ids: IdFactory;
  /** Changes an instance's state in the latest version and tells listeners. */
  setInstanceState(instanceId: string, state: InstanceStateName): void;
  /** Runs `fn` after `ms` (or at once when 0), unless the model is disposed first. */
  later(ms: number, fn: () => void): void;
  /** How long a stopping instance takes to reach `stopped`. */
  stopDelayMs(): number;
}

/** What an action handler gets for one request. */
export interface ActionContext {
  readonly input: Ec2Input;
  /**
   * The state to answer from: the latest for a mutation, a possibly older version
   * for a Describe (eventual consistency).
   */
  readonly state: Ec2State;
  readonly services: ModelServices;
}

/** One EC2 API action. */
export interface Ec2Action {
  /** Mutating actions validate against the latest state and produce a new version. */
  readonly mutating: boolean;
  /** Returns the SDK-shaped output (without `$metadata`), or throws an `Ec2Error`. */
  run(ctx: ActionContext): object;
}
