import type { GroupConfig } from '../shared/config/schema';
import { DEAD_INSTANCE_STATES, type EventType, VerdictStatus } from '../shared/domain/constants';
import type { GroupState } from '../shared/domain/model';
import type { Notification } from '../shared/ports/notifier';
import type { SimActor, Win } from './actors';

/** The properties checked after every step. docs/simulation.md defines each precisely. */
export const Invariant = {
  /** Every EC2 mutation lands while its caller's lease epoch is the store's current epoch. */
  LEASE_EXCLUSIVE: 'lease-exclusive-mutations',
  /** An automatic (or unforced manual) move goes only to a node its decision saw HEALTHY by quorum. */
  HEALTHY_TARGET: 'move-only-to-quorum-healthy-node',
  /** Observe mode never mutates. */
  OBSERVE_ONLY: 'observe-mode-never-mutates',
  /**
   * Two failovers the arbiter makes on its own were decided at least a cooldown apart (less the
   * clock skew allowance), unless an operator reset the counters in between.
   */
  COOLDOWN: 'one-failover-per-cooldown',
  /** After faults stop, the recorded holders equal EC2's within 2 reconciles. */
  NO_LOST_STATE: 'recorded-state-converges',
  /** After faults stop, every resource is on one healthy node within 2 reconciles, if one exists. */
  CONVERGENCE: 'converges-to-healthy-holder',
  /** At most one notification per transition (per won conditional write). */
  ONE_NOTIFICATION: 'one-notification-per-transition',
  /** A fencing stop never hits the node that holds the address. */
  FENCE: 'fence-never-stops-holder',
  /** The code made an EC2 call the model does not implement (a gap in the simulator). */
  MODEL: 'ec2-model-covers-calls',
} as const;
export type Invariant = (typeof Invariant)[keyof typeof Invariant];

export interface Violation {
  invariant: Invariant;
  /** Simulated milliseconds since the episode started. */
  atMs: number;
  step: number;
  message: string;
}

/** Largest difference between two arbiters' clocks (each is within ±2 s of true time). */
export const MAX_SKEW_DIFF_MS = 4_000;

/** What the checker needs to know about the world (the simulator's truth, not a view). */
export interface Truth {
  readonly group: GroupConfig;
  now(): number;
  readonly startedAt: number;
  step(): number;
  /** The store's state item as it is now. */
  recorded(): GroupState;
  /** The node holding each resource now (undefined: none of the group's; 'split': parts on different nodes). */
  holders(): (string | undefined)[];
  resourceKeys(): readonly string[];
  trulyHealthy(node: string): boolean;
  /** The node an EC2 mutation moves something to (or stops), if any. */
  targetOf(action: string, input: Record<string, unknown>): string | undefined;
}

/**
 * Which won conditional write entitles an arbiter to each notification (null: not a
 * deduplicated transition). Exhaustive, so a new event type must be classified here.
 */
const WIN_OF_EVENT: Record<EventType, Win['kind'] | null> = {
  'node-down': 'health',
  'node-up': 'health',
  'no-healthy-target': 'alert',
  'would-fail-over': 'alert',
  'drift-found': 'alert',
  'ban-ended': 'alert',
  'vantage-silent': 'alert',
  'breaker-open': 'breaker',
  'failover-succeeded': 'lease',
  'failover-failed': 'lease',
  'drift-repaired': 'lease',
  'placement-recorded': 'lease',
  'clock-skew': 'alert',
  // Operator actions are told once per request; a table outage once per container.
  manual: null,
  control: null,
  'store-unavailable': null,
  // Readiness changes open or close the `not-ready` alert with a conditional write.
  'not-ready': 'alert',
  'ready-again': 'alert',
  // A drill is an operator action (or its schedule), told once per request.
  drill: null,
};

/** Checks the invariants as the simulation runs; the first violation ends the episode. */
export class Invariants {
  readonly violations: Violation[] = [];
  private lastAutoFailover: number | undefined;
  private readonly notified = new Map<string, number>();

  constructor(private readonly t: Truth) {}

  get failed(): boolean {
    return this.violations.length > 0;
  }

  /** Called when an EC2 mutation lands, before it takes effect. */
  onMutation(
    actor: SimActor,
    action: string,
    input: Record<string, unknown>,
    storeEpoch: number,
    storeOwner?: string,
  ): void {
    const { group } = this.t;
    const lease = actor.lease;
    if (!lease) {
      this.fail(
        Invariant.LEASE_EXCLUSIVE,
        `${actor.id} made ${action} without holding the lease (store epoch ${storeEpoch})`,
      );
    } else if (lease.epoch !== storeEpoch) {
      this.fail(
        Invariant.LEASE_EXCLUSIVE,
        `${actor.id} made ${action} under epoch ${lease.epoch}, but the store's epoch is ${storeEpoch} (held by ${storeOwner ?? 'nobody'})`,
      );
    }
    if (group.policy.mode === 'observe' && actor.automatic) {
      this.fail(Invariant.OBSERVE_ONLY, `${actor.id} made ${action} in observe mode`);
    }
    const target = this.t.targetOf(action, input);
    if (action === 'StopInstances') {
      if (target !== undefined && this.t.holders().includes(target)) {
        this.fail(Invariant.FENCE, `${actor.id} stopped ${target}, which holds the address`);
      }
      return;
    }
    if (target === undefined || actor.forced) return;
    const why = this.unhealthyInDecision(actor, target);
    if (why) this.fail(Invariant.HEALTHY_TARGET, `${actor.id} moved ${action} to ${target}, but ${why}`);
  }

  /** Called when a mutation changed the holder of the group's first resource. */
  onHolderChange(actor: SimActor, from: string | undefined, to: string | undefined): void {
    const cooldownMs = this.t.group.policy.cooldownSeconds * 1000;
    if (!actor.automatic || to === undefined || actor.epoch === undefined) return;
    // A move back to the recorded holder is a drift repair, which the cooldown does not cover.
    if (actor.snapshot?.state.active === to) return;
    if (actor.movedUnder.has(actor.epoch)) return;
    actor.movedUnder.add(actor.epoch);
    // A failover counts from when it was decided (its re-check under the lease): the cooldown
    // runs from a failover's start, since an arbiter that dies mid-move can write nothing later.
    const decided = actor.decidedAt;
    if (this.lastAutoFailover !== undefined && cooldownMs > 0) {
      const gap = decided - this.lastAutoFailover;
      if (gap < cooldownMs - MAX_SKEW_DIFF_MS) {
        this.fail(
          Invariant.COOLDOWN,
          `${actor.id} decided to fail over ${from ?? '(none)'} -> ${to} ${(gap / 1000).toFixed(1)} s after the previous automatic failover was decided (cooldown ${cooldownMs / 1000} s)`,
        );
      }
    }
    this.lastAutoFailover = decided;
  }

  /** Called when an operator's reset lands: it forgets recent failovers, cooldown included, on purpose. */
  onReset(): void {
    this.lastAutoFailover = undefined;
  }

  /** Called when SNS accepts a notification. */
  onNotification(actor: SimActor, note: Notification): void {
    const kind = WIN_OF_EVENT[note.event];
    if (!kind) return;
    const win = [...actor.wins].reverse().find((w) => w.kind === kind && !w.used);
    if (!win) {
      this.fail(
        Invariant.ONE_NOTIFICATION,
        `${actor.id} sent "${note.event}" without having won a transition: ${note.subject}`,
      );
      return;
    }
    win.used = true;
    const key = `${note.group}|${note.event}|${win.token}`;
    const count = (this.notified.get(key) ?? 0) + 1;
    this.notified.set(key, count);
    if (count > 1) this.fail(Invariant.ONE_NOTIFICATION, `${count} notifications for ${key}`);
  }

  /**
   * The quiet-phase checks, called only when faults have stopped, two reconciles have
   * completed since and no lease is held (no move is in progress).
   */
  checkConverged(breakerOpen: boolean): void {
    const { group } = this.t;
    const holders = this.t.holders();
    const keys = this.t.resourceKeys();
    const recorded = this.t.recorded();
    const now = this.t.now();
    const cannotMove = group.policy.mode === 'observe' || breakerOpen || recorded.paused;
    const banned = (id: string) => {
      const until = recorded.bans[id];
      return until !== undefined && (until === 0 || until > now);
    };
    const eligible = group.nodes.filter((n) => this.t.trulyHealthy(n.id) && !banned(n.id)).map((n) => n.id);
    // When nothing may or can move, drift is reported (an open alert) instead of repaired.
    const reported = (cannotMove || eligible.length === 0) && recorded.alerts.drift !== undefined;
    keys.forEach((key, i) => {
      const actual = holders[i];
      const rec = recorded.holders[key] || undefined;
      if (rec !== actual && !reported) {
        this.fail(
          Invariant.NO_LOST_STATE,
          `${key} is on ${actual ?? '(none)'} but the store records ${rec ?? '(none)'}`,
        );
      }
    });
    if (recorded.active !== holders[0] && !reported) {
      this.fail(
        Invariant.NO_LOST_STATE,
        `the first resource is on ${holders[0] ?? '(none)'} but the store records active ${recorded.active ?? '(none)'}`,
      );
    }
    if (cannotMove) return;
    const first = holders[0];
    if (eligible.length === 0) {
      const holderServes = first !== undefined && this.t.trulyHealthy(first);
      if (!holderServes && recorded.alerts['no-healthy-target'] === undefined) {
        this.fail(
          Invariant.CONVERGENCE,
          'no node can take the address but no "no healthy target" alert is open',
        );
      }
      return;
    }
    if (first === undefined || !eligible.includes(first) || holders.some((h) => h !== first)) {
      this.fail(
        Invariant.CONVERGENCE,
        `resources are on [${holders.map((h) => h ?? '(none)').join(', ')}] while ${eligible.join(', ')} ${eligible.length > 1 ? 'are' : 'is'} healthy and not banned`,
      );
    }
  }

  /** Records a violation found outside the checks above (e.g. no convergence at all). */
  fail(invariant: Invariant, message: string): void {
    this.violations.push({ invariant, atMs: this.t.now() - this.t.startedAt, step: this.t.step(), message });
  }

  /** Why the target was not HEALTHY by quorum in the snapshot this actor decided on, if so. */
  private unhealthyInDecision(actor: SimActor, target: string): string | undefined {
    const { group } = this.t;
    const snapshot = actor.snapshot;
    if (!snapshot) return 'it never read the verdicts';
    const at = actor.snapshotAt;
    const node = group.nodes.find((n) => n.id === target);
    const view = node ? actor.instances.get(node.instanceId) : undefined;
    const inGrace = view?.launchTime !== undefined && at - view.launchTime < group.policy.graceSeconds * 1000;
    if (view && DEAD_INSTANCE_STATES.has(view.state))
      return `its last EC2 view said ${target} is ${view.state}`;
    const ban = snapshot.state.bans[target];
    if (ban !== undefined && (ban === 0 || ban > at)) return `${target} was banned in the state it read`;
    if (view?.impaired && !inGrace) return `its last EC2 view said ${target} is impaired`;
    const staleBefore = at - group.policy.staleAfterSeconds * 1000;
    let up = 0;
    let down = 0;
    for (const v of snapshot.verdicts) {
      if (v.node !== target || !group.vantages.includes(v.vantage)) continue;
      if (v.seenAt < staleBefore || v.seenAt > at + 60_000) continue;
      if (v.status === VerdictStatus.UP) up += 1;
      else down += 1;
    }
    const q = group.policy.quorum;
    if (up >= q && (down < q || inGrace)) return undefined;
    return `the verdicts it read said up ${up}, down ${down} (quorum ${q})`;
  }
}
