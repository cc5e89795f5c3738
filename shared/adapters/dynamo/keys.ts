/**
 * Table layout (one table, string keys `pk` and `sk`):
 *
 * | pk            | sk                      | what                                        | written by          |
 * |---------------|-------------------------|---------------------------------------------|---------------------|
 * | `g#<group>`   | `state`                 | lease + recorded state of the group         | arbiter side only   |
 * | `v#<vantage>` | `hb`                    | the vantage's heartbeat, for all its groups | the vantage's prober |
 * | `v#<vantage>` | `n#<group>#<node>`      | the vantage's verdict on a node (+ streak)  | the vantage's prober |
 * | `h#<group>`   | `<iso time>#<random>`   | history event, expires by `ttl`             | arbiter side only   |
 *
 * Why partitions by writer: IAM's `dynamodb:LeadingKeys` sees only the partition key, never the
 * sort key. Each vantage's rows (verdicts and heartbeat) share one partition `v#<vantage>` that
 * only that vantage's prober may write, and the group's lease and state live in `g#<group>`,
 * which no prober may write (infra/iam/policies.ts). A prober can then neither forge another
 * vantage's verdicts (defeating quorum) nor touch the lease, bans or pause.
 *
 * Ids cannot contain `#` (shared/config/schema.ts allows lowercase letters, digits and dashes),
 * so `n#<group>#<node>` names one group and one node without ambiguity; the key builders refuse
 * a `#` anyway, in case an id ever reaches them unvalidated.
 *
 * Every verdict row and heartbeat carries the order of its write (`seq` on verdicts, `at` on the
 * heartbeat), and a write lands only over an older one: a write the SDK gave up on but
 * DynamoDB applied later can never replace a newer one (dynamo-verdict-store.ts).
 *
 * A verdict row may also carry a `streak`: the count its prober had in progress against the
 * verdict when its last loop ended, for the next invocation to continue
 * (shared/usecases/probe-loop.ts). Only the prober's loadVerdicts reads it (with `seq`);
 * readGroup leaves both out, so they are never part of a verdict to the arbiter.
 *
 * Lease and state share one item so that a state write can be conditioned on the lease epoch
 * in a single conditional write (no transaction needed). The table stream passes only verdict
 * rows to the arbiter (pk begins `v#` and sk begins `n#`), so heartbeats and the arbiter's own
 * writes do not wake it (serverless.yml and local/runtime/stream-poller.ts: passesArbiterFilter).
 *
 * One heartbeat row per vantage, not per group: a prober writes it every `heartbeatSeconds`
 * and it says "every verdict row this vantage stored, in every group, is current as of `at`",
 * so heartbeat writes follow the number of vantages, not groups x ticks. The arbiter reads the
 * group's vantages' heartbeats first, then the state item and every verdict key of the group
 * (its vantages x nodes, known from the config) in one BatchGetItem, both with ConsistentRead:
 * dynamo-group-store.ts explains why that order.
 *
 * Tables written before this layout may still hold rows of earlier layouts: verdicts in the
 * group partition (`g#<group>` / `v#<vantage>#<node>`), per-vantage heartbeats
 * (`hb#<vantage>` / `hb`) and per-group heartbeats (`g#<group>` / `hb#<vantage>`). They are
 * harmless: the group read fetches exactly the `state` item and the new verdict and heartbeat
 * keys, loadVerdicts reads only `n#` rows of the vantage's own partition, and the stream filter
 * does not pass them. They are never written again and may be deleted.
 */
export const keys = {
  groupPk: (group: string) => `g#${part('group', group)}`,
  historyPk: (group: string) => `h#${part('group', group)}`,
  /** The partition of one vantage's rows: its heartbeat and its verdicts. */
  vantagePk: (vantage: string) => `v#${part('vantage', vantage)}`,
  /** The partition of a vantage's heartbeat (its own partition, see vantagePk). */
  heartbeatPk: (vantage: string) => `v#${part('vantage', vantage)}`,
  state: 'state',
  /** The sort key of a vantage's verdict on a node of a group, in the vantage's partition. */
  verdictSk: (group: string, node: string) => `n#${part('group', group)}#${part('node', node)}`,
  /** The sort-key prefix of a vantage's verdicts in one group. */
  groupVerdicts: (group: string) => `n#${part('group', group)}#`,
  /** The sort key of the one heartbeat row of a vantage's partition. */
  heartbeat: 'hb',
  /** Partition-key prefix of the vantages' partitions. */
  vantagePrefix: 'v#',
  /** Sort-key prefix of verdict rows. */
  verdictPrefix: 'n#',
} as const;

/** Whether a row's keys are a verdict row of this layout (what the stream passes to the arbiter). */
export function isVerdictRow(pk: string | undefined, sk: string | undefined): boolean {
  return pk?.startsWith(keys.vantagePrefix) === true && sk?.startsWith(keys.verdictPrefix) === true;
}

/** The group a verdict row is about (`v#<vantage>` / `n#<group>#<node>`), or undefined. */
export function groupOfVerdictRow(pk: string | undefined, sk: string | undefined): string | undefined {
  if (!isVerdictRow(pk, sk)) return undefined;
  const [, group, node] = (sk as string).split('#');
  return group && node ? group : undefined;
}

/** The group id of a `g#<group>` partition key, or undefined. */
export function groupOfPk(pk: string | undefined): string | undefined {
  return pk?.startsWith('g#') ? pk.slice(2) : undefined;
}

function part(what: string, id: string): string {
  if (id.includes('#')) throw new Error(`table key: ${what} id ${JSON.stringify(id)} must not contain '#'`);
  return id;
}
