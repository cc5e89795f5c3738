import { describe, expect, it } from 'vitest';
import {
  loadTopology,
  parseTopology,
  parseTopologyYaml,
  TopologyError,
  type TopologyInput,
} from '../../../local/cloud/index';
import { LB_PAIR, NAT_PAIR, vipPairTopology } from './fixtures';

function issuesOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return (err as TopologyError).issues;
  }
  expect.fail('expected a TopologyError');
}

const minimal = `
vpc: { id: vpc-0a1b2c3d4e5f60718, cidr: 10.0.0.0/16 }
subnets:
  - { id: subnet-0a1b2c3d4e5f6000a, cidr: 10.0.1.0/24, az: us-east-1a }
instances:
  - id: i-0a1b2c3d4e5f60001
    name: a
    subnet: subnet-0a1b2c3d4e5f6000a
    networkInterfaces:
      - { id: eni-0a1b2c3d4e5f60001, privateIp: 10.0.1.10 }
`;

describe('topology files', () => {
  it('loads the LB pair example with defaults filled in', async () => {
    const t = await loadTopology(LB_PAIR);
    expect(t.region).toBe('us-east-1');
    expect(t.instances.map((i) => i.name)).toEqual(['lb-a', 'lb-b']);
    expect(t.instances[0]?.state).toBe('running');
    expect(t.instances[0]?.endpoint).toBe('127.0.0.1:18081');
    expect(t.elasticIps[0]?.association?.networkInterface).toBe('eni-0a1b2c3d4e5f60001');
  });

  it('loads the NAT pair example with source/dest check off and a standby route table', async () => {
    const t = await loadTopology(NAT_PAIR);
    expect(t.instances.every((i) => i.sourceDestCheck === false)).toBe(true);
    expect(t.routeTables.map((r) => r.name)).toContain('standby-via-nat-b');
  });

  it('accepts a topology built as an object', () => {
    expect(parseTopology(vipPairTopology).instances).toHaveLength(3);
  });

  it('applies defaults to a minimal file', () => {
    const t = parseTopologyYaml(minimal);
    expect(t.accountId).toBe('123456789012');
    expect(t.instances[0]?.sourceDestCheck).toBe(true);
    expect(t.instances[0]?.networkInterfaces[0]?.maxPrivateIps).toBe(10);
    expect(t.sns.topics).toEqual([]);
  });
});

describe('topology validation', () => {
  it('names the full path of an unknown key', () => {
    const yaml = minimal.replace('privateIp: 10.0.1.10', 'privateIp: 10.0.1.10, privatIp: 10.0.1.11');
    expect(issuesOf(() => parseTopologyYaml(yaml))).toContain(
      'instances[0].networkInterfaces[0].privatIp: unknown key',
    );
  });

  it('names the path and the value of a malformed field', () => {
    const yaml = minimal.replace('i-0a1b2c3d4e5f60001', 'instance-1');
    const issues = issuesOf(() => parseTopologyYaml(yaml));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^instances\[0\]\.id: must look like i-0123456789abcdef0 \(got "instance-1"\)$/,
    );
  });

  it('refuses a private IP outside its subnet', () => {
    const yaml = minimal.replace('privateIp: 10.0.1.10', 'privateIp: 10.0.9.10');
    expect(issuesOf(() => parseTopologyYaml(yaml))).toContain(
      'instances[0].networkInterfaces[0].privateIp: 10.0.9.10 is outside subnet subnet-0a1b2c3d4e5f6000a (10.0.1.0/24)',
    );
  });

  it('refuses references to unknown resources', () => {
    const raw: TopologyInput = {
      ...vipPairTopology,
      elasticIps: [
        {
          allocationId: 'eipalloc-0c1b2c3d4e5f60009',
          publicIp: '203.0.113.9',
          association: { networkInterface: 'eni-0c1b2c3d4e5f60099' },
        },
      ],
    };
    expect(issuesOf(() => parseTopology(raw))).toEqual([
      'elasticIps[0].association.networkInterface: unknown network interface eni-0c1b2c3d4e5f60099',
    ]);
  });

  it('requires exactly one main route table', () => {
    const raw: TopologyInput = {
      ...vipPairTopology,
      routeTables: [
        { id: 'rtb-0c1b2c3d4e5f60001', main: true },
        { id: 'rtb-0c1b2c3d4e5f60002', main: true },
      ],
    };
    expect(issuesOf(() => parseTopology(raw))).toEqual([
      'routeTables: exactly one route table must have main: true (found 2)',
    ]);
  });

  it('only allows loopback node endpoints', () => {
    const yaml = minimal.replace('name: a', 'name: a\n    endpoint: 10.0.1.10:80');
    expect(issuesOf(() => parseTopologyYaml(yaml))[0]).toMatch(
      /^instances\[0\]\.endpoint: must be 127\.x\.y\.z:PORT \(loopback only\)/,
    );
  });

  it('keeps the built-in node server on 127.0.0.1 and lets an external node use any loopback address', () => {
    const other = minimal.replace('name: a', 'name: a\n    endpoint: 127.0.0.2:8080');
    expect(issuesOf(() => parseTopologyYaml(other))[0]).toMatch(
      /^instances\[0\]\.endpoint: 127\.0\.0\.2:8080: the built-in node server listens on 127\.0\.0\.1 only; set external: true/,
    );
    expect(() =>
      parseTopologyYaml(
        minimal.replace('name: a', 'name: a\n    external: true\n    endpoint: 127.0.0.2:8080'),
      ),
    ).not.toThrow();
    expect(
      issuesOf(() => parseTopologyYaml(minimal.replace('name: a', 'name: a\n    external: true')))[0],
    ).toMatch(/^instances\[0\]\.external: an external node needs the endpoint/);
  });

  it('reports the file name when loading fails', async () => {
    await expect(loadTopology(`${LB_PAIR}.missing`)).rejects.toThrow(/ENOENT/);
    expect(() => parseTopologyYaml('vpc: [', 'broken.yml')).toThrow(/broken\.yml/);
  });
});
