import type { NodeConfig } from '../../../config/schema';
import type { Holding } from '../../../domain/model';
import type { MoveOptions, MoveOutcome } from '../../../ports/mover';
import { Ec2Mover } from './ec2-mover';
import { readSettled, verifiedOutcome } from './read-back';

/**
 * A resource made of parts that each point at one node: the route in each of several route
 * tables, the association of each of several subnets. A move points every part that is not on
 * the target at it, in the declared order, then reads back until every part shows the target.
 * The holder is the node every part points at; parts that disagree are a split. Its view
 * (`describe()`) is the parts as EC2 shows them now, in the declared order.
 */
export abstract class PartsMover<P> extends Ec2Mover<P[]> {
  async moveTo(node: NodeConfig, options: MoveOptions = {}): Promise<MoveOutcome> {
    const before = await readSettled(
      this.verify,
      () => this.describe(),
      (parts) => parts.every((p) => this.isOn(p, node)),
    );
    const calls: string[] = [];
    for (const part of before) {
      if (this.isOn(part, node)) continue;
      const call = await this.point(part, node, options);
      if (call) calls.push(call);
    }
    return verifiedOutcome({
      resource: this.key,
      verify: this.verify,
      calls,
      before,
      read: () => this.describe(),
      done: (parts) => parts.every((p) => this.isOn(p, node)),
      detail: (parts) => this.holding(parts).detail,
      called: this.called(node),
      describe: this.describeCall,
    });
  }

  /** The Describe call that shows the parts, named in the read-back error. */
  protected abstract readonly describeCall: string;

  /** True when the part already points at the node as the move would point it. */
  protected abstract isOn(part: P, node: NodeConfig): boolean;

  /**
   * Points one part at the node, calling `options.beforeMutation` right before the call.
   * @returns the call made, or undefined when a fresh look showed it already done.
   */
  protected abstract point(part: P, node: NodeConfig, options: MoveOptions): Promise<string | undefined>;

  /** The group's node a part points at, if any. */
  protected abstract ownerOf(part: P): string | undefined;

  /** The parts as text, given each one's owner, e.g. `0.0.0.0/0: rtb-0a -> eni-0b (nat-b)`. */
  protected abstract partsText(parts: readonly P[], owners: readonly (string | undefined)[]): string;

  /** For the read-back error: what was called, e.g. `ReplaceRoute to nat-b (eni-0b)`. */
  protected abstract called(node: NodeConfig): string;

  protected override holding(parts: readonly P[]): Holding {
    const owners = parts.map((p) => this.ownerOf(p));
    const first = owners[0];
    const node = first !== undefined && owners.every((o) => o === first) ? first : undefined;
    const split = node === undefined && parts.length > 1;
    return { resource: this.key, node, detail: `${split ? 'split: ' : ''}${this.partsText(parts, owners)}` };
  }
}
