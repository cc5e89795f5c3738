import type { GroupConfig, NodeConfig, ResourceConfig } from '../../shared/config/schema';
import type { Holding, InstanceSignal } from '../../shared/domain/model';
import type { CloudPort } from '../../shared/ports/cloud';
import type { MoveOptions, MoveOutcome, Mover } from '../../shared/ports/mover';

/** The key a real mover would use for a resource (`elastic-ip eipalloc-01`, ...). */
export function resourceKey(r: ResourceConfig): string {
  switch (r.kind) {
    case 'elastic-ip':
      return `elastic-ip ${r.allocationId}`;
    case 'secondary-ip':
      return `secondary-ip ${r.ip}`;
    case 'route':
      return `route ${r.destination}`;
    case 'route-table-association':
      return `route-table-association ${r.subnets.join(',')}`;
  }
}

/**
 * An EC2 stand-in for use-case tests: who holds each resource, what each instance's state is,
 * and a log of mutating calls. Moves can be made to fail, and `onMutation` lets a test act in
 * the middle of a move (another arbiter taking over, say).
 */
export class FakeCloud implements CloudPort {
  /** Resource key -> holding node id (undefined: no node of the group). */
  readonly holders = new Map<string, string | undefined>();
  /** Node id -> EC2 signal. */
  instances: Record<string, InstanceSignal> = {};
  /** Every mutating call made, in order, e.g. `move elastic-ip eipalloc-01 -> lb-2`. */
  readonly mutations: string[] = [];
  /** Errors thrown by the next moves (one per move, in order). */
  readonly moveFailures: Error[] = [];
  /** Errors thrown by the next observe calls. */
  readonly observeFailures: Error[] = [];
  onMutation: ((call: string) => Promise<void> | void) | undefined;
  observeCount = 0;

  /** Puts every resource of the group on `node` (or on none). */
  place(group: GroupConfig, node: string | undefined): void {
    for (const r of group.resources) this.holders.set(resourceKey(r), node);
  }

  async signals(group: GroupConfig): Promise<Record<string, InstanceSignal>> {
    const out: Record<string, InstanceSignal> = {};
    for (const n of group.nodes) {
      const s = this.instances[n.id];
      if (s) out[n.id] = { ...s };
    }
    return out;
  }

  movers(group: GroupConfig): Mover[] {
    return group.resources.map((r) => new FakeMover(this, resourceKey(r)));
  }
}

class FakeMover implements Mover {
  constructor(
    private readonly cloud: FakeCloud,
    readonly key: string,
  ) {}

  async observe(): Promise<Holding> {
    this.cloud.observeCount += 1;
    const failure = this.cloud.observeFailures.shift();
    if (failure) throw failure;
    const node = this.cloud.holders.get(this.key);
    return { resource: this.key, node, detail: node ? `on ${node}` : 'not associated' };
  }

  async moveTo(node: NodeConfig, options: MoveOptions = {}): Promise<MoveOutcome> {
    if (this.cloud.holders.get(this.key) === node.id) {
      return { resource: this.key, changed: false, calls: [], detail: `on ${node.id}` };
    }
    const call = `move ${this.key} -> ${node.id}`;
    await options.beforeMutation?.(call);
    await this.cloud.onMutation?.(call);
    const failure = this.cloud.moveFailures.shift();
    if (failure) throw failure;
    this.cloud.mutations.push(call);
    this.cloud.holders.set(this.key, node.id);
    return { resource: this.key, changed: true, calls: [call], detail: `on ${node.id}` };
  }
}
