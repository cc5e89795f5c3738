import type { GroupConfig, NodeConfig, ResourceConfig } from '../../../shared/config/schema';
import { PolicySchema } from '../../../shared/config/schema';
import type { VerifyOptions } from '../../../shared/ports/mover';

/** Three nodes with an ENI and an own route table each (the first two are enough for pairs). */
export const nodes: NodeConfig[] = [
  {
    id: 'nat-1',
    instanceId: 'i-0000000000000a001',
    address: '127.0.0.1',
    eni: 'eni-0000000000000a001',
    routeTable: 'rtb-0000000000000a001',
    priority: 200,
  },
  {
    id: 'nat-2',
    instanceId: 'i-0000000000000a002',
    address: '127.0.0.1',
    eni: 'eni-0000000000000a002',
    routeTable: 'rtb-0000000000000a002',
    priority: 100,
  },
  {
    id: 'nat-3',
    instanceId: 'i-0000000000000a003',
    address: '127.0.0.1',
    eni: 'eni-0000000000000a003',
    routeTable: 'rtb-0000000000000a003',
    priority: 50,
  },
];

export const node = (id: string): NodeConfig => {
  const found = nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
};

/** Read-back without waiting, so tests never sleep. */
export const fastVerify = (attempts = 3): Partial<VerifyOptions> => ({
  attempts,
  delayMs: 0,
  sleep: async () => {},
});

/** A group over the fixture nodes. */
export function group(
  resources: ResourceConfig[],
  count = 2,
  policy: Partial<GroupConfig['policy']> = {},
): GroupConfig {
  return {
    id: 'edge',
    vantages: ['az-a', 'az-c'],
    check: { type: 'tcp', port: 22 },
    nodes: nodes.slice(0, count),
    resources,
    policy: { ...PolicySchema.parse({}), ...policy },
  };
}

/** Records the order of hooks and EC2 calls. */
export function recorder() {
  const events: string[] = [];
  return {
    events,
    beforeMutation: async (call: string) => {
      events.push(`before ${call.split(' ')[0]}`);
    },
  };
}
