import type { GroupConfig, NodeConfig } from '../config/schema';
import type { CheckedCall } from '../domain/readiness';

/** Proves, without changing anything, that every call of a move would be allowed. */
export interface MovePermissions {
  /**
   * Sends every mutating call a move of the group from `from` to `target` would make, with
   * DryRun, and says what each answered. Never throws for an EC2 answer: that is the result.
   */
  check(group: GroupConfig, target: NodeConfig, from: NodeConfig | undefined): Promise<CheckedCall[]>;
}
