import { readFileSync } from 'node:fs';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { passesArbiterFilter } from '../../../local/runtime/stream-poller';
import { groupOfVerdictRow, isVerdictRow, keys } from '../../../shared/adapters/dynamo/keys';
import { ConfigError } from '../../../shared/domain/errors';
import { makeConfig } from '../../helpers/config';

const record = (pk: string, sk: string) =>
  ({ eventSource: 'aws:dynamodb', dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } }) as DynamoDBRecord;

type KeyFilter = Record<string, { S: { prefix: string }[] }>;

/** The key filters of every stream filter serverless.yml deploys (the arbiter's). */
function deployedFilters(): KeyFilter[] {
  const doc = parseDocument(readFileSync('serverless.yml', 'utf8'), { logLevel: 'silent' });
  const filters: KeyFilter[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'filterPatterns') walk(value);
        else for (const p of value as { dynamodb: { Keys: KeyFilter } }[]) filters.push(p.dynamodb.Keys);
      }
    }
  };
  walk(doc.toJS());
  return filters;
}

/** What the deployed filter does to a record: every key named must begin with one prefix. */
function passesDeployed(r: DynamoDBRecord): boolean {
  const keysOf = r.dynamodb?.Keys ?? {};
  return deployedFilters().some((filter) =>
    Object.entries(filter).every(([name, { S }]) => {
      const value = keysOf[name]?.S ?? '';
      return S.some((p) => value.startsWith(p.prefix));
    }),
  );
}

describe('table keys', () => {
  const rows = {
    verdict: record(keys.vantagePk('az-a'), keys.verdictSk('web-lb', 'lb-1')),
    heartbeat: record(keys.vantagePk('az-a'), keys.heartbeat),
    state: record(keys.groupPk('web-lb'), keys.state),
    history: record(keys.historyPk('web-lb'), '2025-01-01T12:00:00.000Z#abc123'),
    // Rows of earlier layouts, still in an old table: a verdict in the group partition, the
    // per-vantage heartbeat partition and the per-group heartbeat row.
    legacyVerdict: record(keys.groupPk('web-lb'), 'v#az-a#lb-1'),
    legacyHeartbeat: record('hb#az-a', 'hb'),
    legacyGroupHeartbeat: record(keys.groupPk('web-lb'), 'hb#az-a'),
  };

  it('puts every row a prober writes in its own vantage partition, and nothing else there', () => {
    expect(keys.vantagePk('az-a')).toBe('v#az-a');
    expect(keys.heartbeatPk('az-a')).toBe('v#az-a');
    expect(keys.heartbeat).toBe('hb');
    expect(keys.verdictSk('web-lb', 'lb-1')).toBe('n#web-lb#lb-1');
    expect(keys.groupPk('web-lb')).toBe('g#web-lb');
    expect(keys.historyPk('web-lb')).toBe('h#web-lb');
    for (const pk of [keys.groupPk('x'), keys.historyPk('x')])
      expect(pk.startsWith(keys.vantagePrefix)).toBe(false);
  });

  it('wakes the arbiter for verdict rows only: never for heartbeats, state, history or old rows', () => {
    const passing = Object.entries(rows)
      .filter(([, r]) => passesArbiterFilter(r))
      .map(([kind]) => kind);
    expect(passing).toEqual(['verdict']);
  });

  it('matches the deployed stream filter, which checks both keys', () => {
    expect(deployedFilters()).toEqual([
      { pk: { S: [{ prefix: keys.vantagePrefix }] }, sk: { S: [{ prefix: keys.verdictPrefix }] } },
    ]);
    for (const [kind, r] of Object.entries(rows))
      expect(passesDeployed(r), kind).toBe(passesArbiterFilter(r));
  });

  it('names the group of a verdict row, and of nothing else', () => {
    expect(groupOfVerdictRow('v#az-a', 'n#web-lb#lb-1')).toBe('web-lb');
    expect(groupOfVerdictRow('v#az-a', 'hb')).toBeUndefined();
    expect(groupOfVerdictRow('g#web-lb', 'v#az-a#lb-1')).toBeUndefined();
    expect(isVerdictRow('v#az-a', 'n#web-lb#lb-1')).toBe(true);
  });

  it("refuses an id with '#', which would make keys ambiguous", () => {
    expect(() => keys.verdictSk('web#lb', 'lb-1')).toThrow(
      'table key: group id "web#lb" must not contain \'#\'',
    );
    expect(() => keys.vantagePk('az#a')).toThrow('vantage id "az#a" must not contain \'#\'');
  });

  it("keeps '#' out of group, node and vantage ids in the config, naming the field", () => {
    for (const edit of [
      (raw: { groups: { id: string }[] }) => {
        raw.groups[0]!.id = 'web#lb';
      },
      (raw: { groups: { nodes: { id: string }[] }[] }) => {
        raw.groups[0]!.nodes[0]!.id = 'lb#1';
      },
      (raw: { vantages: { id: string }[] }) => {
        raw.vantages[0]!.id = 'az#a';
      },
    ]) {
      expect(() => makeConfig(edit as never)).toThrow(ConfigError);
      expect(() => makeConfig(edit as never)).toThrow(/id.*must be lowercase letters, digits and dashes/);
    }
  });
});
