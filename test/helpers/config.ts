import { validateConfig } from '../../shared/config/load';
import type { ArbiterConfig, GroupConfig } from '../../shared/config/schema';

/** A node as written in a config file (every field the schema accepts). */
export interface RawNode {
  id: string;
  instanceId: string;
  address: string;
  port?: number;
  eni?: string;
  privateIp?: string;
  routeTable?: string;
  priority?: number;
}

/**
 * The raw (unvalidated) config of the example group `web-lb`: two vantages, two nodes behind
 * one Elastic IP. A fresh copy on every call, so a test may change it before validating.
 * Addresses are text only; nothing in the tests connects to them.
 */
export function rawConfig(): Record<string, unknown> & {
  vantages: Record<string, unknown>[];
  arbiter: Record<string, unknown>;
  groups: (Record<string, unknown> & {
    nodes: RawNode[];
    resources: Record<string, unknown>[];
    policy: Record<string, unknown>;
    check: Record<string, unknown>;
  })[];
} {
  return {
    version: 1,
    vantages: [
      { id: 'az-a', subnet: 'subnet-0a' },
      { id: 'az-c', subnet: 'subnet-0c' },
    ],
    arbiter: {},
    groups: [
      {
        id: 'web-lb',
        check: { type: 'http', port: 80, path: '/healthz' },
        nodes: [
          { id: 'lb-1', instanceId: 'i-01', address: '10.0.1.10', eni: 'eni-01', priority: 200 },
          { id: 'lb-2', instanceId: 'i-02', address: '10.0.3.10', eni: 'eni-02', priority: 100 },
        ],
        resources: [{ kind: 'elastic-ip', allocationId: 'eipalloc-01' }],
        policy: {},
      },
    ],
  };
}

/** A validated config built from `rawConfig()` after `edit` changed it. */
export function makeConfig(edit: (raw: ReturnType<typeof rawConfig>) => void = () => {}): ArbiterConfig {
  const raw = rawConfig();
  edit(raw);
  return validateConfig(raw, 'test config');
}

/** The validated `web-lb` group with policy overrides and optional extra nodes. */
export function makeGroup(
  policy: Record<string, unknown> = {},
  edit: (group: ReturnType<typeof rawConfig>['groups'][number]) => void = () => {},
): GroupConfig {
  const config = makeConfig((raw) => {
    const group = raw.groups[0]!;
    group.policy = { ...policy };
    edit(group);
  });
  return config.groups[0]!;
}

/** A third node `lb-3` (priority 150) for N-node cases. */
export const THIRD_NODE: RawNode = {
  id: 'lb-3',
  instanceId: 'i-03',
  address: '10.0.5.10',
  eni: 'eni-03',
  priority: 150,
};
