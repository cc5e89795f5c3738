import { marshall } from '@aws-sdk/util-dynamodb';
import type { ControlStore } from '../../ports/store';
import { stateKey } from './dynamo-lease';
import { DynamoTable, type DynamoTableOptions } from './dynamo-table';

/**
 * Operator controls (ControlStore) on the group's state item. None takes the lease: they
 * change policy inputs, and the next decision acts on them under the lease.
 */
export class DynamoControlStore implements ControlStore {
  private readonly table: DynamoTable;

  constructor(options: DynamoTableOptions | DynamoTable) {
    this.table = options instanceof DynamoTable ? options : new DynamoTable(options);
  }

  async setBan(group: string, node: string, expiresAt: number): Promise<void> {
    await this.table.update(`ban ${node} in ${group}`, {
      Key: stateKey(group),
      UpdateExpression: 'SET #b = :e',
      ExpressionAttributeNames: { '#b': `ban:${node}` },
      ExpressionAttributeValues: marshall({ ':e': expiresAt }),
    });
  }

  clearBan(group: string, node: string): Promise<boolean> {
    return this.table.updateIf(`update state of ${group}`, {
      Key: stateKey(group),
      UpdateExpression: 'REMOVE #b',
      ConditionExpression: 'attribute_exists(#b)',
      ExpressionAttributeNames: { '#b': `ban:${node}` },
    });
  }

  /* Conditional on the current value so that two operators pausing at once notify once. */
  setPaused(group: string, paused: boolean): Promise<boolean> {
    return this.table.updateIf(`update state of ${group}`, {
      Key: stateKey(group),
      UpdateExpression: 'SET paused = :p',
      ConditionExpression: paused ? 'attribute_not_exists(paused) OR paused = :no' : 'paused = :yes',
      ExpressionAttributeValues: marshall({
        ':p': paused,
        ...(paused ? { ':no': false } : { ':yes': true }),
      }),
    });
  }

  async resetCounters(group: string, alerts: readonly string[]): Promise<void> {
    const names: Record<string, string> = {};
    alerts.forEach((key, i) => {
      names[`#a${i}`] = `alert:${key}`;
    });
    const removes = ['breakerOpenSince', 'lastFailoverAt', ...Object.keys(names)].join(', ');
    await this.table.update(`reset counters of ${group}`, {
      Key: stateKey(group),
      UpdateExpression: `SET failoverTimes = :none REMOVE ${removes}`,
      ...(alerts.length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: marshall({ ':none': [] }),
    });
  }
}
