/**
 * What IAM checks for one DynamoDB JSON call: the action and, per table it touches, the
 * resource ARN and `dynamodb:LeadingKeys` (the partition key values the call reads or writes).
 * Batch and transaction calls are authorized item by item under the action of each part, as
 * DynamoDB does (a TransactWriteItems Put needs dynamodb:PutItem on its table).
 */

type Json = Record<string, unknown>;
type AttributeValue = Record<string, unknown>;

/** One authorization check of a DynamoDB call. */
export interface DynamoCheck {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string[]>;
}

/** Where tables live and what their partition key is called. */
export interface DynamoNames {
  readonly region: string;
  readonly accountId: string;
  /** The hash key attribute name of a table (undefined: unknown table). */
  hashKeyOf(table: string): string | undefined;
}

/** A request the front cannot map (bad JSON, unknown target): answered as a validation error. */
export class DynamoRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoRequestError';
  }
}

const TARGET = /^DynamoDB_20120810\.([A-Za-z]+)$/;
const STREAMS_TARGET = /^DynamoDBStreams_20120810\.([A-Za-z]+)$/;

/** `DynamoDB_20120810.PutItem` -> `PutItem`; streams targets keep their operation name too. */
export function operationOf(target: string | undefined): string | undefined {
  if (!target) return undefined;
  return TARGET.exec(target)?.[1] ?? STREAMS_TARGET.exec(target)?.[1];
}

/** The scalar of an attribute value as IAM sees it (`{S: "g#web"}` -> `g#web`). */
function scalar(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as AttributeValue;
  for (const type of ['S', 'N', 'B'] as const) if (typeof v[type] === 'string') return v[type] as string;
  return undefined;
}

function leadingKey(item: unknown, hashKey: string | undefined): string | undefined {
  if (!hashKey || item === null || typeof item !== 'object') return undefined;
  return scalar((item as Json)[hashKey]);
}

/**
 * The partition key value a Query's key condition fixes: `pk = :pk` (or `#k = :v`, either
 * side), resolved through ExpressionAttributeNames/Values; the legacy KeyConditions form too.
 */
function queryLeadingKey(body: Json, hashKey: string | undefined): string | undefined {
  if (!hashKey) return undefined;
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (body.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const expression = body.KeyConditionExpression;
  if (typeof expression === 'string') {
    const name = (token: string) => (token.startsWith('#') ? names[token] : token);
    for (const m of expression.matchAll(/([#:]?[A-Za-z0-9_]+)\s*=\s*([#:]?[A-Za-z0-9_]+)/g)) {
      const [, left, right] = m as unknown as [string, string, string];
      if (name(left) === hashKey && right.startsWith(':')) return scalar(values[right]);
      if (name(right) === hashKey && left.startsWith(':')) return scalar(values[left]);
    }
    return undefined;
  }
  const conditions = body.KeyConditions as Record<string, { AttributeValueList?: unknown[] }> | undefined;
  return scalar(conditions?.[hashKey]?.AttributeValueList?.[0]);
}

function tableArn(names: DynamoNames, table: string): string {
  return `arn:aws:dynamodb:${names.region}:${names.accountId}:table/${table}`;
}

function tableOf(body: Json, operation: string): string {
  const table = body.TableName;
  if (typeof table !== 'string' || table === '') {
    throw new DynamoRequestError(
      `1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null (${operation})`,
    );
  }
  return table;
}

/** Groups the leading keys of many items by (action, table) into one check each. */
class Checks {
  readonly #byKey = new Map<string, { action: string; resource: string; keys: Set<string> | undefined }>();

  add(action: string, resource: string, key: string | undefined | null): void {
    const id = `${action} ${resource}`;
    const entry = this.#byKey.get(id) ?? { action, resource, keys: new Set<string>() };
    // null: the call has no leading key at all (Scan, DescribeTable): no context key.
    if (key === null) entry.keys = undefined;
    else if (key !== undefined) entry.keys?.add(key);
    this.#byKey.set(id, entry);
  }

  list(): DynamoCheck[] {
    return [...this.#byKey.values()].map((e): DynamoCheck => {
      const context: Record<string, string[]> = {};
      if (e.keys && e.keys.size > 0) context['dynamodb:LeadingKeys'] = [...e.keys].sort();
      return { action: e.action, resource: e.resource, context };
    });
  }
}

/**
 * The checks one call needs.
 * @throws DynamoRequestError when the body or target cannot be read.
 */
export function dynamoChecks(
  target: string | undefined,
  bodyText: string,
  names: DynamoNames,
): DynamoCheck[] {
  const operation = operationOf(target);
  if (!operation) throw new DynamoRequestError(`Unknown operation target ${String(target)}`);
  let body: Json;
  try {
    body = bodyText === '' ? {} : (JSON.parse(bodyText) as Json);
  } catch {
    throw new DynamoRequestError('The request body is not valid JSON');
  }
  const checks = new Checks();
  const action = `dynamodb:${operation}`;
  switch (operation) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem': {
      const table = tableOf(body, operation);
      const item = operation === 'PutItem' ? body.Item : body.Key;
      checks.add(action, tableArn(names, table), leadingKey(item, names.hashKeyOf(table)) ?? null);
      break;
    }
    case 'Query': {
      const table = tableOf(body, operation);
      checks.add(action, tableArn(names, table), queryLeadingKey(body, names.hashKeyOf(table)) ?? null);
      break;
    }
    case 'BatchGetItem': {
      for (const [table, request] of Object.entries((body.RequestItems ?? {}) as Record<string, Json>)) {
        const keys = (request.Keys ?? []) as unknown[];
        for (const key of keys)
          checks.add(action, tableArn(names, table), leadingKey(key, names.hashKeyOf(table)));
      }
      break;
    }
    case 'BatchWriteItem': {
      for (const [table, writes] of Object.entries((body.RequestItems ?? {}) as Record<string, Json[]>)) {
        for (const w of writes) {
          const put = w.PutRequest as Json | undefined;
          const del = w.DeleteRequest as Json | undefined;
          const hash = names.hashKeyOf(table);
          if (put) checks.add('dynamodb:PutItem', tableArn(names, table), leadingKey(put.Item, hash));
          if (del) checks.add('dynamodb:DeleteItem', tableArn(names, table), leadingKey(del.Key, hash));
        }
      }
      break;
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const parts: Array<[string, string, string]> = [
        ['Put', 'dynamodb:PutItem', 'Item'],
        ['Update', 'dynamodb:UpdateItem', 'Key'],
        ['Delete', 'dynamodb:DeleteItem', 'Key'],
        ['ConditionCheck', 'dynamodb:ConditionCheckItem', 'Key'],
        ['Get', 'dynamodb:GetItem', 'Key'],
      ];
      for (const entry of (body.TransactItems ?? []) as Json[]) {
        for (const [field, partAction, keyField] of parts) {
          const part = entry[field] as Json | undefined;
          if (!part) continue;
          const table = tableOf(part, operation);
          checks.add(partAction, tableArn(names, table), leadingKey(part[keyField], names.hashKeyOf(table)));
        }
      }
      break;
    }
    case 'DescribeStream':
    case 'GetShardIterator': {
      const stream = body.StreamArn;
      if (typeof stream !== 'string') throw new DynamoRequestError('StreamArn is required');
      checks.add(action, stream, null);
      break;
    }
    case 'GetRecords': {
      // The shard iterator names its stream; dynalite has no streams, so this is never served.
      checks.add(action, '*', null);
      break;
    }
    case 'ListTables':
    case 'ListStreams':
    case 'DescribeLimits':
    case 'DescribeEndpoints':
      checks.add(action, '*', null);
      break;
    default: {
      // Scan, DescribeTable, CreateTable, DeleteTable, UpdateTable, DescribeTimeToLive...
      const table = tableOf(body, operation);
      checks.add(action, tableArn(names, table), null);
    }
  }
  return checks.list();
}
