import { marshall } from '@aws-sdk/util-dynamodb';
import type { Verdict } from '../../domain/model';
import type { VerdictStore } from '../../ports/store';
import { DynamoTable, type DynamoTableOptions } from './dynamo-table';
import { keys } from './keys';
import { toVerdict } from './rows';
import { withStreak } from './verdict-row';

/**
 * The prober's side of the table (VerdictStore): its verdict rows and its heartbeat, all in
 * its own partition `v#<vantage>` (keys.ts), the only one its role may write.
 */
export class DynamoVerdictStore implements VerdictStore {
  private readonly table: DynamoTable;

  constructor(options: DynamoTableOptions | DynamoTable) {
    this.table = options instanceof DynamoTable ? options : new DynamoTable(options);
  }

  /** One query of the vantage's partition (its verdicts in every group), with ConsistentRead. */
  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    const wanted = new Set(groups);
    const items = await this.table.queryAll(keys.vantagePk(vantage), keys.verdictPrefix);
    return items
      .filter((item) => wanted.has(String(item.group)))
      .map((item) => {
        const verdict = withStreak(toVerdict(item), item);
        return typeof item.seq === 'number' ? { ...verdict, seq: item.seq } : verdict;
      });
  }

  /*
   * Conditioned on the row's `seq` (shared/usecases/write-order.ts has the race it closes). A
   * failed condition means a newer write of this vantage is already there: the write is
   * dropped and the caller told so, never an error.
   */
  async putVerdict(verdict: Verdict): Promise<boolean> {
    const hasSeq = verdict.seq !== undefined;
    return this.table.putIf(`write verdict ${verdict.vantage}/${verdict.group}/${verdict.node}`, {
      Item: marshall(
        { pk: keys.vantagePk(verdict.vantage), sk: keys.verdictSk(verdict.group, verdict.node), ...verdict },
        { removeUndefinedValues: true },
      ),
      ConditionExpression: hasSeq
        ? 'attribute_not_exists(#seq) OR #seq < :seq'
        : 'attribute_not_exists(#seq)',
      ExpressionAttributeNames: { '#seq': 'seq' },
      ...(hasSeq ? { ExpressionAttributeValues: marshall({ ':seq': verdict.seq }) } : {}),
    });
  }

  /* A heartbeat never goes back: one delayed in flight cannot undo a later one. */
  async putHeartbeat(vantage: string, at: number): Promise<boolean> {
    return this.table.putIf(`write heartbeat of ${vantage}`, {
      Item: marshall({ pk: keys.vantagePk(vantage), sk: keys.heartbeat, vantage, at }),
      ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: marshall({ ':at': at }),
    });
  }
}
