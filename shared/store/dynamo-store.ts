import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DynamoDBClient,
  type KeysAndAttributes,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { NodeHealth, VerdictStatus } from '../constants';
import { LeaseHeldError, LeaseLostError, StaleEpochError, StoreError } from '../errors';
import {
  emptyState,
  type GroupState,
  type HistoryEvent,
  type Lease,
  type ProbeResult,
  type Verdict,
} from '../model';
import { keys } from './keys';
import type {
  ControlStore,
  FailoverStart,
  GroupSnapshot,
  GroupStore,
  MoveRecord,
  VerdictStore,
} from './ports';
import { TTL_ATTRIBUTE } from './table-schema';
import { withStreak } from './verdict-row';

type Item = Record<string, unknown>;

/** Options of the DynamoDB adapter. */
export interface DynamoStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
  /**
   * The vantages whose heartbeats readGroup reads for a group (the group's `vantages` in the
   * config), or one list for every group. Without it readGroup first reads the group's verdict
   * rows to learn their vantages: one more query per read, same result.
   */
  vantages?: readonly string[] | ((group: string) => readonly string[]);
}

/** Keys per BatchGetItem request (the DynamoDB limit). */
const BATCH_GET_MAX_KEYS = 100;
/** Rounds of a BatchGetItem that DynamoDB answered only in part (UnprocessedKeys). */
const BATCH_GET_ATTEMPTS = 5;
const BATCH_GET_BACKOFF_MS = 25;

function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/**
 * The table adapter for both the arbiter (GroupStore) and the probers (VerdictStore).
 * Every read a decision depends on is a ConsistentRead.
 */
export class DynamoStore implements GroupStore, VerdictStore, ControlStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly vantages: ((group: string) => readonly string[]) | undefined;

  constructor(options: DynamoStoreOptions) {
    this.client = options.client ?? new DynamoDBClient({});
    this.table = options.tableName;
    const v = options.vantages;
    this.vantages = typeof v === 'function' ? v : v ? () => v : undefined;
  }

  /*
   * Heartbeats first, then the group's rows, both consistent reads. A heartbeat vouches for
   * the rows its vantage had stored when it was written, so it may only raise rows read after
   * it: read the other way round, a verdict row read just before its prober rewrote it would
   * be raised by the heartbeat that followed the rewrite, and an outdated verdict would look
   * fresh. Read in this order, the result is never fresher than one atomic read of both.
   * Rows of the group partition other than `state` and `v#` (such as the per-group `hb#`
   * heartbeats of earlier versions) are ignored, and so is a verdict row's `streak` (a count
   * in progress that only the prober continues, never a verdict).
   */
  async readGroup(group: string): Promise<GroupSnapshot> {
    const pk = keys.groupPk(group);
    const vantages =
      this.vantages?.(group) ??
      (await this.queryAll(pk, keys.verdictPrefix)).map((item) => String(item.vantage));
    const heartbeats = await this.readHeartbeats(vantages);
    const items = await this.queryAll(pk);
    let state = emptyState(group);
    const verdicts: Verdict[] = [];
    for (const item of items) {
      const sk = String(item.sk);
      if (sk === keys.state) state = toState(group, item);
      else if (sk.startsWith(keys.verdictPrefix)) verdicts.push(toVerdict(item));
    }
    for (const v of verdicts) {
      const hb = heartbeats.get(v.vantage);
      if (hb !== undefined && hb > v.seenAt) v.seenAt = hb;
    }
    return { state, verdicts };
  }

  /*
   * The race this condition closes:
   *   t0  arbiter A and arbiter B both read the group: lease free, both decide "fail over".
   *   t1  A writes owner=A, epoch=e+1: the condition holds (free), the write succeeds.
   *   t2  B writes owner=B: the condition fails (A holds it, not expired); B learns A's name
   *       from ALL_OLD and stands down. Only one conditional write on one item can win.
   * An expired lease (holder crashed) can be taken; the epoch rises so the old holder's
   * extend and state writes, which are conditioned on its epoch, fail from then on.
   */
  async acquireLease(group: string, owner: string, now: number, leaseMs: number): Promise<Lease> {
    const expiresAt = now + leaseMs;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(group), sk: keys.state }),
          UpdateExpression:
            'SET leaseOwner = :me, leaseExpiresAt = :exp, leaseEpoch = if_not_exists(leaseEpoch, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: marshall({
            ':me': owner,
            ':exp': expiresAt,
            ':zero': 0,
            ':one': 1,
            ':now': now,
          }),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = unmarshall(out.Attributes ?? {});
      return { group, owner, epoch: Number(item.leaseEpoch), expiresAt };
    } catch (error) {
      if (isConditionFailure(error)) {
        const old = error.Item ? unmarshall(error.Item) : {};
        throw new LeaseHeldError(
          group,
          old.leaseOwner as string | undefined,
          old.leaseEpoch as number | undefined,
          old.leaseExpiresAt as number | undefined,
        );
      }
      throw storeError(`acquire lease of ${group}`, error);
    }
  }

  /*
   * The race this condition closes: our lease expired while we were slow (GC pause, SDK
   * retries) and another arbiter took it with epoch e+1. Our next extend is conditioned on
   * owner AND epoch, so it fails and we stop before our next EC2 mutation.
   */
  async extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    const expiresAt = now + leaseMs;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(lease.group), sk: keys.state }),
          UpdateExpression: 'SET leaseExpiresAt = :exp',
          ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
          ExpressionAttributeValues: marshall({ ':me': lease.owner, ':e': lease.epoch, ':exp': expiresAt }),
        }),
      );
      return { ...lease, expiresAt };
    } catch (error) {
      if (isConditionFailure(error))
        throw new LeaseLostError(lease.group, lease.owner, lease.epoch, { cause: error });
      throw storeError(`extend lease of ${lease.group}`, error);
    }
  }

  async releaseLease(lease: Lease): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(lease.group), sk: keys.state }),
          UpdateExpression: 'REMOVE leaseOwner SET leaseExpiresAt = :zero',
          ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
          ExpressionAttributeValues: marshall({ ':me': lease.owner, ':e': lease.epoch, ':zero': 0 }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw storeError(`release lease of ${lease.group}`, error);
    }
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
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(lease.group), sk: keys.state }),
          UpdateExpression: update,
          ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new StaleEpochError(lease.group, lease.epoch, { cause: error });
      throw storeError(`record move of ${lease.group}`, error);
    }
  }

  /*
   * The race this write closes (found by the simulator): EC2 applies a failover, then the move
   * fails (say, a throttled read-back) or the arbiter dies before recordMove. With nothing
   * stamped, the next arbiter sees no recent failover and may fail over again at once, inside
   * the cooldown. Conditioned on our epoch like recordMove; active, holders and moveEpoch stay.
   */
  async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(lease.group), sk: keys.state }),
          UpdateExpression: 'SET lastFailoverAt = :lf, failoverTimes = :ft',
          ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
          ExpressionAttributeValues: marshall({
            ':me': lease.owner,
            ':e': lease.epoch,
            ':lf': start.lastFailoverAt,
            ':ft': start.failoverTimes,
          }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new StaleEpochError(lease.group, lease.epoch, { cause: error });
      throw storeError(`record failover start of ${lease.group}`, error);
    }
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
    return this.conditional(
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
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(group), sk: keys.state }),
          UpdateExpression: update,
          ExpressionAttributeNames: names,
          ...(sets.length ? { ExpressionAttributeValues: marshall(values) } : {}),
        }),
      );
    } catch (error) {
      throw storeError(`save health of ${group}`, error);
    }
  }

  async setAlert(group: string, key: string, value: string | undefined): Promise<boolean> {
    if (value === undefined) {
      return this.conditional(group, 'REMOVE #a', 'attribute_exists(#a)', { '#a': `alert:${key}` }, {});
    }
    return this.conditional(
      group,
      'SET #a = :v',
      'attribute_not_exists(#a)',
      { '#a': `alert:${key}` },
      { ':v': value },
    );
  }

  async openBreaker(group: string, now: number): Promise<boolean> {
    return this.conditional(
      group,
      'SET breakerOpenSince = :now',
      'attribute_not_exists(breakerOpenSince)',
      undefined,
      {
        ':now': now,
      },
    );
  }

  async setBan(group: string, node: string, expiresAt: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(group), sk: keys.state }),
          UpdateExpression: 'SET #b = :e',
          ExpressionAttributeNames: { '#b': `ban:${node}` },
          ExpressionAttributeValues: marshall({ ':e': expiresAt }),
        }),
      );
    } catch (error) {
      throw storeError(`ban ${node} in ${group}`, error);
    }
  }

  async clearBan(group: string, node: string): Promise<boolean> {
    return this.conditional(group, 'REMOVE #b', 'attribute_exists(#b)', { '#b': `ban:${node}` }, {});
  }

  /* Conditional on the current value so that two operators pausing at once notify once. */
  async setPaused(group: string, paused: boolean): Promise<boolean> {
    const condition = paused ? 'attribute_not_exists(paused) OR paused = :no' : 'paused = :yes';
    return this.conditional(group, 'SET paused = :p', condition, undefined, {
      ':p': paused,
      ...(paused ? { ':no': false } : { ':yes': true }),
    });
  }

  async resetCounters(group: string, alerts: readonly string[]): Promise<void> {
    const names: Record<string, string> = {};
    alerts.forEach((key, i) => {
      names[`#a${i}`] = `alert:${key}`;
    });
    const removes = ['breakerOpenSince', 'lastFailoverAt', ...Object.keys(names)].join(', ');
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(group), sk: keys.state }),
          UpdateExpression: `SET failoverTimes = :none REMOVE ${removes}`,
          ...(alerts.length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: marshall({ ':none': [] }),
        }),
      );
    } catch (error) {
      throw storeError(`reset counters of ${group}`, error);
    }
  }

  async appendHistory(event: HistoryEvent, ttlDays: number): Promise<void> {
    const sk = `${new Date(event.at).toISOString()}#${Math.random().toString(36).slice(2, 8)}`;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(
            {
              pk: keys.historyPk(event.group),
              sk,
              ...event,
              [TTL_ATTRIBUTE]: Math.floor(event.at / 1000) + ttlDays * 86_400,
            },
            { removeUndefinedValues: true, convertClassInstanceToMap: true },
          ),
        }),
      );
    } catch (error) {
      throw storeError(`append history of ${event.group}`, error);
    }
  }

  async readHistory(group: string, limit: number): Promise<HistoryEvent[]> {
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: marshall({ ':pk': keys.historyPk(group) }),
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((i) => {
        const item = unmarshall(i);
        return {
          group,
          at: Number(item.at),
          event: String(item.event),
          severity: String(item.severity),
          summary: String(item.summary),
          ...(item.detail ? { detail: item.detail as Record<string, unknown> } : {}),
        };
      });
    } catch (error) {
      throw storeError(`read history of ${group}`, error);
    }
  }

  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    const all = await Promise.all(
      groups.map((g) => this.queryAll(keys.groupPk(g), `${keys.verdictPrefix}${vantage}#`)),
    );
    return all.flat().map((item) => withStreak(toVerdict(item), item));
  }

  async putVerdict(verdict: Verdict): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(
            { pk: keys.groupPk(verdict.group), sk: keys.verdict(verdict.vantage, verdict.node), ...verdict },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      throw storeError(`write verdict ${verdict.vantage}/${verdict.node}`, error);
    }
  }

  async putHeartbeat(vantage: string, at: number): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ pk: keys.heartbeatPk(vantage), sk: keys.heartbeat, vantage, at }),
        }),
      );
    } catch (error) {
      throw storeError(`write heartbeat of ${vantage}`, error);
    }
  }

  /**
   * The latest heartbeat of each vantage (epoch ms), with ConsistentRead: one BatchGetItem
   * (one read unit per vantage), repeated only for keys DynamoDB left unprocessed.
   */
  private async readHeartbeats(vantages: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const unique = [...new Set(vantages)];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) {
      let request: KeysAndAttributes | undefined = {
        Keys: unique
          .slice(i, i + BATCH_GET_MAX_KEYS)
          .map((v) => marshall({ pk: keys.heartbeatPk(v), sk: keys.heartbeat })),
        ConsistentRead: true,
      };
      for (let attempt = 1; request; attempt += 1) {
        let out: BatchGetItemCommandOutput;
        try {
          out = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.table]: request } }));
        } catch (error) {
          throw storeError('read heartbeats', error);
        }
        for (const raw of out.Responses?.[this.table] ?? []) {
          const item = unmarshall(raw);
          found.set(String(item.vantage), Number(item.at));
        }
        const rest = out.UnprocessedKeys?.[this.table];
        request = rest?.Keys?.length ? rest : undefined;
        if (request && attempt >= BATCH_GET_ATTEMPTS) {
          throw new StoreError(
            `DynamoDB: cannot read heartbeats: ${request.Keys?.length} keys still unprocessed after ${attempt} attempts`,
          );
        }
        if (request) await sleep(BATCH_GET_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
    return found;
  }

  private async conditional(
    group: string,
    update: string,
    condition: string,
    names: Record<string, string> | undefined,
    values: Item,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(group), sk: keys.state }),
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: marshall(values) } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeError(`update state of ${group}`, error);
    }
  }

  private async queryAll(pk: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
            ExpressionAttributeValues: marshall(skPrefix ? { ':pk': pk, ':p': skPrefix } : { ':pk': pk }),
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const i of out.Items ?? []) items.push(unmarshall(i));
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw storeError(`read ${pk}`, error);
    }
    return items;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function storeError(what: string, error: unknown): StoreError {
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  return new StoreError(`DynamoDB: cannot ${what}: ${name}: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

function prefixed<T>(item: Item, prefix: string, map: (v: unknown) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(item)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = map(v);
  return out;
}

/** Rebuilds a GroupState from the table item. */
export function toState(group: string, item: Item): GroupState {
  const state = emptyState(group);
  if (typeof item.leaseOwner === 'string') state.leaseOwner = item.leaseOwner;
  state.leaseEpoch = Number(item.leaseEpoch ?? 0);
  state.leaseExpiresAt = Number(item.leaseExpiresAt ?? 0);
  if (typeof item.active === 'string') state.active = item.active;
  state.moveEpoch = Number(item.moveEpoch ?? 0);
  state.holders = (item.holders as Record<string, string> | undefined) ?? {};
  if (item.lastFailoverAt !== undefined) state.lastFailoverAt = Number(item.lastFailoverAt);
  state.failoverTimes = ((item.failoverTimes as unknown[] | undefined) ?? []).map(Number);
  if (item.breakerOpenSince !== undefined) state.breakerOpenSince = Number(item.breakerOpenSince);
  state.paused = item.paused === true;
  state.bans = prefixed(item, 'ban:', Number);
  state.health = prefixed(item, 'health:', (v) => v as NodeHealth);
  state.healthySince = prefixed(item, 'healthySince:', Number);
  state.alerts = prefixed(item, 'alert:', String);
  return state;
}

/**
 * The verdict of a `v#` row, without its `streak`: what the arbiter reads. Rows written before
 * streaks were carried read the same.
 */
function toVerdict(item: Item): Verdict {
  return {
    group: String(item.group),
    vantage: String(item.vantage),
    node: String(item.node),
    status: item.status as VerdictStatus,
    since: Number(item.since),
    seenAt: Number(item.seenAt),
    count: Number(item.count ?? 0),
    evidence: (item.evidence as ProbeResult[] | undefined) ?? [],
  };
}
