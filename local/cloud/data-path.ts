import type { Ec2State } from '../../ec2-model/state';
import {
  type AddressView,
  dataPathFacts,
  type HolderRef,
  resolveHolder,
  resolveTarget,
  type TargetRef,
} from '../../ec2-model/views';

interface Change {
  readonly effectiveAt: number;
  readonly value: string | null;
}

/** The data path: what traffic sees, which lags the API by the propagation delay. */
export interface DataPath extends AddressView {
  /** True when no recorded change is still waiting to take effect. */
  settled(): boolean;
  /** Resolves once every change recorded so far has taken effect. */
  whenSettled(): Promise<void>;
}

/**
 * Keeps, per fact (public IP, private IP, route, subnet association), a timeline
 * of values with the time each takes effect. On AWS a Describe shows a move at
 * once while packets follow a little later; this class models that lag.
 * When timelines overlap (the delay was lowered between two moves) the most
 * recently recorded value that is already effective wins, so a newer state is
 * never overwritten by an older one.
 */
export class DataPathTracker implements DataPath {
  readonly #world: Ec2State;
  readonly #now: () => number;
  readonly #timelines = new Map<string, Change[]>();
  #lastFacts: Map<string, string>;
  #lastEffectiveAt = Number.NEGATIVE_INFINITY;

  constructor(world: Ec2State, now: () => number = Date.now) {
    this.#world = world;
    this.#now = now;
    this.#lastFacts = dataPathFacts(world);
    for (const [key, value] of this.#lastFacts) {
      this.#timelines.set(key, [{ effectiveAt: Number.NEGATIVE_INFINITY, value }]);
    }
  }

  /** Records the world after a mutating call; changes take effect `delayMs` from now. */
  record(delayMs: number): void {
    const effectiveAt = this.#now() + Math.max(0, delayMs);
    const facts = dataPathFacts(this.#world);
    const keys = new Set([...facts.keys(), ...this.#lastFacts.keys()]);
    for (const key of keys) {
      const next = facts.get(key) ?? null;
      const previous = this.#lastFacts.get(key) ?? null;
      if (next === previous) continue;
      const timeline = this.#timelines.get(key) ?? [];
      timeline.push({ effectiveAt, value: next });
      this.#timelines.set(key, timeline);
    }
    this.#lastFacts = facts;
    this.#lastEffectiveAt = Math.max(this.#lastEffectiveAt, effectiveAt);
  }

  #value(key: string): string | null {
    const timeline = this.#timelines.get(key);
    if (!timeline) return null;
    const now = this.#now();
    for (let i = timeline.length - 1; i >= 0; i--) {
      const change = timeline[i];
      if (change && change.effectiveAt <= now) {
        // Older entries can never win again: drop them to keep lookups short.
        if (i > 0) timeline.splice(0, i);
        return change.value;
      }
    }
    return null;
  }

  #parse<T>(key: string): T | null {
    const value = this.#value(key);
    return value === null ? null : (JSON.parse(value) as T | null);
  }

  holderOfPublicIp(publicIp: string) {
    return resolveHolder(this.#world, this.#parse<HolderRef>(`public:${publicIp}`));
  }

  holderOfPrivateIp(privateIp: string) {
    return resolveHolder(this.#world, this.#parse<HolderRef>(`private:${privateIp}`));
  }

  routeTarget(routeTableId: string, destinationCidr: string) {
    return resolveTarget(this.#world, this.#parse<TargetRef>(`route:${routeTableId}|${destinationCidr}`));
  }

  routeTableOfSubnet(subnetId: string): string | null {
    return this.#parse<string>(`subnet:${subnetId}`);
  }

  settled(): boolean {
    return this.#lastEffectiveAt <= this.#now();
  }

  async whenSettled(): Promise<void> {
    const wait = this.#lastEffectiveAt - this.#now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 1));
  }
}
