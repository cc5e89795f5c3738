import type { NodeConfig } from '../config/schema';
import type { Holding } from '../domain/model';

/** Options of one move. */
export interface MoveOptions {
  /**
   * Called right before every mutating EC2 call; throws to abort (the arbiter extends its
   * lease here, so a lost lease stops the move before the next mutation).
   */
  beforeMutation?: (call: string) => Promise<void>;
}

/** What a move did. */
export interface MoveOutcome {
  resource: string;
  /** False if the resource already was on the target (nothing was called). */
  changed: boolean;
  /** The mutating calls made, e.g. `AssociateAddress eipalloc-1 -> eni-2/10.0.2.10`. */
  calls: string[];
  /** Human text of the verified holder. */
  detail: string;
}

/**
 * Moves one resource between the nodes of a group. `observe` asks EC2 (Describe) who holds
 * it; `moveTo` changes nothing if the target already holds it (seen twice, Describe's lag
 * apart: readSettled), else calls EC2 and reads back until Describe shows the target.
 */
export interface Mover {
  /** Stable key, e.g. `elastic-ip eipalloc-0abc`. */
  readonly key: string;
  /**
   * Who holds the resource, by Describe. Given the holder the table records, a view that
   * disagrees is read again after Describe's lag before it is believed.
   */
  observe(recorded?: string): Promise<Holding>;
  /** @throws VerificationError if Describe never shows the target; mapped EC2 errors otherwise. */
  moveTo(node: NodeConfig, options?: MoveOptions): Promise<MoveOutcome>;
}

/** Bounded read-back settings. */
export interface VerifyOptions {
  attempts: number;
  delayMs: number;
  sleep: (ms: number) => Promise<void>;
  /**
   * How long to wait before a second look when the first shows the resource already on the
   * target (readSettled); longer than Describe's lag. Default DESCRIBE_SETTLE_MS.
   */
  settleMs?: number;
}

/** Longer than the longest lag seen between a change and Describe showing it (docs/topology.md). */
export const DESCRIBE_SETTLE_MS = 2_500;

export const defaultVerify = (): VerifyOptions => ({
  attempts: 10,
  delayMs: 300,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});
