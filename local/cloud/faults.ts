import { z } from 'zod';
import { isEc2ErrorCode } from '../../ec2-model/errors';
import type { Rng } from './util/rng';

const rate = z.number().min(0).max(1);
const millis = z.number().int().min(0).max(600_000);

/**
 * Fault and realism knobs of the EC2 emulator. Top-level keys given to `set`
 * replace the current value (so `latencyMs` is replaced as a whole).
 */
export const FaultSettingsSchema = z
  .object({
    /**
     * Delay before an action is served. Most specific wins: the action name
     * (`AssociateAddress`), then `mutating` or `describe`, then `default`.
     */
    latencyMs: z.record(z.string().regex(/^(default|mutating|describe|[A-Z][A-Za-z]+)$/), millis),
    /** Share of EC2 calls refused with 503 RequestLimitExceeded. */
    throttleRate: rate,
    /** Share of EC2 calls failing with 500 InternalError. */
    serverErrorRate: rate,
    /** Share of EC2 calls failing with 503 Unavailable. */
    unavailableRate: rate,
    /** How long after a mutating call returns its effect reaches the data path. */
    propagationDelayMs: millis,
    /** Time an instance spends in `stopping` before it is `stopped`. */
    stopDelayMs: millis,
    /** Action -> error code returned on every call of that action until cleared. */
    actionErrors: z.record(
      z.string().regex(/^[A-Z][A-Za-z]+$/),
      z.string().refine(isEc2ErrorCode, 'must be an EC2 error code this emulator knows'),
    ),
  })
  .strict();

/** Current fault settings. */
export type FaultSettings = z.output<typeof FaultSettingsSchema>;
/** A partial update of {@link FaultSettings}. */
export type FaultSettingsInput = Partial<z.input<typeof FaultSettingsSchema>>;

/** Settings with no faults at all: the default. */
export function noFaults(): FaultSettings {
  return {
    latencyMs: { default: 0 },
    throttleRate: 0,
    serverErrorRate: 0,
    unavailableRate: 0,
    propagationDelayMs: 0,
    stopDelayMs: 0,
    actionErrors: {},
  };
}

/** What fault injection decided for one call. */
export type FaultDecision =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly injected: 'forced' | 'throttle' | 'server' | 'unavailable';
    };

/** Holds the fault settings and draws from a seeded RNG so a seeded run repeats exactly. */
export class FaultController {
  #settings: FaultSettings;
  readonly #rng: Rng;

  constructor(rng: Rng, initial: FaultSettingsInput = {}) {
    this.#rng = rng;
    this.#settings = noFaults();
    this.set(initial);
  }

  /** A copy of the current settings. */
  get(): FaultSettings {
    return structuredClone(this.#settings);
  }

  /**
   * Validates and applies a partial update; throws a readable error on bad input
   * (unknown key, rate outside 0..1, unknown error code).
   */
  set(partial: FaultSettingsInput): FaultSettings {
    const result = FaultSettingsSchema.partial().safeParse(partial);
    if (!result.success) {
      const lines = result.error.issues.map((issue) => {
        const path = issue.path.map(String).join('.') || '(root)';
        const keys = issue.code === 'unrecognized_keys' ? ` ${issue.keys.join(', ')}` : '';
        return `${path}: ${issue.message}${keys}`;
      });
      throw new Error(`Invalid fault settings: ${lines.join('; ')}`);
    }
    const next = { ...this.#settings };
    for (const [key, value] of Object.entries(result.data)) {
      if (value !== undefined) Object.assign(next, { [key]: value });
    }
    this.#settings = next;
    return this.get();
  }

  /** Back to no faults. */
  reset(): FaultSettings {
    this.#settings = noFaults();
    return this.get();
  }

  /** Latency for one call, by the most specific matching key. */
  latencyFor(action: string, mutating: boolean): number {
    const l = this.#settings.latencyMs;
    return l[action] ?? (mutating ? l.mutating : l.describe) ?? l.default ?? 0;
  }

  /** Forced errors first, then one random draw per configured rate. */
  decide(action: string): FaultDecision {
    const s = this.#settings;
    const forced = s.actionErrors[action];
    if (forced) return { kind: 'error', code: forced, injected: 'forced' };
    if (s.throttleRate > 0 && this.#rng() < s.throttleRate) {
      return { kind: 'error', code: 'RequestLimitExceeded', injected: 'throttle' };
    }
    if (s.serverErrorRate > 0 && this.#rng() < s.serverErrorRate) {
      return { kind: 'error', code: 'InternalError', injected: 'server' };
    }
    if (s.unavailableRate > 0 && this.#rng() < s.unavailableRate) {
      return { kind: 'error', code: 'Unavailable', injected: 'unavailable' };
    }
    return { kind: 'none' };
  }

  /** Current propagation delay. */
  get propagationDelayMs(): number {
    return this.#settings.propagationDelayMs;
  }

  /** Current stopping -> stopped delay. */
  get stopDelayMs(): number {
    return this.#settings.stopDelayMs;
  }
}
