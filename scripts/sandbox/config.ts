import { stringify } from 'yaml';
import { FIXTURE_NODES, Outputs } from '../../infra/sandbox/fixture';
import { parseConfig } from '../../shared/config/load';
import type { ArbiterConfig } from '../../shared/config/schema';

/** The arbiter config of the sandbox, next to serverless.yml (it is packaged with the functions). */
export const SANDBOX_CONFIG = 'arbiter.sandbox.yml';

export const SANDBOX_GROUP = 'sandbox-web';

/** The fixture stack's outputs, by output name. */
export type FixtureOutputs = Record<string, string>;

/** The output, or an error naming the missing output. */
function output(outputs: FixtureOutputs, name: string): string {
  const value = outputs[name];
  if (!value) throw new Error(`the fixture stack has no output ${name}: was it created by this version?`);
  return value;
}

/**
 * The arbiter config matching the fixture: one group of two nginx nodes behind the Elastic IP,
 * probed on /healthz from a vantage in each subnet, at the shipped policy defaults (what
 * docs/bench.md measures). `enis` are the nodes' primary network interfaces by node id (the
 * fixture's instances create theirs, which CloudFormation does not return).
 * @throws Error naming a missing output or ENI; ConfigError when the result breaks the schema.
 */
export function sandboxConfig(
  outputs: FixtureOutputs,
  enis: Record<string, string>,
): { text: string; config: ArbiterConfig } {
  const nodeOutputs = [
    { instance: Outputs.node1, ip: Outputs.node1Ip },
    { instance: Outputs.node2, ip: Outputs.node2Ip },
  ];
  const raw = {
    version: 1,
    vpc: output(outputs, Outputs.vpc),
    vantages: [
      {
        id: 'az-a',
        subnet: output(outputs, Outputs.subnetA),
        routeTable: output(outputs, Outputs.routeTable),
      },
      {
        id: 'az-b',
        subnet: output(outputs, Outputs.subnetB),
        routeTable: output(outputs, Outputs.routeTable),
      },
    ],
    groups: [
      {
        id: SANDBOX_GROUP,
        description: 'the sandbox nginx pair (npm run sandbox)',
        check: { type: 'http', port: 80, path: '/healthz', expectStatus: '200-399' },
        nodes: FIXTURE_NODES.map((node, i) => {
          const eni = enis[node.id];
          if (!eni) throw new Error(`no network interface found for ${node.id}`);
          const o = nodeOutputs[i]!;
          return {
            id: node.id,
            instanceId: output(outputs, o.instance),
            address: output(outputs, o.ip),
            eni,
            priority: node.priority,
          };
        }),
        resources: [
          {
            kind: 'elastic-ip',
            allocationId: output(outputs, Outputs.allocation),
            publicIp: output(outputs, Outputs.publicIp),
          },
        ],
      },
    ],
  };
  const text = [
    '# Written by `npm run sandbox -- up` from the fixture stack ha-arbiter-sandbox-fixture.',
    '# Deleted with the sandbox; do not edit (up writes it again).',
    stringify(raw),
  ].join('\n');
  // The schema the functions load at runtime: a bad value fails here, before anything deploys.
  return { text, config: parseConfig(text, SANDBOX_CONFIG) };
}
