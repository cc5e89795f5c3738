import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DynamoDBClient,
  type KeysAndAttributes,
  PutItemCommand,
  type PutItemCommandInput,
  type PutItemCommandOutput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { StoreError } from '../../domain/errors';
import type { Item } from './rows';

/** Where the DynamoDB adapters find their table. */
export interface DynamoTableOptions {
  tableName: string;
  client?: DynamoDBClient;
}

/**
 * What a conditional write answers when its condition fails: a value for the caller, or a
 * thrown typed error (LeaseHeldError, StaleEpochError...).
 */
export type OnConditionFailed<T> = (error: ConditionalCheckFailedException) => T;

/** Keys per BatchGetItem request (the DynamoDB limit). */
const BATCH_GET_MAX_KEYS = 100;
/** Rounds of a BatchGetItem that DynamoDB answered only in part (UnprocessedKeys). */
const BATCH_GET_ATTEMPTS = 5;
const BATCH_GET_BACKOFF_MS = 25;

/** The value `updateIf` and `putIf` see when the condition failed. */
const CONDITION_FAILED = Symbol('condition failed');

/**
 * One table and the client that reaches it: the I/O the DynamoDB adapters share. Every call
 * goes through one `send`, which maps a failed condition to what the caller asked for and any
 * other failure to a StoreError naming the operation.
 */
export class DynamoTable {
  readonly name: string;
  private readonly client: DynamoDBClient;

  constructor(options: DynamoTableOptions) {
    this.client = options.client ?? new DynamoDBClient({});
    this.name = options.tableName;
  }

  /** UpdateItem. A failed condition goes to `onConditionFailed`, or is a StoreError without it. */
  update<T = never>(
    what: string,
    input: Omit<UpdateItemCommandInput, 'TableName'>,
    onConditionFailed?: OnConditionFailed<T>,
  ): Promise<UpdateItemCommandOutput | T> {
    return this.send(
      what,
      () => this.client.send(new UpdateItemCommand({ TableName: this.name, ...input })),
      onConditionFailed,
    );
  }

  /** A conditional UpdateItem: true if it was applied, false if its condition failed. */
  async updateIf(what: string, input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<boolean> {
    return (await this.update(what, input, () => CONDITION_FAILED)) !== CONDITION_FAILED;
  }

  /** PutItem. A failed condition goes to `onConditionFailed`, or is a StoreError without it. */
  put<T = never>(
    what: string,
    input: Omit<PutItemCommandInput, 'TableName'>,
    onConditionFailed?: OnConditionFailed<T>,
  ): Promise<PutItemCommandOutput | T> {
    return this.send(
      what,
      () => this.client.send(new PutItemCommand({ TableName: this.name, ...input })),
      onConditionFailed,
    );
  }

  /** A conditional PutItem: true if it was applied, false if its condition failed. */
  async putIf(what: string, input: Omit<PutItemCommandInput, 'TableName'>): Promise<boolean> {
    return (await this.put(what, input, () => CONDITION_FAILED)) !== CONDITION_FAILED;
  }

  /** One page of a Query. */
  query(what: string, input: Omit<QueryCommandInput, 'TableName'>): Promise<QueryCommandOutput> {
    return this.send(what, () => this.client.send(new QueryCommand({ TableName: this.name, ...input })));
  }

  /** Every row of a partition (or of its sort keys under a prefix), with ConsistentRead. */
  async queryAll(pk: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.query(`read ${pk}`, {
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
        ExpressionAttributeValues: marshall(skPrefix ? { ':pk': pk, ':p': skPrefix } : { ':pk': pk }),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const i of out.Items ?? []) items.push(unmarshall(i));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * The items of the given keys that exist, with ConsistentRead: one BatchGetItem per hundred
   * keys (one read unit per key), repeated only for keys DynamoDB left unprocessed.
   * @throws StoreError if keys are still unprocessed after a few rounds.
   */
  async batchGet(what: string, keys: readonly Item[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS) {
      let request: KeysAndAttributes | undefined = {
        Keys: keys.slice(i, i + BATCH_GET_MAX_KEYS).map((key) => marshall(key)),
        ConsistentRead: true,
      };
      for (let attempt = 1; request; attempt += 1) {
        const sent: KeysAndAttributes = request;
        const out: BatchGetItemCommandOutput = await this.send(what, () =>
          this.client.send(new BatchGetItemCommand({ RequestItems: { [this.name]: sent } })),
        );
        for (const raw of out.Responses?.[this.name] ?? []) found.push(unmarshall(raw));
        const rest = out.UnprocessedKeys?.[this.name];
        request = rest?.Keys?.length ? rest : undefined;
        if (request && attempt >= BATCH_GET_ATTEMPTS) {
          throw new StoreError(
            `DynamoDB: cannot ${what}: ${request.Keys?.length} keys still unprocessed after ${attempt} attempts`,
          );
        }
        if (request) await sleep(BATCH_GET_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
    return found;
  }

  /** The one place a table call is tried: condition failures and other errors are mapped here. */
  private async send<Out, T = never>(
    what: string,
    call: () => Promise<Out>,
    onConditionFailed?: OnConditionFailed<T>,
  ): Promise<Out | T> {
    try {
      return await call();
    } catch (error) {
      if (onConditionFailed && isConditionFailure(error)) return onConditionFailed(error);
      throw storeError(what, error);
    }
  }
}

function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

function storeError(what: string, error: unknown): StoreError {
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  return new StoreError(`DynamoDB: cannot ${what}: ${name}: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
