import { describe, expect, it } from 'vitest';
import { builtInEniLimit } from '../../../shared/preflight/eni-limits';
import { Findings } from '../../../shared/preflight/finding';
import type { Inventory } from '../../../shared/preflight/inventory';
import { checkNodes, cidrContains, type NodeCheckOptions } from '../../../shared/preflight/nodes';
import { IDS, inventory, natConfig } from './fixtures';

const vipConfig = () =>
  natConfig((raw) => {
    raw.groups[0]!.resources = [{ kind: 'secondary-ip', ip: '10.0.1.100' }];
  });

function run(inv: Inventory, config = vipConfig(), options: NodeCheckOptions = {}) {
  const f = new Findings();
  checkNodes(config, inv, f, options);
  return f.list;
}

describe('Preflight node checks', () => {
  it('accepts secondary-ip nodes in one subnet with the VIP inside it', () => {
    const list = run(inventory()).filter((f) => f.check === 'same-subnet');
    expect(list).toEqual([expect.objectContaining({ severity: 'ok' })]);
  });

  it('refuses a VIP outside the subnet and a VIP that is some ENI primary IP', () => {
    const outside = natConfig((raw) => {
      raw.groups[0]!.resources = [{ kind: 'secondary-ip', ip: '10.9.9.9' }];
    });
    expect(
      run(inventory(), outside).some((f) => f.severity === 'error' && f.message.includes('outside')),
    ).toBe(true);
    const primary = natConfig((raw) => {
      raw.groups[0]!.resources = [{ kind: 'secondary-ip', ip: '10.0.1.21' }];
    });
    expect(
      run(inventory(), primary).some((f) => f.severity === 'error' && f.message.includes('primary IP')),
    ).toBe(true);
  });

  it('takes the per-ENI limit from DescribeInstanceTypes first', () => {
    const inv = inventory((i) => i.ipv4PerEni.set('t3.micro', 1));
    const full = run(inv).filter((f) => f.check === 'eni-room' && f.severity === 'error');
    expect(full).toHaveLength(2);
    expect(full[0]?.message).toContain('(DescribeInstanceTypes)');
  });

  it('falls back to the built-in table, and a configured limit wins over both', () => {
    const room = run(inventory()).filter((f) => f.check === 'eni-room');
    expect(room[0]).toMatchObject({
      severity: 'ok',
      message: expect.stringContaining('2 of 2 addresses per ENI (built-in table)'),
    });
    const configured = run(inventory(), vipConfig(), { eniLimits: { [IDS.eniA]: 1 } }).filter(
      (f) => f.check === 'eni-room' && f.severity === 'error',
    );
    expect(configured.map((f) => f.resource)).toEqual([`${IDS.eniA} (node nat-a of group nat)`]);
  });

  it('warns when the limit of an instance type is unknown', () => {
    const inv = inventory((i) => {
      i.instances.get(IDS.natA)!.InstanceType = 'x9z.huge' as never;
    });
    expect(run(inv).some((f) => f.check === 'eni-room' && f.severity === 'warning')).toBe(true);
  });

  it('refuses a routing node whose ENI has the source/destination check on', () => {
    const inv = inventory((i) => {
      i.enis.get(IDS.eniB)!.SourceDestCheck = true;
    });
    const [finding] = run(inv, natConfig()).filter(
      (f) => f.check === 'source-dest-check' && f.severity === 'error',
    );
    expect(finding?.fix).toBe(
      `aws ec2 modify-network-interface-attribute --network-interface-id ${IDS.eniB} --no-source-dest-check`,
    );
  });

  it('knows common instance types and the CIDR arithmetic it needs', () => {
    expect(builtInEniLimit('t3.micro')).toBe(2);
    expect(builtInEniLimit('t3.medium')).toBe(6);
    expect(builtInEniLimit('m5.large')).toBe(10);
    expect(builtInEniLimit('c6g.4xlarge')).toBe(30);
    expect(builtInEniLimit('zz1.large')).toBeUndefined();
    expect(cidrContains('10.0.1.0/24', '10.0.1.100')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.2.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.1')).toBe(true);
  });
});
