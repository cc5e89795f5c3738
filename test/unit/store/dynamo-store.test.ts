import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoStore, type DynamoStoreOptions } from '../../../shared/adapters/dynamo/dynamo-store';
import { LeaseHeldError, LeaseLostError, StaleEpochError, StoreError } from '../../../shared/domain/errors';
import type { Lease } from '../../../shared/domain/model';

const ddbMock = mockClient(DynamoDBClient);
afterEach(() => ddbMock.reset());

const TABLE = 'ha-arbiter';
const NOW = 1_700_000_000_000;
const KEY = marshall({ pk: 'g#web-lb', sk: 'state' });
const lease: Lease = { group: 'web-lb', owner: 'arbiter-a', epoch: 7, expiresAt: NOW + 60_000 };

/** The configured group the reads name their keys from (vantages x nodes). */
const GROUPS: DynamoStoreOptions['groups'] = [
  { id: 'web-lb', vantages: ['az-a', 'az-c'], nodes: [{ id: 'lb-1' }, { id: 'lb-2' }] },
];

const store = (options: Pick<DynamoStoreOptions, 'groups'> = { groups: GROUPS }) =>
  new DynamoStore({ tableName: TABLE, client: new DynamoDBClient({ region: 'us-east-1' }), ...options });

function conditionFailed(item?: Record<string, unknown>) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    ...(item ? { Item: marshall(item) } : {}),
  });
}

const updateInput = (i = 0) => ddbMock.commandCalls(UpdateItemCommand)[i]!.args[0].input;

describe('DynamoStore', () => {
  describe('acquireLease', () => {
    const TAKE =
      'SET leaseOwner = :me, leaseExpiresAt = :exp, leaseEpoch = if_not_exists(leaseEpoch, :zero) + :one, ' +
      'leaseVersion = if_not_exists(leaseVersion, :zero) + :one';

    it('takes a free lease with one conditional write that raises the epoch, comparing no clock', async () => {
      ddbMock.on(UpdateItemCommand).resolves({ Attributes: marshall({ leaseEpoch: 8 }) });
      const got = await store().acquireLease('web-lb', 'arbiter-a', NOW, 60_000);
      expect(got).toEqual({ group: 'web-lb', owner: 'arbiter-a', epoch: 8, expiresAt: NOW + 60_000 });
      expect(updateInput()).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: TAKE,
        ConditionExpression: 'attribute_not_exists(leaseOwner)',
        ExpressionAttributeValues: marshall({
          ':me': 'arbiter-a',
          ':exp': NOW + 60_000,
          ':zero': 0,
          ':one': 1,
        }),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    });

    it('takes a held lease only on the exact record it was given (owner, epoch, version)', async () => {
      ddbMock.on(UpdateItemCommand).resolves({ Attributes: marshall({ leaseEpoch: 8 }) });
      await store().acquireLease('web-lb', 'arbiter-a', NOW, 60_000, {
        owner: 'arbiter-b',
        epoch: 7,
        version: 12,
      });
      expect(updateInput()).toMatchObject({
        UpdateExpression: TAKE,
        ConditionExpression:
          'attribute_not_exists(leaseOwner) OR (leaseOwner = :owner AND leaseEpoch = :epoch AND leaseVersion = :v)',
        ExpressionAttributeValues: marshall({
          ':me': 'arbiter-a',
          ':exp': NOW + 60_000,
          ':zero': 0,
          ':one': 1,
          ':owner': 'arbiter-b',
          ':epoch': 7,
          ':v': 12,
        }),
      });
    });

    it('takes a record written before versions only while it still has none', async () => {
      ddbMock.on(UpdateItemCommand).resolves({ Attributes: marshall({ leaseEpoch: 8 }) });
      await store().acquireLease('web-lb', 'arbiter-a', NOW, 60_000, {
        owner: 'arbiter-b',
        epoch: 7,
        version: 0,
      });
      expect(updateInput().ConditionExpression).toBe(
        'attribute_not_exists(leaseOwner) OR (leaseOwner = :owner AND leaseEpoch = :epoch AND attribute_not_exists(leaseVersion))',
      );
    });

    it('turns a failed condition into LeaseHeldError naming the holder and version from ALL_OLD', async () => {
      ddbMock.on(UpdateItemCommand).rejects(
        conditionFailed({
          leaseOwner: 'arbiter-b',
          leaseEpoch: 7,
          leaseExpiresAt: NOW + 30_000,
          leaseVersion: 3,
        }),
      );
      const error = await store()
        .acquireLease('web-lb', 'arbiter-a', NOW, 60_000)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LeaseHeldError);
      expect(error).toMatchObject({ holder: 'arbiter-b', epoch: 7, expiresAt: NOW + 30_000, version: 3 });
      expect((error as Error).message).toContain('held by arbiter-b (epoch 7');
    });

    it('turns any other failure into StoreError naming the operation', async () => {
      ddbMock.on(UpdateItemCommand).rejects(
        Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
          name: 'ProvisionedThroughputExceededException',
        }),
      );
      const error = await store()
        .acquireLease('web-lb', 'arbiter-a', NOW, 60_000)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toBe(
        'DynamoDB: cannot acquire lease of web-lb: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput',
      );
    });
  });

  describe('extendLease', () => {
    it('extends only while owner and epoch are still ours', async () => {
      ddbMock.on(UpdateItemCommand).resolves({});
      const got = await store().extendLease(lease, NOW + 10_000, 60_000);
      expect(got).toEqual({ ...lease, expiresAt: NOW + 70_000 });
      expect(updateInput()).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression:
          'SET leaseExpiresAt = :exp, leaseVersion = if_not_exists(leaseVersion, :zero) + :one',
        ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
        ExpressionAttributeValues: marshall({
          ':me': 'arbiter-a',
          ':e': 7,
          ':exp': NOW + 70_000,
          ':zero': 0,
          ':one': 1,
        }),
      });
    });

    it('throws LeaseLostError when the condition fails', async () => {
      ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
      await expect(store().extendLease(lease, NOW, 60_000)).rejects.toThrow(LeaseLostError);
    });

    it('throws StoreError on other failures', async () => {
      ddbMock.on(UpdateItemCommand).rejects(new Error('socket hang up'));
      await expect(store().extendLease(lease, NOW, 60_000)).rejects.toThrow(StoreError);
    });
  });

  describe('releaseLease', () => {
    it('frees the lease only if it is still ours, and ignores a lease already taken over', async () => {
      ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
      await expect(store().releaseLease(lease)).resolves.toBeUndefined();
      expect(updateInput()).toMatchObject({
        UpdateExpression: 'REMOVE leaseOwner SET leaseExpiresAt = :zero',
        ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
        ExpressionAttributeValues: marshall({ ':me': 'arbiter-a', ':e': 7, ':zero': 0 }),
      });
    });
  });

  describe('recordMove', () => {
    it('writes the holders conditionally on our owner and epoch', async () => {
      ddbMock.on(UpdateItemCommand).resolves({});
      await store().recordMove(lease, {
        active: 'lb-2',
        holders: { 'elastic-ip eipalloc-01': 'lb-2' },
        lastFailoverAt: NOW,
        failoverTimes: [NOW - 1000, NOW],
      });
      expect(updateInput()).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression:
          'SET active = :active, holders = :holders, moveEpoch = :e, lastFailoverAt = :lf, failoverTimes = :ft',
        ConditionExpression: 'leaseOwner = :me AND leaseEpoch = :e',
        ExpressionAttributeValues: marshall({
          ':me': 'arbiter-a',
          ':e': 7,
          ':active': 'lb-2',
          ':holders': { 'elastic-ip eipalloc-01': 'lb-2' },
          ':lf': NOW,
          ':ft': [NOW - 1000, NOW],
        }),
      });
    });

    it('leaves the failover counters alone for a repair', async () => {
      ddbMock.on(UpdateItemCommand).resolves({});
      await store().recordMove(lease, { active: 'lb-2', holders: {} });
      expect(updateInput().UpdateExpression).toBe('SET active = :active, holders = :holders, moveEpoch = :e');
    });

    it('throws StaleEpochError when a newer epoch holds the item', async () => {
      ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
      await expect(store().recordMove(lease, { active: 'lb-2', holders: {} })).rejects.toThrow(
        StaleEpochError,
      );
    });

    it('throws StoreError on other failures', async () => {
      ddbMock.on(UpdateItemCommand).rejects(new Error('timeout'));
      await expect(store().recordMove(lease, { active: 'lb-2', holders: {} })).rejects.toThrow(StoreError);
    });
  });

  describe('deduplicating writes', () => {
    it('moves a node health only from the value it read', async () => {
      ddbMock.on(UpdateItemCommand).resolves({});
      expect(await store().transitionHealth('web-lb', 'lb-1', 'HEALTHY', 'DOWN')).toBe(true);
      expect(updateInput()).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET #h = :to',
        ConditionExpression: '#h = :from',
        ExpressionAttributeNames: { '#h': 'health:lb-1' },
        ExpressionAttributeValues: marshall({ ':to': 'DOWN', ':from': 'HEALTHY' }),
      });
    });

    it('records a first health only if none is recorded, and reports a lost race as false', async () => {
      ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
      expect(await store().transitionHealth('web-lb', 'lb-1', undefined, 'DOWN')).toBe(false);
      expect(updateInput().ConditionExpression).toBe('attribute_not_exists(#h)');
    });

    it('opens an alert only if it is not open, and closes it only if it is', async () => {
      ddbMock.on(UpdateItemCommand).resolves({});
      await store().setAlert('web-lb', 'no-healthy-target', 'lb-1');
      await store().setAlert('web-lb', 'no-healthy-target', undefined);
      expect(updateInput(0)).toMatchObject({
        UpdateExpression: 'SET #a = :v',
        ConditionExpression: 'attribute_not_exists(#a)',
        ExpressionAttributeNames: { '#a': 'alert:no-healthy-target' },
        ExpressionAttributeValues: marshall({ ':v': 'lb-1' }),
      });
      expect(updateInput(1)).toEqual({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'REMOVE #a',
        ConditionExpression: 'attribute_exists(#a)',
        ExpressionAttributeNames: { '#a': 'alert:no-healthy-target' },
      });
    });

    it('opens the breaker only once', async () => {
      ddbMock.on(UpdateItemCommand).resolvesOnce({}).rejects(conditionFailed());
      expect(await store().openBreaker('web-lb', NOW)).toBe(true);
      expect(await store().openBreaker('web-lb', NOW)).toBe(false);
      expect(updateInput()).toMatchObject({
        UpdateExpression: 'SET breakerOpenSince = :now',
        ConditionExpression: 'attribute_not_exists(breakerOpenSince)',
      });
    });

    it('throws StoreError when the table cannot be reached', async () => {
      ddbMock.on(UpdateItemCommand).rejects(new Error('ECONNREFUSED'));
      await expect(store().setAlert('web-lb', 'x', 'y')).rejects.toThrow(StoreError);
    });
  });

  describe('reads', () => {
    const verdictRow = {
      pk: 'v#az-a',
      sk: 'n#web-lb#lb-1',
      group: 'web-lb',
      vantage: 'az-a',
      node: 'lb-1',
      status: 'DOWN',
      since: NOW - 50_000,
      seenAt: NOW - 40_000,
      count: 2,
      evidence: [],
      seq: 17,
    };
    const heartbeatRow = (vantage: string, at: number) =>
      marshall({ pk: `v#${vantage}`, sk: 'hb', vantage, at });
    const heartbeatKeys = [marshall({ pk: 'v#az-a', sk: 'hb' }), marshall({ pk: 'v#az-c', sk: 'hb' })];
    const groupKeys = [
      marshall({ pk: 'g#web-lb', sk: 'state' }),
      marshall({ pk: 'v#az-a', sk: 'n#web-lb#lb-1' }),
      marshall({ pk: 'v#az-a', sk: 'n#web-lb#lb-2' }),
      marshall({ pk: 'v#az-c', sk: 'n#web-lb#lb-1' }),
      marshall({ pk: 'v#az-c', sk: 'n#web-lb#lb-2' }),
    ];
    const batchKeys = (i: number) =>
      ddbMock.commandCalls(BatchGetItemCommand)[i]!.args[0].input.RequestItems?.[TABLE]?.Keys;

    it('reads the heartbeats, then the state and every verdict key of the group, with ConsistentRead, and raises seenAt', async () => {
      ddbMock
        .on(BatchGetItemCommand)
        .resolvesOnce({ Responses: { [TABLE]: [heartbeatRow('az-a', NOW - 5_000)] } })
        .resolvesOnce({
          Responses: {
            [TABLE]: [
              marshall(verdictRow),
              marshall({
                pk: 'g#web-lb',
                sk: 'state',
                leaseEpoch: 3,
                leaseExpiresAt: 0,
                'health:lb-1': 'DOWN',
                'alert:x': 'y',
              }),
            ],
          },
        });
      const snapshot = await store().readGroup('web-lb');
      expect(ddbMock.calls()).toHaveLength(2);
      expect(ddbMock.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input)).toEqual([
        { RequestItems: { [TABLE]: { Keys: heartbeatKeys, ConsistentRead: true } } },
        { RequestItems: { [TABLE]: { Keys: groupKeys, ConsistentRead: true } } },
      ]);
      // The streak and seq of a row are the prober's; the arbiter's verdict has neither.
      expect(snapshot.verdicts).toEqual([
        {
          group: 'web-lb',
          vantage: 'az-a',
          node: 'lb-1',
          status: 'DOWN',
          since: NOW - 50_000,
          seenAt: NOW - 5_000,
          count: 2,
          evidence: [],
        },
      ]);
      expect(snapshot.state).toMatchObject({ leaseEpoch: 3, health: { 'lb-1': 'DOWN' }, alerts: { x: 'y' } });
    });

    it('reads only the state item of a group it was not configured with (no vantage to read)', async () => {
      ddbMock.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
      const snapshot = await store().readGroup('nat');
      expect(ddbMock.commandCalls(BatchGetItemCommand)).toHaveLength(1);
      expect(batchKeys(0)).toEqual([marshall({ pk: 'g#nat', sk: 'state' })]);
      expect(snapshot.verdicts).toEqual([]);
    });

    it('asks again for keys DynamoDB left unprocessed, and gives up with a StoreError', async () => {
      const unprocessed = { [TABLE]: { Keys: [heartbeatKeys[0]!], ConsistentRead: true } };
      ddbMock
        .on(BatchGetItemCommand)
        .resolvesOnce({ Responses: { [TABLE]: [] }, UnprocessedKeys: unprocessed })
        .resolvesOnce({ Responses: { [TABLE]: [heartbeatRow('az-a', NOW - 1_000)] } })
        .resolvesOnce({ Responses: { [TABLE]: [marshall(verdictRow)] } });
      const snapshot = await store().readGroup('web-lb');
      expect(ddbMock.commandCalls(BatchGetItemCommand)[1]!.args[0].input).toEqual({
        RequestItems: unprocessed,
      });
      expect(batchKeys(2)).toEqual(groupKeys);
      expect(snapshot.verdicts.map((v) => v.seenAt)).toEqual([NOW - 1_000]);

      ddbMock.reset();
      ddbMock.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: unprocessed });
      await expect(store().readGroup('web-lb')).rejects.toThrow(
        'DynamoDB: cannot read heartbeats: 1 keys still unprocessed after 5 attempts',
      );
      expect(ddbMock.commandCalls(BatchGetItemCommand)).toHaveLength(5);
    });

    it('splits a group of more than 100 keys into requests of 100, all after the heartbeats', async () => {
      const nodes = Array.from({ length: 60 }, (_, i) => ({ id: `n${i}` }));
      ddbMock.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
      await store({ groups: [{ id: 'big', vantages: ['az-a', 'az-c'], nodes }] }).readGroup('big');
      expect([0, 1, 2].map((i) => batchKeys(i)?.length)).toEqual([2, 100, 21]);
    });

    it('reads history newest first with ConsistentRead', async () => {
      ddbMock.on(QueryCommand).resolves({ Items: [] });
      await store().readHistory('web-lb', 5);
      expect(ddbMock.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': 'h#web-lb' }),
        ScanIndexForward: false,
        Limit: 5,
        ConsistentRead: true,
      });
    });

    it("loads a vantage's verdicts from its own partition in one query, with streak and seq, for the asked groups", async () => {
      ddbMock.on(QueryCommand).resolves({
        Items: [marshall(verdictRow), marshall({ ...verdictRow, sk: 'n#other#lb-1', group: 'other' })],
      });
      const loaded = await store().loadVerdicts('az-a', ['web-lb']);
      expect(ddbMock.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: marshall({ ':pk': 'v#az-a', ':p': 'n#' }),
        ConsistentRead: true,
      });
      const { pk: _pk, sk: _sk, ...stored } = verdictRow;
      expect(loaded).toEqual([stored]);
    });

    it('turns a failed read into StoreError', async () => {
      ddbMock.on(BatchGetItemCommand).rejects(new Error('ECONNREFUSED'));
      await expect(store().readGroup('web-lb')).rejects.toThrow(StoreError);
    });
  });

  describe('writes', () => {
    it('writes a history row with a TTL of ttlDays after the event', async () => {
      ddbMock.on(PutItemCommand).resolves({});
      await store().appendHistory(
        {
          group: 'web-lb',
          at: NOW,
          event: 'node-down',
          severity: 'warning',
          summary: 's',
          detail: { reason: 'r' },
        },
        30,
      );
      const item = ddbMock.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
      expect(item.pk).toEqual({ S: 'h#web-lb' });
      expect(item.sk?.S).toMatch(/^2023-11-14T22:13:20\.000Z#[a-z0-9]+$/);
      expect(item.ttl).toEqual({ N: String(NOW / 1000 + 30 * 86_400) });
    });

    const up = {
      group: 'web-lb',
      vantage: 'az-a',
      node: 'lb-1',
      status: 'UP' as const,
      since: NOW,
      seenAt: NOW,
      count: 2,
      evidence: [{ ok: true, latencyMs: 3, at: NOW }],
    };

    it("writes a verdict row in its vantage's partition, only over an older write", async () => {
      ddbMock.on(PutItemCommand).resolves({});
      expect(await store().putVerdict({ ...up, seq: 42 })).toBe(true);
      const input = ddbMock.commandCalls(PutItemCommand)[0]!.args[0].input;
      expect(input).toMatchObject({
        TableName: TABLE,
        ConditionExpression: 'attribute_not_exists(#seq) OR #seq < :seq',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: marshall({ ':seq': 42 }),
      });
      expect(input.Item).toMatchObject({
        pk: { S: 'v#az-a' },
        sk: { S: 'n#web-lb#lb-1' },
        status: { S: 'UP' },
        seq: { N: '42' },
      });
    });

    it('drops a verdict write whose condition fails (a newer one is there) and says so, without an error', async () => {
      ddbMock.on(PutItemCommand).rejects(conditionFailed());
      expect(await store().putVerdict({ ...up, seq: 41 })).toBe(false);
    });

    it('lets a verdict without seq replace only a row without one', async () => {
      ddbMock.on(PutItemCommand).resolves({});
      await store().putVerdict(up);
      const input = ddbMock.commandCalls(PutItemCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toBe('attribute_not_exists(#seq)');
      expect(input.ExpressionAttributeValues).toBeUndefined();
    });

    it("writes the heartbeat as the hb row of the vantage's partition, never back in time", async () => {
      ddbMock.on(PutItemCommand).resolvesOnce({}).rejects(conditionFailed());
      expect(await store().putHeartbeat('az-a', NOW)).toBe(true);
      expect(await store().putHeartbeat('az-a', NOW - 1)).toBe(false);
      expect(ddbMock.commandCalls(PutItemCommand)[0]!.args[0].input).toEqual({
        TableName: TABLE,
        Item: marshall({ pk: 'v#az-a', sk: 'hb', vantage: 'az-a', at: NOW }),
        ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: marshall({ ':at': NOW }),
      });
    });

    it('turns any other write failure into StoreError naming the row', async () => {
      ddbMock.on(PutItemCommand).rejects(new Error('ECONNREFUSED'));
      await expect(store().putVerdict({ ...up, seq: 1 })).rejects.toThrow(
        'DynamoDB: cannot write verdict az-a/web-lb/lb-1: Error: ECONNREFUSED',
      );
    });
  });
});
