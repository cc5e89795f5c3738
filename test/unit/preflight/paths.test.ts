import { describe, expect, it } from 'vitest';
import { Findings } from '../../../shared/preflight/finding';
import type { Inventory } from '../../../shared/preflight/inventory';
import { checkPaths, type PathOptions } from '../../../shared/preflight/paths';
import { IDS, inventory, natConfig, withEndpoint } from './fixtures';

function run(inv: Inventory, config = natConfig(), options: PathOptions = {}) {
  const f = new Findings();
  checkPaths(config, inv, f, options);
  return f.list;
}

const about = (list: ReturnType<typeof run>, text: string) => list.filter((x) => x.resource.includes(text));

describe('Preflight paths', () => {
  it('refuses a vantage behind the NAT it watches without a DynamoDB gateway endpoint route', () => {
    const [finding] = about(run(inventory()), 'vantage priv');
    expect(finding).toMatchObject({ severity: 'error', check: 'path' });
    expect(finding?.message).toContain('group nat moves this subnet');
    expect(finding?.fix).toContain(
      `--service-name com.amazonaws.us-east-1.dynamodb --route-table-ids ${IDS.rtbNatA}`,
    );
  });

  it('accepts a vantage behind the NAT when a gateway endpoint route (pl- via vpce-) keeps DynamoDB off it', () => {
    const [finding] = about(run(inventory((inv) => withEndpoint(inv, IDS.rtbNatA))), 'vantage priv');
    expect(finding?.severity).toBe('ok');
    expect(finding?.message).toContain('pl-02cd2c6b via vpce-0e00000000000001');
  });

  it('warns about a vantage whose only way out is the internet gateway (Lambda in a VPC has no public IP)', () => {
    const [finding] = about(run(inventory()), 'vantage pub');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toContain('no public IP');
  });

  it('refuses a vantage with no route to DynamoDB at all', () => {
    const inv = inventory((i) => {
      i.routeTables.get(IDS.rtbPublic)!.Routes = [];
    });
    expect(about(run(inv), 'vantage pub')[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('no route to DynamoDB'),
    });
  });

  it('accepts a vantage behind a NAT gateway no group moves', () => {
    const inv = inventory((i) => {
      i.routeTables.get(IDS.rtbPublic)!.Routes = [
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0e00000000000001' },
      ];
    });
    expect(about(run(inv), 'vantage pub')[0]).toMatchObject({
      severity: 'ok',
      message: expect.stringContaining('nat-0e00000000000001'),
    });
  });

  it('sees a route resource protecting the table of a vantage', () => {
    const config = natConfig((raw) => {
      raw.groups[0]!.resources = [{ kind: 'route', destination: '0.0.0.0/0', routeTables: [IDS.rtbNatA] }];
    });
    const [finding] = about(run(inventory(), config), 'vantage priv');
    expect(finding?.message).toContain(`group nat moves the default route of ${IDS.rtbNatA}`);
  });

  it('accepts an egress vantage that goes out through the group NAT, and refuses one that does not', () => {
    const config = natConfig((raw) => {
      raw.groups[0]!.check = {
        type: 'egress',
        targets: [{ host: '192.0.2.1', port: 443 }],
        direct: { type: 'tcp', port: 22 },
      };
    });
    const list = run(
      inventory((i) => withEndpoint(i, IDS.rtbNatA)),
      config,
    );
    expect(about(list, 'egress vantage priv')[0]?.severity).toBe('ok');
    expect(about(list, 'egress vantage pub')[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('igw-0e00000000000001'),
    });
  });

  it('accepts an arbiter outside the VPC', () => {
    expect(about(run(inventory()), 'arbiter')).toEqual([
      expect.objectContaining({ severity: 'ok', resource: 'arbiter' }),
    ]);
  });

  it('refuses an arbiter behind the NAT it protects unless EC2 and SNS interface endpoints exist', () => {
    const inside = { arbiterSubnets: [IDS.privateA] };
    expect(about(run(inventory(), natConfig(), inside), 'arbiter subnet')[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('EC2 and SNS'),
    });
    const onlyEc2 = { ...inside, interfaceEndpoints: new Set(['com.amazonaws.us-east-1.ec2']) };
    expect(about(run(inventory(), natConfig(), onlyEc2), 'arbiter subnet')[0]?.message).toContain(
      'reaches SNS through',
    );
    const both = {
      ...inside,
      interfaceEndpoints: new Set(['com.amazonaws.us-east-1.ec2', 'com.amazonaws.us-east-1.sns']),
    };
    expect(about(run(inventory(), natConfig(), both), 'arbiter subnet')[0]?.severity).toBe('ok');
  });
});
