import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildStack, type Stack } from '../../../infra/build';
import type { RawParams } from '../../../infra/params';

/**
 * A deployable config with one group per resource kind, as written in a file. A fresh copy on
 * every call, so a test may change it. Addresses are text only; nothing connects to them.
 */
export function deployableConfig() {
  return {
    version: 1,
    vpc: 'vpc-0aaa',
    vantages: [
      { id: 'az-a', subnet: 'subnet-0a', routeTable: 'rtb-0a' },
      { id: 'az-c', subnet: 'subnet-0c', routeTable: 'rtb-0c' },
    ] as Record<string, unknown>[],
    arbiter: {} as Record<string, unknown>,
    groups: [
      {
        id: 'web-lb',
        check: { type: 'http', port: 80, path: '/healthz' },
        nodes: [
          { id: 'lb-1', instanceId: 'i-0a1', address: '10.0.1.10', eni: 'eni-0a1' },
          { id: 'lb-2', instanceId: 'i-0a2', address: '10.0.3.10', eni: 'eni-0a2' },
        ],
        resources: [{ kind: 'elastic-ip', allocationId: 'eipalloc-0e1' }],
      },
      {
        id: 'vip',
        vantages: ['az-a'],
        check: { type: 'tcp', port: 3306 },
        nodes: [
          { id: 'db-1', instanceId: 'i-0b1', address: '10.0.1.20', eni: 'eni-0b1' },
          { id: 'db-2', instanceId: 'i-0b2', address: '10.0.1.21', eni: 'eni-0b2', port: 3307 },
        ],
        resources: [{ kind: 'secondary-ip', ip: '10.0.1.99' }],
        policy: { quorum: 1, fence: 'stop' },
      },
      {
        id: 'nat',
        check: { type: 'tcp', port: 22 },
        nodes: [
          { id: 'nat-1', instanceId: 'i-0c1', address: '10.0.0.5', eni: 'eni-0c1', routeTable: 'rtb-0e1' },
          { id: 'nat-2', instanceId: 'i-0c2', address: '10.0.2.5', eni: 'eni-0c2', routeTable: 'rtb-0e2' },
        ],
        resources: [
          { kind: 'route', destination: '0.0.0.0/0', routeTables: ['rtb-0f1', 'rtb-0f2'] },
          { kind: 'route-table-association', subnets: ['subnet-0d1'] },
        ],
      },
    ] as Record<string, unknown>[],
  };
}

export type RawDeployableConfig = ReturnType<typeof deployableConfig>;

/** Writes the config into a fresh service directory and builds the stack from it. */
export function build(config: unknown, params: RawParams = {}, stage = 'ci'): Stack {
  const dir = mkdtempSync(join(tmpdir(), 'ha-arbiter-infra-'));
  writeFileSync(join(dir, 'arbiter.yml'), typeof config === 'string' ? config : stringify(config));
  return buildStack({
    serviceDir: dir,
    service: 'ha-arbiter',
    stage,
    region: 'us-east-1',
    params: { config: 'arbiter.yml', ...params },
  });
}
