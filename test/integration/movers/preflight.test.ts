import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { runPreflightCli } from '../../../scripts/preflight';
import { validateConfig } from '../../../shared/config/load';
import type { ArbiterConfig } from '../../../shared/config/schema';
import type { Finding, PreflightReport } from '../../../shared/preflight/finding';
import { type PreflightOptions, runPreflight } from '../../../shared/preflight/run';
import { FILES, type Rig, startRig, topologyObject } from './cloud';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** A config fixture as a raw object a test may change, then validate. */
function raw(path: string) {
  return parseDocument(readFileSync(path, 'utf8')).toJS() as {
    vantages: { id: string; subnet: string }[];
    groups: {
      check: Record<string, unknown>;
      nodes: Record<string, unknown>[];
      resources: Record<string, unknown>[];
      policy?: Record<string, unknown>;
    }[];
  };
}

/** ENI limits the way the CLI takes them from a topology. */
function limitsOf(r: Rig): Record<string, number> {
  return Object.fromEntries(
    r.cloud.topology.instances.flatMap((i) =>
      i.networkInterfaces.map((e) => [e.id, e.maxPrivateIps] as const),
    ),
  );
}

async function check(
  topology: string | ReturnType<typeof topologyObject>,
  config: ArbiterConfig,
  options: PreflightOptions = {},
  accessKeyId?: string,
): Promise<PreflightReport> {
  rig = await startRig(topology);
  const ec2 = accessKeyId ? rig.client(accessKeyId) : rig.ec2;
  return runPreflight(config, ec2, { eniLimits: limitsOf(rig), ...options });
}

const errors = (report: PreflightReport): Finding[] => report.findings.filter((f) => f.severity === 'error');
const of = (report: PreflightReport, checkName: string) =>
  report.findings.filter((f) => f.check === checkName);

describe('Preflight against the local cloud', () => {
  it('passes the NAT pair failed over by route table association, and changes nothing', async () => {
    const report = await check(FILES.natPair, validateConfig(raw(FILES.natAssociationConfig)));
    expect(errors(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(of(report, 'dry-run').filter((f) => f.severity === 'ok')).toHaveLength(2);
    expect(rig?.cloud.audit().every((e) => e.outcome === 'dry-run')).toBe(true);
  });

  it('passes the NAT pair failed over by ReplaceRoute', async () => {
    const report = await check(FILES.natPair, validateConfig(raw(FILES.natRouteConfig)));
    expect(errors(report)).toEqual([]);
    expect(of(report, 'dry-run').filter((f) => f.severity === 'ok')).toHaveLength(4);
  });

  it('passes the VIP pair in one subnet, and says AssignPrivateIpAddresses cannot be proven by DryRun', async () => {
    const report = await check(FILES.lbVip, validateConfig(raw(FILES.lbVipConfig)));
    expect(errors(report)).toEqual([]);
    expect(of(report, 'dry-run')).toEqual([
      expect.objectContaining({ severity: 'warning', resource: 'ec2:AssignPrivateIpAddresses' }),
    ]);
  });

  it('finds a NAT instance with the source/destination check enabled', async () => {
    const topology = topologyObject(FILES.natPair);
    topology.instances!.find((i) => i.id === 'i-0b1b2c3d4e5f60002')!.sourceDestCheck = true;
    const report = await check(topology, validateConfig(raw(FILES.natAssociationConfig)));
    const [finding] = of(report, 'source-dest-check').filter((f) => f.severity === 'error');
    expect(finding?.resource).toBe('i-0b1b2c3d4e5f60002 (node nat-b of group nat-a)');
    expect(finding?.fix).toContain('--no-source-dest-check');
    expect(report.ok).toBe(false);
  });

  it('refuses a secondary-ip group across subnets, naming both and suggesting elastic-ip or route', async () => {
    const cfg = raw(FILES.lbVipConfig);
    Object.assign(cfg.groups[0]!.nodes[1]!, {
      instanceId: 'i-0d1b2c3d4e5f60003',
      eni: 'eni-0d1b2c3d4e5f60003',
    });
    delete cfg.groups[0]!.nodes[1]!.subnet;
    const report = await check(FILES.lbVip, validateConfig(cfg));
    const [finding] = of(report, 'same-subnet');
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toContain('subnet-0d1b2c3d4e5f6000a');
    expect(finding?.message).toContain('subnet-0d1b2c3d4e5f6000b');
    expect(finding?.fix).toMatch(/elastic-ip .* route/);
  });

  it('finds a mutating call the role may not make, naming the action and the resource', async () => {
    const report = await check(
      FILES.lbVip,
      validateConfig({
        ...raw(FILES.lbVipConfig),
        groups: [
          {
            ...raw(FILES.lbVipConfig).groups[0]!,
            resources: [{ kind: 'elastic-ip', allocationId: 'eipalloc-0d1b2c3d4e5f60001' }],
          },
        ],
      }),
      {},
      'AKIDNOMOVESEXAMPLE',
    );
    const denied = of(report, 'dry-run').filter((f) => f.severity === 'error');
    expect(denied.map((f) => f.resource)).toEqual([
      'ec2:AssociateAddress eipalloc-0d1b2c3d4e5f60001 -> eni-0d1b2c3d4e5f60001 (lb-a of group web)',
      'ec2:AssociateAddress eipalloc-0d1b2c3d4e5f60001 -> eni-0d1b2c3d4e5f60002 (lb-b of group web)',
    ]);
    expect(denied[0]?.message).toContain('may not call AssociateAddress');
    expect(denied[0]?.fix).toContain('ec2:AssociateAddress');
  });

  it('finds an ENI without room for another secondary IP', async () => {
    const topology = topologyObject(FILES.lbVip);
    topology.instances!.find((i) => i.name === 'lb-b')!.networkInterfaces[0]!.maxPrivateIps = 1;
    const report = await check(topology, validateConfig(raw(FILES.lbVipConfig)));
    const full = of(report, 'eni-room').filter((f) => f.severity === 'error');
    expect(full.map((f) => f.resource)).toEqual(['eni-0d1b2c3d4e5f60002 (node lb-b of group web)']);
    expect(full[0]?.message).toContain('would need 2');
  });

  it('finds resources that do not exist', async () => {
    const cfg = raw(FILES.lbVipConfig);
    cfg.groups[0]!.nodes[1]!.eni = 'eni-0d1b2c3d4e5f6ffff';
    cfg.groups[0]!.resources.push({ kind: 'elastic-ip', allocationId: 'eipalloc-0d1b2c3d4e5f6ffff' });
    const report = await check(FILES.lbVip, validateConfig(cfg));
    const missing = of(report, 'exists').filter((f) => f.severity === 'error');
    expect(missing.map((f) => f.resource)).toEqual(
      expect.arrayContaining([
        'eni-0d1b2c3d4e5f6ffff (node lb-b of group web)',
        'eipalloc-0d1b2c3d4e5f6ffff (group web)',
      ]),
    );
  });

  it('finds a subnet that uses the main table, so there is no association to replace', async () => {
    const topology = topologyObject(FILES.natPair);
    const privateA = topology.routeTables!.find((t) => t.id === 'rtb-0b1b2c3d4e5f6000a')!;
    privateA.associations = [];
    const report = await check(topology, validateConfig(raw(FILES.natAssociationConfig)));
    const [finding] = of(report, 'exists').filter((f) => f.severity === 'error');
    expect(finding?.resource).toBe('subnet-0b1b2c3d4e5f6011a (group nat-a)');
    expect(finding?.fix).toContain('associate-route-table');
  });

  it('refuses a prober whose path to DynamoDB runs through the NAT it watches', async () => {
    const cfg = raw(FILES.natAssociationConfig);
    cfg.vantages[0]!.subnet = 'subnet-0b1b2c3d4e5f6011a';
    const report = await check(FILES.natPair, validateConfig(cfg));
    const [finding] = of(report, 'path').filter((f) => f.severity === 'error');
    expect(finding?.resource).toContain('vantage az-a (subnet-0b1b2c3d4e5f6011a');
    expect(finding?.message).toContain('group nat-a moves this subnet');
    expect(finding?.fix).toContain('com.amazonaws.us-east-1.dynamodb');
  });

  it('refuses an arbiter placed in a subnet behind the NAT it protects', async () => {
    const report = await check(FILES.natPair, validateConfig(raw(FILES.natRouteConfig)), {
      arbiterSubnets: ['subnet-0b1b2c3d4e5f6011b'],
    });
    const [finding] = of(report, 'path').filter((f) => f.severity === 'error');
    expect(finding?.resource).toBe('arbiter subnet subnet-0b1b2c3d4e5f6011b');
    expect(finding?.message).toContain('EC2 and SNS');
  });

  it("refuses an egress vantage whose traffic does not go through the group's NAT", async () => {
    const cfg = raw(FILES.natAssociationConfig);
    cfg.groups[0]!.check = {
      type: 'egress',
      targets: [{ host: '127.0.0.1', port: 9 }],
      from: ['az-b'],
      direct: { type: 'tcp', port: 22 },
    };
    const report = await check(FILES.natPair, validateConfig(cfg));
    const [finding] = of(report, 'path').filter((f) => f.severity === 'error');
    expect(finding?.resource).toBe('egress vantage az-b of group nat-a (subnet-0b1b2c3d4e5f6001b)');
  });
});

describe('The preflight command', () => {
  const env = { PATH: process.env.PATH };

  it('exits 0 and prints the verdict for a clean config', async () => {
    const out = await runPreflightCli(
      ['--config', FILES.natAssociationConfig, '--topology', FILES.natPair],
      env,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('preflight passed');
  });

  it('exits 1 and prints each error with its fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
    const cfg = raw(FILES.lbVipConfig);
    Object.assign(cfg.groups[0]!.nodes[1]!, {
      instanceId: 'i-0d1b2c3d4e5f60003',
      eni: 'eni-0d1b2c3d4e5f60003',
    });
    delete cfg.groups[0]!.nodes[1]!.subnet;
    const file = join(dir, 'arbiter.yml');
    writeFileSync(file, JSON.stringify(cfg));
    const out = await runPreflightCli(['--config', file, '--topology', FILES.lbVip], env);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/ERROR \[same-subnet\] secondary-ip 10\.0\.1\.100 \(group web\)/);
    expect(out.stdout).toContain('fix: use elastic-ip');
    expect(out.stdout).toContain('preflight FAILED');
  });

  it('exits 2 on bad usage and refuses real AWS unless asked', async () => {
    expect((await runPreflightCli([], env)).code).toBe(2);
    const noEndpoint = await runPreflightCli(['--config', FILES.natRouteConfig], env);
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.stderr).toContain('--real-aws');
  });
});
