import type { EC2Client } from '@aws-sdk/client-ec2';
import type { NodeConfig } from '../../../config/schema';
import type { Holding } from '../../../domain/model';
import {
  DESCRIBE_SETTLE_MS,
  defaultVerify,
  type MoveOptions,
  type MoveOutcome,
  type Mover,
  type VerifyOptions,
} from '../../../ports/mover';
import { readSettled } from './read-back';

/**
 * What every EC2 mover holds: its key, the group's nodes, the client and the read-back
 * settings. `observe()` is the holding one Describe shows (`V`, the mover's own view of it).
 */
export abstract class Ec2Mover<V> implements Mover {
  protected readonly verify: VerifyOptions;

  constructor(
    readonly key: string,
    protected readonly nodes: readonly NodeConfig[],
    protected readonly ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    this.verify = { ...defaultVerify(), ...verify };
  }

  /*
   * The race this closes (found by an e2e test): the arbiter points both route tables at
   * nat-a and records it; a later Describe answers from before the move, showing the tables
   * split. The reconcile reports a false DRIFT, and when nat-a then dies it sees no holder and
   * "places" the address instead of failing over (no cooldown, a misleading message). A view
   * that contradicts the record may be that lag, so it is believed only when a second look,
   * Describe's lag later, shows the same. A view that agrees costs nothing extra.
   */
  async observe(recorded?: string): Promise<Holding> {
    const first = this.holding(await this.describe());
    if (recorded === undefined || first.node === recorded) return first;
    await this.verify.sleep(this.verify.settleMs ?? DESCRIBE_SETTLE_MS);
    return this.holding(await this.describe());
  }

  abstract moveTo(node: NodeConfig, options?: MoveOptions): Promise<MoveOutcome>;

  /** One Describe of the resource. */
  protected abstract describe(): Promise<V>;

  /** Which node holds the resource in this view, and how it looks. */
  protected abstract holding(view: V): Holding;

  /**
   * The view a move to `node` starts from (readSettled), or the outcome "nothing to do" when
   * the resource is on `node` in both looks.
   */
  protected async startMove(
    node: NodeConfig,
    isOn: (view: V, node: NodeConfig) => boolean,
  ): Promise<{ before: V } | { done: MoveOutcome }> {
    const before = await readSettled(
      this.verify,
      () => this.describe(),
      (v) => isOn(v, node),
    );
    if (!isOn(before, node)) return { before };
    return { done: { resource: this.key, changed: false, calls: [], detail: this.holding(before).detail } };
  }
}
