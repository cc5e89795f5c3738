/**
 * Table layout (one table, string keys `pk` and `sk`):
 *
 * | pk            | sk                      | what                                   |
 * |---------------|-------------------------|----------------------------------------|
 * | `g#<group>`   | `state`                 | lease + recorded state of the group    |
 * | `g#<group>`   | `v#<vantage>#<node>`    | a vantage's verdict on a node          |
 * | `g#<group>`   | `hb#<vantage>`          | the vantage's heartbeat for the group  |
 * | `h#<group>`   | `<iso time>#<random>`   | history event, expires by `ttl`        |
 *
 * Lease and state share one item so that a state write can be conditioned on the lease epoch
 * in a single conditional write (no transaction needed). The table stream passes only `v#`
 * rows to the arbiter (a filter), so heartbeats and the arbiter's own writes do not wake it.
 */
export const keys = {
  groupPk: (group: string) => `g#${group}`,
  historyPk: (group: string) => `h#${group}`,
  state: 'state',
  verdict: (vantage: string, node: string) => `v#${vantage}#${node}`,
  heartbeat: (vantage: string) => `hb#${vantage}`,
  verdictPrefix: 'v#',
  heartbeatPrefix: 'hb#',
} as const;

/** The group id of a `g#<group>` partition key, or undefined. */
export function groupOfPk(pk: string | undefined): string | undefined {
  return pk?.startsWith('g#') ? pk.slice(2) : undefined;
}
