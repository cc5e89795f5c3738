import { readFileSync } from 'node:fs';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { passesArbiterFilter } from '../../../local/runtime/stream-poller';
import { groupOfPk, keys } from '../../../shared/store/keys';

const record = (pk: string, sk: string) =>
  ({ eventSource: 'aws:dynamodb', dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } }) as DynamoDBRecord;

/** The sort-key prefixes of every stream filter serverless.yml deploys (the arbiter's). */
function deployedPrefixes(): string[] {
  const doc = parseDocument(readFileSync('serverless.yml', 'utf8'), { logLevel: 'silent' });
  const prefixes: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'filterPatterns') walk(value);
        else {
          for (const p of value as { dynamodb: { Keys: { sk: { S: { prefix: string }[] } } } }[])
            prefixes.push(...p.dynamodb.Keys.sk.S.map((s) => s.prefix));
        }
      }
    }
  };
  walk(doc.toJS());
  return prefixes;
}

describe('table keys', () => {
  const rows = {
    verdict: record(keys.groupPk('web-lb'), keys.verdict('az-a', 'lb-1')),
    heartbeat: record(keys.heartbeatPk('az-a'), keys.heartbeat),
    state: record(keys.groupPk('web-lb'), keys.state),
    history: record(keys.historyPk('web-lb'), '2025-01-01T12:00:00.000Z#abc123'),
    // The per-group heartbeat row of earlier versions, still in an old table.
    legacyHeartbeat: record(keys.groupPk('web-lb'), 'hb#az-a'),
  };

  it('wakes the arbiter for verdict rows only: never for heartbeats, state or history', () => {
    const passing = Object.entries(rows)
      .filter(([, r]) => passesArbiterFilter(r))
      .map(([kind]) => kind);
    expect(passing).toEqual(['verdict']);
  });

  it('matches the deployed stream filter, which looks at the sort key only', () => {
    expect(deployedPrefixes()).toEqual([keys.verdictPrefix]);
    for (const [kind, r] of Object.entries(rows)) {
      const sk = r.dynamodb?.Keys?.sk?.S ?? '';
      expect(
        deployedPrefixes().some((p) => sk.startsWith(p)),
        kind,
      ).toBe(kind === 'verdict');
    }
  });

  it('keeps one heartbeat row per vantage outside every group partition', () => {
    expect(keys.heartbeatPk('az-a')).toBe('hb#az-a');
    expect(keys.heartbeat).toBe('hb');
    expect(groupOfPk(keys.heartbeatPk('az-a'))).toBeUndefined();
    expect(keys.heartbeatPk('az-a').startsWith(keys.historyPk(''))).toBe(false);
  });
});
