import { validateConfig } from '../../shared/config/load';
import type { ArbiterConfig } from '../../shared/config/schema';
import type { Verdict } from '../../shared/domain/model';

const hex = (i: number, width = 8) => i.toString(16).padStart(width, '0');

/**
 * A config with the given nodes as pairs (one group per two nodes, one Elastic IP each),
 * probed over HTTP on 127.0.0.1 at the given ports, validated like a real config file.
 */
export function scaleConfig(
  ports: readonly number[],
  intervalSeconds: number,
  heartbeatSeconds: number,
): ArbiterConfig {
  const groups = [];
  for (let g = 0; g * 2 < ports.length; g += 1) {
    const pair = ports.slice(g * 2, g * 2 + 2);
    if (pair.length < 2) break;
    groups.push({
      id: `g${g}`,
      check: { type: 'http', port: 80, path: '/healthz' },
      nodes: pair.map((port, i) => ({
        id: `n${i}`,
        instanceId: `i-${hex(g * 2 + i)}`,
        address: '127.0.0.1',
        port,
        eni: `eni-${hex(g * 2 + i)}`,
        priority: 200 - i * 100,
      })),
      resources: [{ kind: 'elastic-ip', allocationId: `eipalloc-${hex(g)}` }],
      policy: {
        intervalSeconds,
        timeoutMs: Math.min(2_000, intervalSeconds * 1000 - 100),
        fall: 2,
        rise: 2,
        quorum: 1,
      },
    });
  }
  return validateConfig(
    {
      version: 1,
      vantages: [{ id: 'v1', subnet: 'subnet-01' }],
      arbiter: { heartbeatSeconds },
      defaults: { policy: { staleAfterSeconds: Math.max(90, heartbeatSeconds * 3) } },
      groups,
    },
    'scale bench',
  );
}

/** An UP verdict for every node of every group from one vantage, as a warm prober finds them. */
export function upVerdicts(config: ArbiterConfig, vantage: string): Verdict[] {
  return config.groups.flatMap((g) =>
    g.nodes.map((n) => ({
      group: g.id,
      vantage,
      node: n.id,
      status: 'UP' as const,
      since: 0,
      seenAt: 0,
      count: 2,
      evidence: [],
    })),
  );
}
