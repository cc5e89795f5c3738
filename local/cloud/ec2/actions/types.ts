import type { FaultController } from '../../faults.js';
import type { IdFactory } from '../../util/ids.js';
import type { XmlObject } from '../../util/xml.js';
import type { World } from '../../world/world.js';
import type { Ec2Params } from '../params.js';

/** What an action handler gets for one request. */
export interface ActionContext {
  readonly params: Ec2Params;
  readonly world: World;
  readonly ids: IdFactory;
  readonly faults: FaultController;
}

/** One EC2 API action. */
export interface Ec2Action {
  /** Mutating actions are audited, use the `mutating` latency and feed the data path. */
  readonly mutating: boolean;
  /** Returns the response body (without `requestId`), or throws an `Ec2Error`. */
  run(ctx: ActionContext): XmlObject;
}
