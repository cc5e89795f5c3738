import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { NodeHealth } from '../../domain/constants';
import { EGRESS_NODE } from '../../domain/egress-health';
import { StaleEpochError } from '../../domain/errors';
import { emptyState, type HistoryEvent, type Lease, type Verdict } from '../../domain/model';
import type { FailoverStart, GroupSnapshot, GroupStore, MoveRecord } from '../../ports/store';
import { DynamoLease, stateKey } from './dynamo-lease';
import { DynamoTable, type DynamoTableOptions } from './dynamo-table';
import { keys } from './keys';
import { type Item, toHistoryEvent, toState, toVerdict } from './rows';
import { TTL_ATTRIBUTE } from './table-schema';

/** What the group read needs of a configured group (ArbiterConfig['groups'] fits). */
export interface GroupRows {
  id: string;
  /** The vantages that probe the group: whose heartbeats and verdict rows are read. */
  vantages: readonly string[];
  nodes: readonly { id: string }[];
  /**
   * The group's check: an egress check adds the `@egress` pseudo node to the rows of the
   * vantages behind the NAT (shared/domain/egress-health.ts probedNodes), which must be read too.
   */
  check?: { type: string; from?: readonly string[] | undefined };
}

/** The node ids a vantage keeps verdict rows for in a group. */
function rowNodes(rows: GroupRows, vantage: string): string[] {
  const ids = rows.nodes.map((n) => n.id);
  if (rows.check?.type !== 'egress') return ids;
  const behindNat = rows.check.from ?? rows.vantages;
  return behindNat.includes(vantage) ? [...ids, EGRESS_NODE] : ids;
}

/** Options of the arbiter's DynamoDB adapter. */
export interface DynamoGroupStoreOptions extends DynamoTableOptions {
  /**
   * The configured groups. A group's verdict rows live in its vantages' partitions, so
   * readGroup names them from the config (vantages x nodes). A group not listed has no
   * vantage to read: its snapshot is its state with no verdicts, which decide() reads as
   * UNKNOWN and never acts on. The lease and state writes need nothing from it. Required, so
   * that a reader cannot forget it and silently see no verdicts.
   */
  groups: readonly GroupRows[];
}

/**
 * The arbiter's side of the table (GroupStore): the group's lease and state item and its
 * history, and the reads of its vantages' rows. Every read a decision depends on is a
 * ConsistentRead.
 */
export class DynamoGroupStore implements GroupStore {
  protected readonly table: DynamoTable;
  private readonly lease: DynamoLease;
  private readonly groups: ReadonlyMap<string, GroupRows>;

  constructor(options: DynamoGroupStoreOptions) {
    this.table = new DynamoTable(options);
    this.lease = new DynamoLease(this.table);
    this.groups = new Map((options.groups ?? []).map((g) => [g.id, g]));
  }

  /*
   * Two reads, both consistent: the heartbeats of the group's vantages first, then the state
   * item and every verdict key of the group (vantages x nodes) in one BatchGetItem.
   *
   * The order is what makes heartbeats safe. A heartbeat vouches for the rows its vantage had
   * stored when it was written, so it may only raise rows read after it:
   *   t0  the arbiter reads az-a's verdict on lb-1: UP, seenAt t-40 s.
   *   t1  az-a's prober writes lb-1 DOWN, then its heartbeat (at t1).
   *   t2  the arbiter reads az-a's heartbeat t1 and raises the UP row it read at t0 to t1:
   *       an outdated verdict looks fresh.
   * Read heartbeats first and the heartbeat can only be older than the rows read after it, so
   * the result is never fresher than one atomic read of both. Other rows of the vantages'
   * partitions (their verdicts in other groups, rows of earlier layouts) are never read, and
   * a row's `streak` and `seq`, the prober's own, are left out of the verdict (toVerdict).
   * A group of more than 99 verdict keys takes a BatchGetItem per hundred keys, all of them
   * after the heartbeats.
   */
  async readGroup(group: string): Promise<GroupSnapshot> {
    const rows = this.groups.get(group) ?? { id: group, vantages: [], nodes: [] };
    const heartbeats = await this.readHeartbeats(rows.vantages);
    const verdictKeys = rows.vantages.flatMap((v) =>
      rowNodes(rows, v).map((node) => ({ pk: keys.vantagePk(v), sk: keys.verdictSk(group, node) })),
    );
    const items = await this.table.batchGet(`read group ${group}`, [
      { pk: keys.groupPk(group), sk: keys.state },
      ...verdictKeys,
    ]);
    let state = emptyState(group);
    const verdicts: Verdict[] = [];
    for (const item of items) {
      if (item.sk === keys.state) state = toState(group, item);
      else verdicts.push(toVerdict(item));
    }
    for (const v of verdicts) {
      const hb = heartbeats.get(v.vantage);
      if (hb !== undefined && hb > v.seenAt) v.seenAt = hb;
    }
    return { state, verdicts: verdicts.sort(byVantageAndNode) };
  }

  acquireLease(...args: Parameters<GroupStore['acquireLease']>): Promise<Lease> {
    return this.lease.acquire(...args);
  }

  extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    return this.lease.extend(lease, now, leaseMs);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.lease.release(lease);
  }

  /*
   * The race this condition closes: a stale actor (epoch e, lease since taken by e+1) finishes
   * its EC2 call late and tries to record "moved to X". The write is conditioned on our owner
   * and epoch still being the item's, so a newer actor's record can never be overwritten.
   */
  async recordMove(lease: Lease, move: MoveRecord): Promise<void> {
    const values: Item = {
      ':me': lease.owner,
      ':e': lease.epoch,
      ':active': move.active,
      ':holders': move.holders,
    };
    let update = 'SET active = :active, holders = :holders, moveEpoch = :e';
    if (move.lastFailoverAt !== undefined) {
      update += ', lastFailoverAt = :lf';
      values[':lf'] = move.lastFailoverAt;
    }
    if (move.failoverTimes !== undefined) {
      update += ', failoverTimes = :ft';
      values[':ft'] = move.failoverTimes;
    }
    await this.underEpoch(lease, `record move of ${lease.group}`, update, values);
  }

  /*
   * The race this write closes (found by the simulator): EC2 applies a failover, then the move
   * fails (say, a throttled read-back) or the arbiter dies before recordMove. With nothing
   * stamped, the next arbiter sees no recent failover and may fail over again at once, inside
   * the cooldown. Conditioned on our epoch like recordMove; active, holders and moveEpoch stay.
   */
  /*
   * The race this shape closes: the mover reads failoverTimes [t1, t2] under its lease; an
   * operator's `reset` empties the list; the mover writes [t1, t2, now] back and the reset is
   * undone. So the start appends its time (list_append) instead of writing the list it read,
   * and the expired entries are removed by a second, best-effort write conditioned on each
   * of them still being where the mover saw it.
   */
  async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
    const values: Item = { ':me': lease.owner, ':e': lease.epoch, ':lf': start.lastFailoverAt };
    let update = 'SET lastFailoverAt = :lf';
    if (start.countedAt !== undefined) {
      update += ', failoverTimes = list_append(if_not_exists(failoverTimes, :none), :at)';
      values[':none'] = [];
      values[':at'] = [start.countedAt];
    }
    await this.underEpoch(lease, `record failover start of ${lease.group}`, update, values);
    if (start.expired.length === 0) return;
    const at = start.expired.map((_, i) => `failoverTimes[${i}]`);
    await this.table.updateIf(`prune failover times of ${lease.group}`, {
      Key: stateKey(lease.group),
      // Highest index first: DynamoDB removes the indexes of the list as read, dynalite one
      // after the other; in this order both remove the same elements.
      UpdateExpression: `REMOVE ${[...at].reverse().join(', ')}`,
      ConditionExpression: at.map((path, i) => `${path} = :x${i}`).join(' AND '),
      ExpressionAttributeValues: marshall(Object.fromEntries(start.expired.map((t, i) => [`:x${i}`, t]))),
    });
  }

  /*
   * Two arbiters woken by the same verdict change both see lb-1 go HEALTHY -> DOWN. The
   * transition is written conditionally on the previous value, so exactly one of them
   * succeeds and sends the "node down" notification.
   */
  async transitionHealth(
    group: string,
    node: string,
    from: NodeHealth | undefined,
    to: NodeHealth,
  ): Promise<boolean> {
    const condition = from === undefined ? 'attribute_not_exists(#h)' : '#h = :from';
    return this.stateIf(
      group,
      'SET #h = :to',
      condition,
      { '#h': `health:${node}` },
      {
        ':to': to,
        ...(from !== undefined ? { ':from': from } : {}),
      },
    );
  }

  async saveHealthySince(
    group: string,
    healthySince: Record<string, number>,
    nodes: readonly string[],
  ): Promise<void> {
    const names: Record<string, string> = {};
    const values: Item = {};
    const sets: string[] = [];
    const removes: string[] = [];
    nodes.forEach((node, i) => {
      names[`#n${i}`] = `healthySince:${node}`;
      const since = healthySince[node];
      if (since === undefined) removes.push(`#n${i}`);
      else {
        values[`:n${i}`] = since;
        sets.push(`#n${i} = :n${i}`);
      }
    });
    const update = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (!update) return;
    await this.table.update(`save health of ${group}`, {
      Key: stateKey(group),
      UpdateExpression: update,
      ExpressionAttributeNames: names,
      ...(sets.length ? { ExpressionAttributeValues: marshall(values) } : {}),
    });
  }

  async setAlert(group: string, key: string, value: string | undefined): Promise<boolean> {
    if (value === undefined) {
      return this.stateIf(group, 'REMOVE #a', 'attribute_exists(#a)', { '#a': `alert:${key}` }, {});
    }
    return this.stateIf(
      group,
      'SET #a = :v',
      'attribute_not_exists(#a)',
      { '#a': `alert:${key}` },
      { ':v': value },
    );
  }

  async openBreaker(group: string, now: number): Promise<boolean> {
    return this.stateIf(
      group,
      'SET breakerOpenSince = :now',
      'attribute_not_exists(breakerOpenSince)',
      undefined,
      {
        ':now': now,
      },
    );
  }

  async appendHistory(event: HistoryEvent, ttlDays: number): Promise<void> {
    const sk = `${new Date(event.at).toISOString()}#${Math.random().toString(36).slice(2, 8)}`;
    await this.table.put(`append history of ${event.group}`, {
      Item: marshall(
        {
          pk: keys.historyPk(event.group),
          sk,
          ...event,
          [TTL_ATTRIBUTE]: Math.floor(event.at / 1000) + ttlDays * 86_400,
        },
        { removeUndefinedValues: true, convertClassInstanceToMap: true },
      ),
    });
  }

  async readHistory(group: string, limit: number): Promise<HistoryEvent[]> {
    const out = await this.table.query(`read history of ${group}`, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': keys.historyPk(group) }),
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    });
    return (out.Items ?? []).map((i) => toHistoryEvent(group, unmarshall(i)));
  }

  /** The latest heartbeat of each vantage (epoch ms), with ConsistentRead. */
  private async readHeartbeats(vantages: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.table.batchGet(
      'read heartbeats',
      [...new Set(vantages)].map((v) => ({ pk: keys.vantagePk(v), sk: keys.heartbeat })),
    );
    return new Map(rows.map((item) => [String(item.vantage), Number(item.at)]));
  }

  /** A write to the state item conditioned on our lease epoch. @throws StaleEpochError */
  private async underEpoch(lease: Lease, what: string, update: string, values: Item): Promise<void> {
    await this.table.update(
      what,
      {
        Key: stateKey(lease.group),
        UpdateExpression: update,
        ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
        ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
      },
      (error) => {
        throw new StaleEpochError(lease.group, lease.epoch, { cause: error });
      },
    );
  }

  /** A conditional update of the state item: true if this call applied it. */
  private stateIf(
    group: string,
    update: string,
    condition: string,
    names: Record<string, string> | undefined,
    values: Item,
  ): Promise<boolean> {
    return this.table.updateIf(`update state of ${group}`, {
      Key: stateKey(group),
      UpdateExpression: update,
      ConditionExpression: condition,
      ...(names ? { ExpressionAttributeNames: names } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: marshall(values) } : {}),
    });
  }
}

/** BatchGetItem answers in no particular order; the snapshot lists verdicts by key. */
function byVantageAndNode(a: Verdict, b: Verdict): number {
  const ka = `${a.vantage}#${a.node}`;
  const kb = `${b.vantage}#${b.node}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
