import { ec2Cloud } from '../shared/adapters/aws/ec2-cloud';
import { ec2Stopper } from '../shared/adapters/aws/ec2-stopper';
import type { OpsDeps } from '../shared/ops/deps';
import { silentLog } from '../shared/ports/log';
import { parseArbiterEvent } from '../shared/runtime/arbiter-event';
import { createAfterMove } from '../shared/usecases/after-move';
import { newContainerMemory } from '../shared/usecases/deps';
import { reconcileAll } from '../shared/usecases/reconcile';
import { type Container, newActor, type SimActor } from './actors';
import { MAX_DESCRIBE_LAG_MS, SimEc2 } from './ec2/sim-ec2';
import { SimNotifier } from './notifier';
import { manualFailover } from './operators';
import type { RowChange } from './store/memory-table';
import { ScheduledStore } from './store/scheduled-store';
import type { SimWorld } from './world';

/**
 * The arbiter side: the 1-minute reconcile schedule and the table stream deliver events
 * (possibly late or twice) to one of the arbiter containers; each delivery is one invocation
 * running the real parseArbiterEvent and reconcileAll. Also where invocations are armed to
 * crash and where operators' manual failovers wait for an automatic move to race.
 */
export class Arbiters {
  private readonly pendingCrashes: { afterOps: number; onLease: boolean }[] = [];
  private readonly pendingManuals: { node: number; force: boolean }[] = [];
  /** Start times of the scheduled reconciles that completed after faults stopped. */
  readonly completedSchedules: number[] = [];

  constructor(
    private readonly w: SimWorld,
    readonly containers: readonly Container[],
  ) {}

  /** Wires the table stream and starts the schedule (first tick at 30 s). */
  start(): void {
    this.w.table.onVerdictWrite = (change) => this.deliver('stream', streamEvent(change));
    this.w.sched.after(30_000, 'schedule tick', () => this.scheduleTick());
  }

  /** One of the containers, at random. */
  pickContainer(): Container {
    return this.w.rng.pick(this.containers);
  }

  /** Arms a crash: the next invocation, or the next one that takes the lease, dies at its N-th call. */
  armCrash(afterOps: number, onLease: boolean): void {
    this.pendingCrashes.push({ afterOps: Math.max(1, afterOps), onLease });
  }

  /** Makes an operator's manual failover wait for the next automatic move to take the lease. */
  armManual(node: number, force: boolean): void {
    this.pendingManuals.push({ node, force });
  }

  /** Called when an actor's acquire succeeded: fires what was armed for that moment. */
  onLeaseAcquired(actor: SimActor): void {
    if (!actor.automatic) return;
    // Within 0-3 s: the operator meets the lease, or comes right after the automatic move.
    for (const m of this.pendingManuals.splice(0)) {
      this.w.sched.after(
        this.w.rng.int(0, 3_000),
        'operator acts',
        () => void manualFailover(this.w, m.node, m.force),
      );
    }
    const i = this.pendingCrashes.findIndex((p) => p.onLease);
    if (i < 0) return;
    const [p] = this.pendingCrashes.splice(i, 1);
    if (p) actor.crashAtOp = actor.ops + p.afterOps;
  }

  /** Faults stop: nothing armed fires any more, no stall is pending. */
  quiet(): void {
    this.pendingCrashes.length = 0;
    this.pendingManuals.length = 0;
    for (const c of this.containers) c.pendingStallMs = 0;
  }

  /** The dependencies of one invocation: the actor's own store, EC2 and SNS, on its clock. */
  deps(actor: SimActor): OpsDeps {
    const { w } = this;
    const ec2 = new SimEc2(w, actor).asClient();
    return {
      ...(w.variant.fence
        ? {
            afterMove: createAfterMove({
              stopper: ec2Stopper(ec2),
              // Longer than the model's longest Describe lag, as FENCE_SETTLE_MS is on AWS.
              settle: { ms: MAX_DESCRIBE_LAG_MS + 500, sleep: (ms) => w.sched.sleep(actor, ms) },
            }),
          }
        : {}),
      config: w.config,
      store: new ScheduledStore(w, actor),
      cloud: ec2Cloud(ec2, { attempts: 10, delayMs: 300, sleep: (ms) => w.sched.sleep(actor, ms) }),
      notifier: new SimNotifier(w, actor),
      owner: actor.id,
      // As on Lambda (shared/runtime/container.ts): the container's clock less its proven skew.
      now: () => actor.container?.clock.awsNow() ?? w.clockOf(actor),
      clockSkewMs: () => actor.container?.clock.skewMs,
      awsTimeProven: () => actor.container?.clock.proven() ?? false,
      // Each simulated container's monotonic clock runs at the true rate, whatever its offset.
      monotonic: () => w.sched.now,
      log: silentLog,
      memory: actor.container?.memory ?? newContainerMemory(),
    };
  }

  private scheduleTick(): void {
    const at = this.w.sched.now;
    this.deliver('schedule', { source: 'ha-arbiter.schedule', time: new Date(at).toISOString() });
    this.w.sched.after(60_000, 'schedule tick', () => this.scheduleTick());
    this.w.faults.prune(at);
  }

  private deliver(kind: 'stream' | 'schedule', event: unknown): void {
    const { w } = this;
    const now = w.sched.now;
    const late = w.faults.value('event-late', now);
    const copies = 1 + (w.rng.chance(w.faults.value('event-dup', now)) ? 1 : 0);
    for (let i = 0; i < copies; i += 1) {
      let delay = kind === 'stream' ? w.rng.int(100, 1_500) : w.rng.int(10, 300);
      if (late > 0) delay += w.rng.int(0, late);
      w.sched.after(delay, `deliver ${kind} event${i > 0 ? ' (duplicate)' : ''}`, () =>
        this.invoke(kind, event),
      );
    }
  }

  private invoke(kind: 'stream' | 'schedule', event: unknown): void {
    const { w } = this;
    const container = this.pickContainer();
    const actor = newActor('arbiter', w.actorId(container.id), container);
    const deps = this.deps(actor);
    const trigger = parseArbiterEvent(event, w.config, deps.now());
    if (trigger.kind === 'dropped') {
      w.stats.droppedEvents += 1;
      w.sched.log(actor.id, `dropped: ${trigger.reason}`);
      return;
    }
    const crash = this.pendingCrashes.findIndex((p) => !p.onLease);
    if (crash >= 0) actor.crashAtOp = this.pendingCrashes.splice(crash, 1)[0]?.afterOps;
    w.stats.invocations += 1;
    const startedAt = w.sched.now;
    const timeout = w.variant.arbiterTimeoutMs;
    if (timeout !== null) {
      w.sched.after(timeout, 'Lambda timeout', () => {
        if (!actor.finished) w.sched.crash(actor, 'killed at the Lambda timeout');
      });
    }
    const groups = w.config.groups.filter((g) => trigger.groups.includes(g.id));
    void reconcileAll(deps, groups).then((results) => {
      actor.finished = true;
      for (const r of results) {
        w.stats.outcomes[r.outcome] = (w.stats.outcomes[r.outcome] ?? 0) + 1;
        w.sched.log(actor.id, `reconciled: ${r.action} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`);
      }
      if (kind === 'schedule' && startedAt >= w.quietAt) this.completedSchedules.push(startedAt);
    });
  }
}

let streamSequence = 0;

/**
 * A DynamoDB stream event for one row change, as the event source mapping delivers it (every
 * field the arbiter's schema requires; keys only, which is all it reads).
 */
function streamEvent(change: RowChange): unknown {
  streamSequence += 1;
  return {
    Records: [
      {
        eventID: `sim-${streamSequence}`,
        eventName: change.oldImage ? 'MODIFY' : 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/sim/stream/sim',
        dynamodb: {
          Keys: { pk: { S: change.pk }, sk: { S: change.sk } },
          SequenceNumber: String(streamSequence).padStart(21, '0'),
          SizeBytes: change.pk.length + change.sk.length,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  };
}
