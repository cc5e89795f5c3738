import type { ClockSkew } from '../shared/domain/clock-skew';
import type { Lease } from '../shared/domain/model';
import type { GroupSnapshot } from '../shared/ports/store';
import type { ContainerMemory } from '../shared/usecases/deps';
import type { Actor } from './scheduler';

/** An arbiter container: invocations on it share its clock skew and its stalls. */
export interface Container {
  id: string;
  skewMs: number;
  /** Extra delay for the next response to any of its invocations (a stall fault). */
  pendingStallMs: number;
  /** The stall waits for an invocation that holds the lease... */
  stallDuringMove: boolean;
  /** ...and lets this many of its responses through first. */
  stallSkip: number;
  /** What the arbiter code remembers across this container's invocations. */
  memory: ContainerMemory;
  /** Its skew against the simulated AWS, proven from the times the store answers at. */
  clock: ClockSkew;
}

/** A won conditional write that entitles the winner to one notification. */
export interface Win {
  kind: 'lease' | 'health' | 'alert' | 'breaker';
  token: string;
  used: boolean;
}

/** What the simulator tracks about one invocation, to judge its calls. */
export interface SimActor extends Actor {
  container: Container | undefined;
  /** An automatic reconcile (false for an operator). */
  automatic: boolean;
  /** A forced manual failover: exempt from the health invariant. */
  forced: boolean;
  /** The lease the code holds and would act under (last acquire/extend it was told about). */
  lease: Lease | undefined;
  /** The epoch of the last lease this actor acquired. */
  epoch: number | undefined;
  /** The last group snapshot it read, and its own clock then: what its decision was based on. */
  snapshot: GroupSnapshot | undefined;
  snapshotAt: number;
  /** True time that snapshot arrived: when the decision was made. */
  decidedAt: number;
  /** Pinned by an operator's health check: the snapshot the decision was made on. */
  pinned: boolean;
  /** Its last EC2 view of each instance (by instance id). */
  instances: Map<string, { state: string; impaired: boolean; launchTime: number | undefined }>;
  wins: Win[];
  /** Epochs under which this actor already changed the first resource's holder. */
  movedUnder: Set<number>;
  finished: boolean;
  /** The vantage index of a prober. */
  vantage: number | undefined;
}

/** A new actor; the caller makes `id` unique within the episode. */
export function newActor(kind: Actor['kind'], id: string, container?: Container): SimActor {
  return {
    id,
    kind,
    crashed: false,
    ops: 0,
    container,
    automatic: kind === 'arbiter',
    forced: false,
    lease: undefined,
    epoch: undefined,
    snapshot: undefined,
    snapshotAt: 0,
    decidedAt: 0,
    pinned: false,
    instances: new Map(),
    wins: [],
    movedUnder: new Set(),
    finished: false,
    vantage: undefined,
  };
}
