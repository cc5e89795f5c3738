import { Ec2Model } from '../ec2-model/model';
import { apiRefs } from '../ec2-model/views';
import { createMovers } from '../shared/adapters/aws/movers';
import { toState } from '../shared/adapters/dynamo/rows';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../shared/config/schema';
import { ClockSkew } from '../shared/domain/clock-skew';
import type { Notification } from '../shared/ports/notifier';
import { newContainerMemory } from '../shared/usecases/deps';
import { type Container, newActor, type SimActor } from './actors';
import { Arbiters } from './arbiters';
import { MAX_DESCRIBE_LAG_MS, SimEc2 } from './ec2/sim-ec2';
import { type Fault, type FaultKind, FaultState } from './faults';
import { Invariant, Invariants, MAX_SKEW_DIFF_MS, type Truth } from './invariants';
import { controlAction, handMove, manualFailover } from './operators';
import { Probers } from './probers';
import { Rng } from './rng';
import { Scheduler } from './scheduler';
import { MemoryTable } from './store/memory-table';
import { buildConfig, buildTopology, SIM_EPOCH, VARIANTS, type Variant } from './topology';

/** One simulated scenario: a configuration, a seed for latencies and noise, and faults. */
export interface Episode {
  /** Index into VARIANTS (modulo their number). */
  variant: number;
  /** Seeds latencies, probe noise, event delivery and the pick of arbiter per invocation. */
  seed: number;
  /** Number of arbiter containers (2 or 3), each with its own clock skew. */
  arbiters: number;
  /** Clock skew of each container, within ±2000 ms. */
  skewsMs: number[];
  /** Length of the fault phase; afterwards faults stop and convergence is checked. */
  faultMs: number;
  faults: Fault[];
}

/** Counters of one episode. */
export interface EpisodeStats {
  failovers: number;
  manualMoves: number;
  handMoves: number;
  notifications: number;
  notificationsByEvent: Record<string, number>;
  faults: Partial<Record<FaultKind, number>>;
  invocations: number;
  droppedEvents: number;
  outcomes: Record<string, number>;
  crashes: number;
  /** Crashes of an invocation that held the lease (a failover cut short). */
  crashesHoldingLease: number;
  stalls: number;
  /** Stalled responses to an invocation that held the lease. */
  stallsHoldingLease: number;
  ec2Mutations: number;
}

/** Verdicts need a prober invocation, rise/fall probes and a heartbeat to catch up. */
const SETTLE_MS = 90_000;
/** Longest stall a fault injects (a response arriving this late). */
export const MAX_STALL_MS = 120_000;
/** How long the convergence checks run once they apply. */
const CHECK_WINDOW_MS = 60_000;
/** If two reconciles have not completed by then after faults stop, that is a violation. */
const QUIET_LIMIT_MS = 15 * 60_000;

const PERMANENT_KINDS: ReadonlySet<FaultKind> = new Set([
  'node-crash',
  'node-hang',
  'instance-stop',
  'instance-impaired',
]);

/**
 * The simulated world of one episode: EC2, the table, nodes, probers, arbiters, event
 * delivery and faults, all driven by one Scheduler and one Rng. The code under test is the
 * real one: runProbeLoop (with VerdictTracker), parseArbiterEvent, reconcileAll and
 * executeMove (with decide and the lease), the real movers and instance signals.
 */
export class SimWorld implements Truth {
  readonly rng: Rng;
  readonly sched: Scheduler;
  readonly table = new MemoryTable();
  readonly ec2: Ec2Model;
  readonly faults = new FaultState();
  readonly variant: Variant;
  readonly config: ArbiterConfig;
  readonly group: GroupConfig;
  readonly checker: Invariants;
  readonly startedAt = SIM_EPOCH;
  readonly quietAt: number;
  readonly stats: EpisodeStats = {
    failovers: 0,
    manualMoves: 0,
    handMoves: 0,
    notifications: 0,
    notificationsByEvent: {},
    faults: {},
    invocations: 0,
    droppedEvents: 0,
    outcomes: {},
    crashes: 0,
    crashesHoldingLease: 0,
    stalls: 0,
    stallsHoldingLease: 0,
    ec2Mutations: 0,
  };
  finished = false;
  readonly arbiters: Arbiters;
  readonly probers: Probers;
  private readonly keys: readonly string[];
  private checksFrom: number | undefined;
  private actorSeq = 0;
  private readonly transitions = new Map<string, number>();
  private holderBefore: string | undefined;
  /** Nodes stopped by fencing: they stay stopped. */
  private readonly fenced = new Set<string>();

  constructor(readonly episode: Episode) {
    this.rng = new Rng(episode.seed);
    this.sched = new Scheduler(SIM_EPOCH, this.rng.fork());
    this.sched.onCrash = (actor) => this.onCrash(actor as SimActor);
    this.variant = VARIANTS[Math.abs(episode.variant) % VARIANTS.length] as Variant;
    this.config = buildConfig(this.variant);
    this.group = this.config.groups[0] as GroupConfig;
    // The one EC2 model, on the simulated clock. SimEc2 draws each Describe's lag from the
    // episode's RNG; the model keeps versions for as long as that lag can reach back.
    this.ec2 = new Ec2Model(buildTopology(this.group), {
      seed: episode.seed,
      clock: () => this.sched.now,
      describeLag: { minMs: 0, maxMs: MAX_DESCRIBE_LAG_MS },
    });
    this.checker = new Invariants(this);
    this.quietAt = SIM_EPOCH + episode.faultMs;
    const count = Math.max(1, Math.min(3, episode.arbiters));
    const containers: Container[] = Array.from({ length: count }, (_, i) => {
      const c: Container = {
        id: `arbiter-${'abc'[i]}`,
        skewMs: clampSkew(episode.skewsMs[i] ?? 0),
        pendingStallMs: 0,
        stallDuringMove: false,
        stallSkip: 0,
        memory: newContainerMemory(),
        // The container's own clock, offset included (a clock-offset fault changes skewMs).
        clock: new ClockSkew(
          () => this.sched.now + c.skewMs,
          () => this.sched.now,
        ),
      };
      return c;
    });
    this.arbiters = new Arbiters(this, containers);
    this.probers = new Probers(this);
    // Mover keys are what the store records holders under; building movers makes no call.
    this.keys = createMovers(this.group, new SimEc2(this, newActor('arbiter', 'keys')).asClient()).map(
      (m) => m.key,
    );
  }

  // --- Truth (for the invariants) ---------------------------------------------------------

  now(): number {
    return this.sched.now;
  }

  step(): number {
    return this.sched.steps;
  }

  recorded() {
    return toState(this.group.id, this.table.rawState(this.group.id));
  }

  resourceKeys(): readonly string[] {
    return this.keys;
  }

  holders(): (string | undefined)[] {
    const nodes = this.group.nodes;
    const ec2 = this.ec2.latest;
    const byEni = (eni: string | undefined) => nodes.find((n) => n.eni !== undefined && n.eni === eni)?.id;
    const same = (ids: (string | undefined)[]) => (ids.every((id) => id === ids[0]) ? ids[0] : 'split');
    return this.group.resources.map((r) => {
      switch (r.kind) {
        case 'elastic-ip': {
          const a = ec2.addresses.get(r.allocationId)?.association;
          return nodes.find(
            (n) =>
              n.eni === a?.networkInterfaceId && (n.privateIp === undefined || n.privateIp === a?.privateIp),
          )?.id;
        }
        case 'secondary-ip':
          return byEni(apiRefs.privateIp(ec2, r.ip)?.networkInterfaceId);
        case 'route':
          return same(
            r.routeTables.map((t) => {
              const target = apiRefs.route(ec2, t, r.destination);
              return byEni(target && 'networkInterfaceId' in target ? target.networkInterfaceId : undefined);
            }),
          );
        case 'route-table-association':
          return same(
            r.subnets.map((s) => {
              const table = apiRefs.subnet(ec2, s);
              return nodes.find((n) => n.routeTable !== undefined && n.routeTable === table)?.id;
            }),
          );
        default:
          return undefined;
      }
    });
  }

  /** An instance as EC2 has it now (no Describe lag): state, impaired check, launch time. */
  instanceTruth(instanceId: string): { state: string; impaired: boolean; launchTime: number } {
    const i = this.ec2.latest.instances.get(instanceId);
    if (!i) throw new Error(`the EC2 model has no instance ${instanceId}`);
    return { state: i.state, impaired: i.instanceStatus === 'impaired', launchTime: i.launchTime.getTime() };
  }

  trulyHealthy(nodeId: string): boolean {
    const i = this.group.nodes.findIndex((n) => n.id === nodeId);
    const node = this.group.nodes[i];
    if (!node) return false;
    const instance = this.instanceTruth(node.instanceId);
    return (
      instance.state === 'running' && !instance.impaired && this.probers.service(i, this.sched.now) === 'up'
    );
  }

  targetOf(action: string, input: Record<string, unknown>): string | undefined {
    const nodes = this.group.nodes;
    switch (action) {
      case 'AssociateAddress':
      case 'AssignPrivateIpAddresses':
      case 'ReplaceRoute':
        return nodes.find((n) => n.eni === input.NetworkInterfaceId)?.id;
      case 'ReplaceRouteTableAssociation':
        return nodes.find((n) => n.routeTable === input.RouteTableId)?.id;
      case 'StopInstances': {
        const ids = (input.InstanceIds as string[] | undefined) ?? [];
        return nodes.find((n) => ids.includes(n.instanceId))?.id;
      }
      default:
        return undefined;
    }
  }

  // --- hooks of the facades ---------------------------------------------------------------

  /** A fresh actor id, `<prefix>/<n>`, unique within the episode. */
  actorId(prefix: string): string {
    this.actorSeq += 1;
    return `${prefix}/${this.actorSeq}`;
  }

  clockOf(actor: SimActor): number {
    return this.sched.now + (actor.container?.skewMs ?? 0);
  }

  /**
   * The id of the current transition of a state attribute (health of a node, an alert, the
   * breaker): it counts the times the attribute's value really changed in the table, so two
   * notifications of one transition share an id, whatever the store's answers said.
   */
  transitionOf(attribute: string, before: unknown): string {
    const after = this.table.peekState(this.group.id)[attribute];
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      this.transitions.set(attribute, (this.transitions.get(attribute) ?? 0) + 1);
    }
    return `${attribute}#${this.transitions.get(attribute) ?? 0}`;
  }

  takeStall(actor: SimActor): number {
    const c = actor.container;
    if (!c || c.pendingStallMs <= 0 || (c.stallDuringMove && actor.lease === undefined)) return 0;
    if (c.stallDuringMove && c.stallSkip > 0) {
      c.stallSkip -= 1;
      return 0;
    }
    const ms = c.pendingStallMs;
    c.pendingStallMs = 0;
    this.stats.stalls += 1;
    if (actor.lease) this.stats.stallsHoldingLease += 1;
    this.sched.log(actor.id, `stalled ${ms} ms`);
    return ms;
  }

  storeFailure(actor: SimActor): 'before' | 'after' | undefined {
    const now = this.sched.now;
    if (actor.vantage !== undefined && this.faults.active('vantage-store-down', now, actor.vantage))
      return 'before';
    if (this.rng.chance(this.faults.value('store-errors', now)))
      return this.rng.chance(0.5) ? 'before' : 'after';
    return undefined;
  }

  beforeMutation(actor: SimActor, action: string, input: Record<string, unknown>): void {
    const state = this.table.peekState(this.group.id);
    this.checker.onMutation(
      actor,
      action,
      input,
      Number(state.leaseEpoch ?? 0),
      state.leaseOwner as string | undefined,
    );
    this.holderBefore = this.holders()[0];
    this.stats.ec2Mutations += 1;
  }

  afterMutation(actor: SimActor, action: string, input: Record<string, unknown>): void {
    if (action === 'StopInstances') {
      const node = this.targetOf(action, input);
      if (node) this.fenced.add(node);
    }
    const after = this.holders()[0];
    if (after === this.holderBefore || actor.epoch === undefined) return;
    if (actor.automatic) {
      if (!actor.movedUnder.has(actor.epoch)) this.stats.failovers += 1;
      this.checker.onHolderChange(actor, this.holderBefore, after);
      actor.movedUnder.add(actor.epoch);
    } else if (!actor.movedUnder.has(actor.epoch)) {
      actor.movedUnder.add(actor.epoch);
      this.stats.manualMoves += 1;
    }
  }

  onLeaseAcquired(actor: SimActor): void {
    this.arbiters.onLeaseAcquired(actor);
  }

  onNotification(actor: SimActor, note: Notification): void {
    this.stats.notifications += 1;
    this.stats.notificationsByEvent[note.event] = (this.stats.notificationsByEvent[note.event] ?? 0) + 1;
    this.sched.log(actor.id, `notified: ${note.subject}`);
    this.checker.onNotification(actor, note);
  }

  // --- running ----------------------------------------------------------------------------

  /** Seeds the table, schedules probers, reconcile ticks, faults and the quiet phase. */
  start(): void {
    const first = this.group.nodes[0] as NodeConfig;
    this.table.patchState(this.group.id, {
      active: first.id,
      holders: Object.fromEntries(this.keys.map((k) => [k, first.id])),
      moveEpoch: 0,
    });
    this.arbiters.start();
    this.probers.start();
    for (const f of this.episode.faults) {
      if (f.at < 0 || f.at >= this.episode.faultMs) continue;
      this.sched.at(SIM_EPOCH + f.at, `fault ${f.kind}`, () => this.apply(f));
    }
    this.sched.at(this.quietAt, 'faults stop', () => this.quiet());
  }

  /** Runs after every step: the convergence checks once they apply. */
  afterStep(): void {
    if (this.checker.failed) {
      this.finished = true;
      return;
    }
    const now = this.sched.now;
    if (now < this.quietAt) return;
    const state = this.table.peekState(this.group.id);
    let ready = this.quietAt + SETTLE_MS + MAX_STALL_MS;
    const cooldownMs = this.group.policy.cooldownSeconds * 1000;
    if (typeof state.lastFailoverAt === 'number' && cooldownMs > 0) {
      ready = Math.max(ready, state.lastFailoverAt + cooldownMs + MAX_SKEW_DIFF_MS);
    }
    // A ban that ended is a change the arbiters can only act on at their next reconciles.
    for (const [name, value] of Object.entries(state)) {
      if (name.startsWith('ban:') && typeof value === 'number' && value > 0 && value <= now) {
        ready = Math.max(ready, value + MAX_SKEW_DIFF_MS);
      }
    }
    const done = this.arbiters.completedSchedules.filter((t) => t > ready).length;
    if (done < 2) {
      if (now > this.quietAt + QUIET_LIMIT_MS) {
        this.checker.fail(
          Invariant.CONVERGENCE,
          'fewer than 2 reconciles completed in 15 min after faults stopped',
        );
        this.finished = true;
      }
      return;
    }
    this.checksFrom ??= now;
    // A lease whose holder stopped extending it is taken only by a container that has watched
    // the same record for a full lease on its own monotonic clock (LeaseGuard.take). One that
    // first sees it when it looks expired takes it a lease later: so a record left behind
    // counts as held for one lease duration past its expiry (no longer takeable by the clock).
    const watchMs = this.config.arbiter.leaseSeconds * 1000;
    const leaseHeld =
      state.leaseOwner !== undefined && Number(state.leaseExpiresAt ?? 0) + MAX_SKEW_DIFF_MS + watchMs >= now;
    if (!leaseHeld) this.checker.checkConverged(state.breakerOpenSince !== undefined);
    if (this.checker.failed || now - this.checksFrom >= CHECK_WINDOW_MS) this.finished = true;
  }

  /** Counts a crash (by the Lambda timeout or by an injected fault). */
  onCrash(actor: SimActor): void {
    this.stats.crashes += 1;
    if (actor.lease) this.stats.crashesHoldingLease += 1;
  }

  // --- faults -----------------------------------------------------------------------------

  private apply(f: Fault): void {
    const now = this.sched.now;
    this.stats.faults[f.kind] = (this.stats.faults[f.kind] ?? 0) + 1;
    const nodeIndex = (n: number) => Math.abs(n) % this.group.nodes.length;
    const vantageIndex = (n: number) => Math.abs(n) % this.group.vantages.length;
    switch (f.kind) {
      case 'node-crash':
      case 'node-hang':
        this.faults.add(f.kind, nodeIndex(f.node), now, f.forMs);
        break;
      case 'instance-stop':
      case 'instance-impaired':
        this.faults.add(f.kind, nodeIndex(f.node), now, f.forMs);
        this.refreshInstances();
        if (f.forMs !== null) this.sched.after(f.forMs, 'instance fault ends', () => this.refreshInstances());
        break;
      case 'node-flap':
        this.faults.add(f.kind, nodeIndex(f.node), now, f.forMs, Math.max(1_000, f.periodMs));
        break;
      case 'probe-loss':
        this.faults.add(f.kind, vantageIndex(f.vantage), now, f.forMs, f.rate);
        break;
      case 'vantage-partition':
      case 'vantage-store-down':
        this.faults.add(f.kind, vantageIndex(f.vantage), now, f.forMs);
        break;
      case 'ec2-throttle':
      case 'ec2-5xx':
      case 'store-errors':
      case 'event-dup':
        this.faults.add(f.kind, 0, now, f.forMs, f.rate);
        break;
      case 'ec2-latency':
      case 'store-latency':
        this.faults.add(f.kind, 0, now, f.forMs, f.extraMs);
        break;
      case 'event-late':
        this.faults.add(f.kind, 0, now, f.forMs, f.delayMs);
        break;
      case 'stall': {
        const { containers } = this.arbiters;
        const c = containers[Math.abs(f.arbiter) % containers.length] as Container;
        c.pendingStallMs = Math.max(c.pendingStallMs, Math.min(MAX_STALL_MS, f.ms));
        c.stallDuringMove = f.duringMove;
        c.stallSkip = Math.max(0, f.skip ?? 0);
        break;
      }
      case 'arbiter-crash':
        this.arbiters.armCrash(f.afterOps, f.onLease);
        break;
      case 'manual-failover':
        if (f.onLease) this.arbiters.armManual(nodeIndex(f.node), f.force);
        else void manualFailover(this, nodeIndex(f.node), f.force);
        break;
      case 'hand-move':
        handMove(this, nodeIndex(f.node));
        break;
      case 'clock-offset': {
        const { containers } = this.arbiters;
        const c = containers[Math.abs(f.arbiter) % containers.length] as Container;
        c.skewMs = Math.round(f.offsetMs);
        break;
      }
      case 'control':
        void controlAction(this, f, nodeIndex(f.node));
        break;
    }
  }

  /** Makes EC2's instance state and status follow the instance fault windows. */
  private refreshInstances(): void {
    const now = this.sched.now;
    this.group.nodes.forEach((n, i) => {
      const state =
        this.fenced.has(n.id) || this.faults.active('instance-stop', now, i) ? 'stopped' : 'running';
      if (this.instanceTruth(n.instanceId).state !== state) this.ec2.setInstanceState(n.instanceId, state);
      const impaired = this.faults.active('instance-impaired', now, i);
      this.ec2.setInstanceStatus(n.instanceId, { instance: impaired ? 'impaired' : 'ok' });
    });
  }

  private quiet(): void {
    const now = this.sched.now;
    this.faults.stopAll(now, (kind, end) => PERMANENT_KINDS.has(kind) && end === Number.POSITIVE_INFINITY);
    this.arbiters.quiet();
    // Clocks set off by a clock-offset fault are put right (as NTP would): each container's
    // next table answer proves its skew back within the bound, and its moves resume.
    this.arbiters.containers.forEach((c, i) => {
      c.skewMs = clampSkew(this.episode.skewsMs[i] ?? 0);
    });
    this.refreshInstances();
    this.sched.log('-', 'faults stop; convergence is checked after 2 reconciles');
  }
}

function clampSkew(ms: number): number {
  return Math.max(-2_000, Math.min(2_000, Math.round(ms)));
}
