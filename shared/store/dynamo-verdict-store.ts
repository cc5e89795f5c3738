import { marshall } from '@aws-sdk/util-dynamodb';
import type { Verdict } from '../model';
import { DynamoTable, type DynamoTableOptions } from './dynamo-table';
import { keys } from './keys';
import type { VerdictStore } from './ports';
import { toVerdict } from './rows';
import { withStreak } from './verdict-row';

/** The prober's side of the table (VerdictStore): its verdict rows and its heartbeat. */
export class DynamoVerdictStore implements VerdictStore {
  private readonly table: DynamoTable;

  constructor(options: DynamoTableOptions | DynamoTable) {
    this.table = options instanceof DynamoTable ? options : new DynamoTable(options);
  }

  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    const all = await Promise.all(
      groups.map((g) => this.table.queryAll(keys.groupPk(g), `${keys.verdictPrefix}${vantage}#`)),
    );
    return all.flat().map((item) => withStreak(toVerdict(item), item));
  }

  async putVerdict(verdict: Verdict): Promise<void> {
    await this.table.put(`write verdict ${verdict.vantage}/${verdict.node}`, {
      Item: marshall(
        { pk: keys.groupPk(verdict.group), sk: keys.verdict(verdict.vantage, verdict.node), ...verdict },
        { removeUndefinedValues: true },
      ),
    });
  }

  async putHeartbeat(vantage: string, at: number): Promise<void> {
    await this.table.put(`write heartbeat of ${vantage}`, {
      Item: marshall({ pk: keys.heartbeatPk(vantage), sk: keys.heartbeat, vantage, at }),
    });
  }
}
