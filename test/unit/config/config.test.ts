import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARBITER_DEFAULTS, HTTP_CHECK_DEFAULTS, POLICY_DEFAULTS } from '../../../shared/config/defaults';
import { loadConfig, parseConfig } from '../../../shared/config/load';
import { ConfigError } from '../../../shared/domain/errors';
import { makeConfig, type rawConfig } from '../../helpers/config';

type Raw = ReturnType<typeof rawConfig>;

/** The issues a config edit produces (fails the test if the config is accepted). */
function issuesOf(edit: (raw: Raw) => void): string[] {
  try {
    makeConfig(edit);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('the config was accepted');
}

describe('Config', () => {
  it('parses the example arbiter.yml at the repository root', () => {
    const config = parseConfig(
      readFileSync(new URL('../../../arbiter.yml', import.meta.url), 'utf8'),
      'arbiter.yml',
    );
    expect(config.groups.map((g) => g.id)).toEqual(['web-lb']);
    expect(config.groups[0]?.vantages).toEqual(['az-a', 'az-c']);
    expect(config.groups[0]?.resources[0]).toMatchObject({ kind: 'elastic-ip' });
  });

  it('applies every default when a field is left out', () => {
    const config = makeConfig();
    const group = config.groups[0]!;
    expect(group.policy).toEqual({ ...POLICY_DEFAULTS, breaker: { ...POLICY_DEFAULTS.breaker } });
    expect(config.arbiter).toEqual(ARBITER_DEFAULTS);
    expect(group.check).toEqual({ ...HTTP_CHECK_DEFAULTS, type: 'http', port: 80, path: '/healthz' });
    expect(group.vantages).toEqual(['az-a', 'az-c']);
  });

  it('gives each group the defaults.policy values it does not override', () => {
    const config = makeConfig((raw) => {
      raw.defaults = { policy: { cooldownSeconds: 10, breaker: { maxFailovers: 5, windowSeconds: 600 } } };
      raw.groups[0]!.policy = { fall: 3 };
    });
    expect(config.groups[0]!.policy).toMatchObject({
      fall: 3,
      cooldownSeconds: 10,
      breaker: { maxFailovers: 5, windowSeconds: 600 },
      rise: POLICY_DEFAULTS.rise,
    });
  });

  it('lets a group override a defaults.policy value', () => {
    const config = makeConfig((raw) => {
      raw.defaults = { policy: { cooldownSeconds: 10 } };
      raw.groups[0]!.policy = { cooldownSeconds: 20 };
    });
    expect(config.groups[0]!.policy.cooldownSeconds).toBe(20);
  });

  it.each([
    ['at the top level', (r: Raw) => Object.assign(r, { grups: [] }), 'grups: unknown key'],
    [
      'in a policy',
      (r: Raw) => Object.assign(r.groups[0]!.policy, { falll: 3 }),
      'groups[0].policy.falll: unknown key',
    ],
    [
      'in a node',
      (r: Raw) => Object.assign(r.groups[0]!.nodes[1]!, { prio: 3 }),
      'groups[0].nodes[1].prio: unknown key',
    ],
    [
      'in a check',
      (r: Raw) => Object.assign(r.groups[0]!.check, { pathh: '/' }),
      'groups[0].check.pathh: unknown key',
    ],
    ['in arbiter settings', (r: Raw) => Object.assign(r.arbiter, { lease: 5 }), 'arbiter.lease: unknown key'],
  ])('rejects an unknown key %s and names its path', (_where, edit, expected) => {
    expect(issuesOf(edit)).toEqual([expect.stringContaining(expected)]);
  });

  it.each([
    [
      'a string for a number',
      (r: Raw) => Object.assign(r.groups[0]!.policy, { quorum: 'two' }),
      'groups[0].policy.quorum = "two"',
    ],
    [
      'a malformed instance id',
      (r: Raw) => Object.assign(r.groups[0]!.nodes[0]!, { instanceId: 'x-1' }),
      'groups[0].nodes[0].instanceId = "x-1"',
    ],
    [
      'an unknown check type',
      (r: Raw) => Object.assign(r.groups[0]!, { check: { type: 'icmp' } }),
      'groups[0].check.type = "icmp"',
    ],
    [
      'a bad status range',
      (r: Raw) => Object.assign(r.groups[0]!.check, { expectStatus: '2xx' }),
      'groups[0].check.expectStatus = "2xx"',
    ],
    [
      'a reversed status range',
      (r: Raw) => Object.assign(r.groups[0]!.check, { expectStatus: '399-200' }),
      'groups[0].check.expectStatus = "399-200": must go from the lower status to the higher',
    ],
    ['fall 0', (r: Raw) => Object.assign(r.groups[0]!.policy, { fall: 0 }), 'groups[0].policy.fall = 0'],
    [
      'rise 0 in defaults',
      (r: Raw) => Object.assign(r, { defaults: { policy: { rise: 0 } } }),
      'defaults.policy.rise = 0',
    ],
    [
      'a missing field',
      (r: Raw) => delete (r.groups[0]!.nodes[0] as Partial<Raw['groups'][0]['nodes'][0]>).address,
      'groups[0].nodes[0].address = missing',
    ],
  ])('rejects %s and names the path and the value', (_what, edit, expected) => {
    expect(issuesOf(edit)).toEqual([expect.stringContaining(expected)]);
  });

  it('rejects a quorum larger than the number of vantages probing the group', () => {
    expect(issuesOf((r) => Object.assign(r.groups[0]!.policy, { quorum: 3 }))).toEqual([
      'groups[0].policy.quorum = 3: must be at most the number of vantage points probing the group (2)',
    ]);
  });

  it('counts only the vantages the group lists when checking the quorum', () => {
    const issues = issuesOf((r) => {
      r.groups[0]!.vantages = ['az-a'];
    });
    expect(issues).toEqual([expect.stringContaining('groups[0].policy.quorum = 2')]);
  });

  it('rejects a probe timeout that is not below the interval', () => {
    expect(
      issuesOf((r) => Object.assign(r.groups[0]!.policy, { intervalSeconds: 2, timeoutMs: 2000 })),
    ).toEqual([
      expect.stringContaining('groups[0].policy.timeoutMs = 2000: must be below intervalSeconds (2 s'),
    ]);
  });

  it('rejects a staleAfterSeconds shorter than two heartbeats', () => {
    expect(issuesOf((r) => Object.assign(r.groups[0]!.policy, { staleAfterSeconds: 59 }))).toEqual([
      expect.stringContaining('groups[0].policy.staleAfterSeconds = 59'),
    ]);
  });

  it('rejects duplicate node ids, instance ids, vantage ids and group ids', () => {
    expect(issuesOf((r) => Object.assign(r.groups[0]!.nodes[1]!, { id: 'lb-1' }))).toEqual([
      'groups[0].nodes: id "lb-1" is used more than once',
    ]);
    expect(issuesOf((r) => Object.assign(r.groups[0]!.nodes[1]!, { instanceId: 'i-01' }))).toEqual([
      'groups[0].nodes: instanceId "i-01" is used by more than one node',
    ]);
    expect(issuesOf((r) => Object.assign(r.vantages[1]!, { id: 'az-a' }))).toEqual([
      'vantages: id "az-a" is used more than once',
    ]);
    const twice = issuesOf((r) => {
      const copy = structuredClone(r.groups[0]!);
      copy.resources = [{ kind: 'elastic-ip', allocationId: 'eipalloc-02' }];
      r.groups.push(copy);
    });
    expect(twice).toEqual(['groups: id "web-lb" is used more than once']);
  });

  it('rejects one resource claimed by two groups', () => {
    const issues = issuesOf((r) => {
      const copy = structuredClone(r.groups[0]!);
      copy.id = 'api-lb';
      copy.nodes = copy.nodes.map((n, i) => ({
        ...n,
        id: `api-${i}`,
        instanceId: `i-1${i}`,
        eni: `eni-1${i}`,
      }));
      r.groups.push(copy);
    });
    expect(issues).toEqual([
      'groups: elastic-ip eipalloc-01 is claimed by group "web-lb" and group "api-lb"',
    ]);
  });

  it('names the node and the resource when a node lacks the ENI an Elastic IP needs', () => {
    const issues = issuesOf((r) => {
      delete r.groups[0]!.nodes[1]!.eni;
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('groups[0].nodes[1].eni = missing');
    expect(issues[0]).toContain('lb-2');
    expect(issues[0]).toContain('groups[0].resources[0] (elastic-ip)');
  });

  it('rejects a group vantage that is not declared and lists the known ones', () => {
    expect(issuesOf((r) => Object.assign(r.groups[0]!, { vantages: ['az-a', 'az-b'] }))).toEqual([
      'groups[0].vantages[1] = "az-b": no such vantage (known: az-a, az-c)',
    ]);
  });

  it('reports every issue at once', () => {
    const issues = issuesOf((r) => {
      Object.assign(r.groups[0]!.policy, { quorum: 3, timeoutMs: 9000 });
      delete r.groups[0]!.nodes[0]!.eni;
    });
    expect(issues).toHaveLength(3);
  });

  it('reports YAML syntax errors and duplicate keys as config errors', () => {
    expect(() => parseConfig('version: 1\nversion: 1\n', 'dup.yml')).toThrow(
      /dup\.yml is invalid:[\s\S]*YAML syntax/,
    );
    expect(() => parseConfig('groups: [\n', 'broken.yml')).toThrow(ConfigError);
  });

  it('names the file when it cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-arbiter-config-'));
    expect(() => loadConfig(join(dir, 'missing.yml'))).toThrow(
      /missing\.yml is invalid:[\s\S]*cannot read the file/,
    );
    writeFileSync(join(dir, 'ok.yml'), readFileSync(new URL('../../../arbiter.yml', import.meta.url)));
    expect(loadConfig(join(dir, 'ok.yml')).groups).toHaveLength(1);
  });
});
