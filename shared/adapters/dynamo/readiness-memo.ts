import {
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandOutput,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { messageOf, StoreError } from '../../domain/errors';
import type { CheckedCall, PermissionCheck } from '../../domain/readiness';
import type { ReadinessMemo } from '../../ports/readiness-memo';
import { keys } from './keys';

/**
 * The group's `readiness` row, beside its state row in `g#<group>` (readGroup reads only
 * `state` and `v#` rows, and the stream passes only `v#`, so this row wakes nobody). Last
 * writer wins: two arbiters that checked at once wrote the same facts. Its own row, not the
 * state item, so these writes never contend with the lease's conditional writes.
 */
export const READINESS_SK = 'readiness';

/** ReadinessMemo over the arbiter's DynamoDB table. */
export class DynamoReadinessMemo implements ReadinessMemo {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async read(group: string): Promise<PermissionCheck | undefined> {
    let out: GetItemCommandOutput;
    try {
      out = await this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: marshall({ pk: keys.groupPk(group), sk: READINESS_SK }),
          ConsistentRead: true,
        }),
      );
    } catch (error) {
      throw new StoreError(`read readiness of ${group}: ${messageOf(error)}`, { cause: error });
    }
    if (!out.Item) return undefined;
    const item = unmarshall(out.Item) as {
      checkedAt?: number;
      target?: string;
      from?: string;
      calls?: CheckedCall[];
    };
    if (typeof item.checkedAt !== 'number' || typeof item.target !== 'string') return undefined;
    return {
      at: item.checkedAt,
      target: item.target,
      ...(item.from ? { from: item.from } : {}),
      calls: Array.isArray(item.calls) ? item.calls : [],
    };
  }

  async save(group: string, check: PermissionCheck): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(
            {
              pk: keys.groupPk(group),
              sk: READINESS_SK,
              checkedAt: check.at,
              target: check.target,
              ...(check.from ? { from: check.from } : {}),
              calls: check.calls,
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      throw new StoreError(`save readiness of ${group}: ${messageOf(error)}`, { cause: error });
    }
  }
}
