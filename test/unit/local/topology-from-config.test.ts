import { describe, expect, it } from 'vitest';
import { loadTopology, parseTopology } from '../../../local/cloud/topology';
import { idsMissingFromTopology, topologyFromConfig } from '../../../local/cloud/topology-from-config';
import { loadConfig } from '../../../shared/config/load';

describe('A local world derived from a config', () => {
  it("has the example config's own ids, and the Elastic IP on the preferred node", () => {
    const config = loadConfig('arbiter.yml');
    const topology = parseTopology(topologyFromConfig(config));
    expect(topology.vpc).toEqual({ id: 'vpc-0a1b2c3d4e5f60000', cidr: '10.0.0.0/16' });
    expect(topology.subnets.map((s) => [s.id, s.cidr])).toEqual([
      ['subnet-0a1b2c3d4e5f60001', '10.0.1.0/24'],
      ['subnet-0a1b2c3d4e5f60003', '10.0.3.0/24'],
    ]);
    expect(
      topology.instances.map((i) => [
        i.id,
        i.name,
        i.networkInterfaces[0]?.id,
        i.networkInterfaces[0]?.privateIp,
      ]),
    ).toEqual([
      ['i-0a1b2c3d4e5f60001', 'lb-1', 'eni-0a1b2c3d4e5f60001', '10.0.1.10'],
      ['i-0a1b2c3d4e5f60002', 'lb-2', 'eni-0a1b2c3d4e5f60002', '10.0.3.10'],
    ]);
    expect(topology.elasticIps).toEqual([
      expect.objectContaining({
        allocationId: 'eipalloc-0a1b2c3d4e5f60001',
        publicIp: '203.0.113.10',
        association: expect.objectContaining({ networkInterface: 'eni-0a1b2c3d4e5f60001' }),
      }),
    ]);
    expect(idsMissingFromTopology(config, topology)).toEqual([]);
  });

  it("gives every vantage's route table a DynamoDB gateway endpoint route", () => {
    const topology = parseTopology(topologyFromConfig(loadConfig('arbiter.yml')));
    for (const id of ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60003']) {
      const table = topology.routeTables.find((t) => t.id === id);
      expect(table?.routes.some((r) => r.destination.startsWith('pl-') && r.target.startsWith('vpce-'))).toBe(
        true,
      );
    }
    expect(topology.routeTables.filter((t) => t.main)).toHaveLength(1);
  });

  it('derives the same world every time', () => {
    const config = loadConfig('test/fixtures/configs/nat-pair-route.yml');
    expect(topologyFromConfig(config)).toEqual(topologyFromConfig(config));
  });

  it.each([
    'test/fixtures/configs/lb-vip.yml',
    'test/fixtures/configs/nat-pair-route.yml',
    'test/fixtures/configs/nat-pair-association.yml',
    'local/examples/demo.arbiter.yml',
  ])('makes a valid world that matches %s', (file) => {
    const config = loadConfig(file);
    const topology = parseTopology(topologyFromConfig(config));
    expect(idsMissingFromTopology(config, topology)).toEqual([]);
  });

  it('puts a secondary IP on the preferred node, in the subnet it belongs to', () => {
    const topology = parseTopology(topologyFromConfig(loadConfig('test/fixtures/configs/lb-vip.yml')));
    const holder = topology.instances.find((i) =>
      i.networkInterfaces[0]?.secondaryPrivateIps.includes('10.0.1.100'),
    );
    expect(holder?.name).toBe('lb-a');
  });

  it('lists the ids a topology lacks, naming what each is for', async () => {
    const missing = idsMissingFromTopology(
      loadConfig('arbiter.yml'),
      await loadTopology('local/examples/demo.topology.yml'),
    );
    expect(missing).toContain('i-0a1b2c3d4e5f60001 (instance of node lb-1)');
    expect(missing).toContain('eipalloc-0a1b2c3d4e5f60001 (Elastic IP of group web-lb)');
    expect(missing).toContain('subnet-0a1b2c3d4e5f60001 (subnet of vantage az-a)');
  });
});
