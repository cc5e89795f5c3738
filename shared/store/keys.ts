/**
 * Table layout (one table, string keys `pk` and `sk`):
 *
 * | pk            | sk                      | what                                        |
 * |---------------|-------------------------|---------------------------------------------|
 * | `g#<group>`   | `state`                 | lease + recorded state of the group         |
 * | `g#<group>`   | `v#<vantage>#<node>`    | a vantage's verdict on a node               |
 * | `hb#<vantage>`| `hb`                    | the vantage's heartbeat, for all its groups |
 * | `h#<group>`   | `<iso time>#<random>`   | history event, expires by `ttl`             |
 *
 * A verdict row may also carry a `streak`: the count its prober had in progress against the
 * verdict when its last loop ended, for the next invocation to continue
 * (shared/usecases/probe-loop.ts). Only the prober's loadVerdicts reads it; readGroup leaves it
 * out, so it is never a verdict to the arbiter.
 *
 * Lease and state share one item so that a state write can be conditioned on the lease epoch
 * in a single conditional write (no transaction needed). The table stream passes only `v#`
 * rows to the arbiter (a filter on `sk`), so heartbeats and the arbiter's own writes do not
 * wake it.
 *
 * One heartbeat row per vantage, not per group: a prober writes it every `heartbeatSeconds`
 * and it says "every verdict row this vantage stored, in every group, is current as of `at`",
 * so heartbeat writes follow the number of vantages, not groups x ticks. Each vantage has its
 * own partition so that IAM (`dynamodb:LeadingKeys`, which cannot see the sort key) lets a
 * prober write its own heartbeat and no other vantage's. The arbiter reads the group's
 * vantages' heartbeats (one BatchGetItem, ConsistentRead) before the group partition; verdicts
 * of vantages the group no longer lists are raised too but never counted (decide() and the
 * egress judgement only count the group's configured vantages).
 *
 * Tables written before this layout may still hold `g#<group>` / `hb#<vantage>` rows (the
 * per-group heartbeats of earlier versions). They are harmless: readGroup ignores every sort
 * key of a group partition but `state` and `v#`, loadVerdicts reads only `v#<vantage>#`, and
 * the stream filter does not pass them. They are never written again and may be deleted.
 */
export const keys = {
  groupPk: (group: string) => `g#${group}`,
  historyPk: (group: string) => `h#${group}`,
  heartbeatPk: (vantage: string) => `hb#${vantage}`,
  state: 'state',
  verdict: (vantage: string, node: string) => `v#${vantage}#${node}`,
  /** The sort key of the one row of a vantage's heartbeat partition. */
  heartbeat: 'hb',
  verdictPrefix: 'v#',
} as const;

/** The group id of a `g#<group>` partition key, or undefined. */
export function groupOfPk(pk: string | undefined): string | undefined {
  return pk?.startsWith('g#') ? pk.slice(2) : undefined;
}
