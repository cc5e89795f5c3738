import type { Topology } from '../local/cloud/topology-schema';
import { IdFactory } from '../local/cloud/util/ids';
import { type Rng, seededRng } from '../local/cloud/util/rng';
import { EC2_ACTIONS } from './actions/index';
import type { ModelServices } from './actions/types';
import { checkLag, type DescribeLag, drawLag, maxLagOf, VersionLog } from './consistency';
import { Ec2Error } from './errors';
import { Ec2Input } from './input';
import { populateState } from './populate';
import type { InstanceStateName, StatusCheck } from './records';
import type { Ec2State } from './state';

/** Called when an instance changes state (e.g. so a demo can kill the node of a stopped instance). */
export type InstanceStateListener = (
  instanceId: string,
  state: InstanceStateName,
  previous: InstanceStateName,
) => void;

/** Options of {@link Ec2Model}. */
export interface Ec2ModelOptions {
  /** Seeds generated ids and lag draws (default 1). Ignored for ids when `ids` is given. */
  readonly seed?: number;
  /** Id source shared with other services (the local cloud's SNS uses the same one). */
  readonly ids?: IdFactory;
  /** Milliseconds now; the simulator passes its virtual clock (default `Date.now`). */
  readonly clock?: () => number;
  /** How far behind the latest state Describe calls may answer (default 0: at once). */
  readonly describeLag?: DescribeLag;
  /** How long StopInstances takes from `stopping` to `stopped` (default 0: at once). */
  readonly stopDelayMs?: () => number;
}

/** Per-call settings of {@link Ec2Model.call}. */
export interface CallContext {
  /** Access key id of the caller, for the hand-listed denials. */
  readonly caller?: string;
  /** The caller was authorized already (by IAM policy evaluation); skip the hand-listed denials. */
  readonly authorized?: boolean;
  /** This Describe's lag in ms, instead of a draw from `describeLag`. */
  readonly lagMs?: number;
}

/**
 * The one model of EC2 the project runs on: the simulator drives it directly, the
 * local cloud serves it over the EC2 Query/XML wire, and unit tests use it through
 * a direct client. It takes the SDK's request shapes and returns its output shapes,
 * throwing {@link Ec2Error} with EC2's error code.
 *
 * Eventual consistency is a property of the model: every change produces a new
 * version of the state, and each Describe answers from the version that was the
 * latest `lag` ms ago (lag drawn per call). Mutations always validate against the
 * latest state, as AWS does, so a mover that acts on a stale Describe is refused
 * or corrected by EC2's own rules, never by the model's mercy.
 */
export class Ec2Model {
  readonly ids: IdFactory;
  readonly #state: Ec2State;
  readonly #clock: () => number;
  readonly #rng: Rng;
  readonly #versions: VersionLog;
  readonly #stopDelayMs: () => number;
  readonly #listeners = new Set<InstanceStateListener>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #services: ModelServices;
  #lag: DescribeLag;

  constructor(topology: Topology, options: Ec2ModelOptions = {}) {
    const seed = options.seed ?? 1;
    this.ids = options.ids ?? new IdFactory(seededRng(seed));
    this.#clock = options.clock ?? Date.now;
    // A stream of its own, so drawing lags does not change generated ids.
    this.#rng = seededRng(seed ^ 0x5bd1e995);
    this.#lag = options.describeLag ?? 0;
    checkLag(this.#lag);
    this.#stopDelayMs = options.stopDelayMs ?? (() => 0);
    this.#state = populateState(topology, this.ids, new Date(this.#clock()));
    this.#versions = new VersionLog(maxLagOf(this.#lag), this.#state, this.#clock());
    this.#services = {
      ids: this.ids,
      setInstanceState: (id, state) => this.setInstanceState(id, state),
      later: (ms, fn) => this.#later(ms, fn),
      stopDelayMs: () => this.#stopDelayMs(),
    };
  }

  /** The latest state: what mutations validate against and what traffic follows. */
  get latest(): Ec2State {
    return this.#state;
  }

  /** The Describe lag in use. */
  get describeLag(): DescribeLag {
    return this.#lag;
  }

  /** Changes the Describe lag from now on. */
  setDescribeLag(lag: DescribeLag): void {
    checkLag(lag);
    this.#lag = lag;
    this.#versions.setHorizon(maxLagOf(lag), this.#state, this.#clock());
  }

  /** The actions the model serves, by name. */
  get actions(): Readonly<Record<string, unknown>> {
    return EC2_ACTIONS;
  }

  /** True for an action that changes state. */
  isMutating(action: string): boolean {
    return EC2_ACTIONS[action]?.mutating ?? false;
  }

  /**
   * Runs one EC2 action. Order as a client sees it on AWS: unknown action, then
   * authorization, then the DryRun answer, then the action.
   * @throws Ec2Error with EC2's code (`InvalidAction`, `UnauthorizedOperation`, `DryRunOperation`, ...).
   */
  call(action: string, rawInput: unknown, context: CallContext = {}): object {
    const handler = EC2_ACTIONS[action];
    if (!handler)
      throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    if (!context.authorized && context.caller && this.#state.isDenied(context.caller, action)) {
      throw new Ec2Error(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. User: arn:aws:iam::${this.#state.accountId}:user/${context.caller} is not authorized to perform: ec2:${action}`,
      );
    }
    const input = new Ec2Input(rawInput);
    if (input.bool('DryRun')) throw new Ec2Error('DryRunOperation');
    const now = this.#clock();
    if (handler.mutating) {
      const out = handler.run({ input, state: this.#state, services: this.#services });
      this.#versions.record(this.#state, now);
      return out;
    }
    const lag = context.lagMs ?? drawLag(this.#lag, this.#rng);
    return handler.run({
      input,
      state: this.#versions.seen(this.#state, now, lag),
      services: this.#services,
    });
  }

  // --- controls EC2 does not offer (faults, tests, the demo) ----------------------------

  /** Sets an instance state (a new launch time when it starts again) and tells listeners. */
  setInstanceState(instanceId: string, state: InstanceStateName): void {
    const instance = this.#instance(instanceId);
    const previous = instance.state;
    if (previous === state) return;
    instance.state = state;
    if (state === 'running' && previous !== 'pending') instance.launchTime = new Date(this.#clock());
    this.#versions.record(this.#state, this.#clock());
    for (const listener of this.#listeners) listener(instanceId, state, previous);
  }

  /** Makes the instance and/or system status check report `ok` or `impaired`. */
  setInstanceStatus(instanceId: string, status: { instance?: StatusCheck; system?: StatusCheck }): void {
    const instance = this.#instance(instanceId);
    const next = {
      instance: status.instance ?? instance.instanceStatus,
      system: status.system ?? instance.systemStatus,
    };
    if (next.instance === instance.instanceStatus && next.system === instance.systemStatus) return;
    instance.instanceStatus = next.instance;
    instance.systemStatus = next.system;
    this.#versions.record(this.#state, this.#clock());
  }

  /** Points an instance at the loopback endpoint its node server actually got. */
  setEndpoint(instanceId: string, endpoint: string | undefined): void {
    if (endpoint !== undefined && !/^127\.0\.0\.1:\d{1,5}$/.test(endpoint)) {
      throw new Error(`endpoint must be 127.0.0.1:PORT, got ${endpoint}`);
    }
    this.#instance(instanceId).endpoint = endpoint;
  }

  /** Replaces the EC2 actions denied to an access key (`*` = all; empty = allow all). */
  setDenied(accessKeyId: string, actions: readonly string[]): void {
    if (actions.length === 0) this.#state.denied.delete(accessKeyId);
    else this.#state.denied.set(accessKeyId, new Set(actions));
  }

  /** Subscribes to instance state changes; returns the unsubscribe function. */
  onInstanceState(listener: InstanceStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cancels pending timers (stopping -> stopped) and drops listeners. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#listeners.clear();
  }

  /** Plain-JSON dump of the latest state, for `GET /_local/state` and debugging. */
  snapshot(): Record<string, unknown> {
    const s = this.#state;
    return {
      region: s.region,
      accountId: s.accountId,
      vpc: { id: s.vpcId, cidr: s.vpcCidr },
      describeLag: this.#lag,
      subnets: [...s.subnets.values()],
      instances: [...s.instances.values()],
      networkInterfaces: [...s.networkInterfaces.values()],
      addresses: [...s.addresses.values()],
      routeTables: [...s.routeTables.values()],
      vpcEndpoints: [...s.vpcEndpoints.values()],
      denied: Object.fromEntries([...s.denied].map(([key, actions]) => [key, [...actions]])),
    };
  }

  #later(ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #instance(instanceId: string) {
    const instance = this.#state.instances.get(instanceId);
    if (!instance) throw new Error(`unknown instance ${instanceId}`);
    return instance;
  }
}
