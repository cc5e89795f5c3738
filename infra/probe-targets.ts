import { isIPv4 } from 'node:net';
import type { ArbiterConfig } from '../shared/config/schema';
import { directCheck, egressVantages } from '../shared/domain/egress-health';

/** One egress rule of a prober's security group. */
export interface ProbeTarget {
  /** `10.0.1.10/32` for a node; `0.0.0.0/0` for an egress target named by hostname or URL. */
  cidr: string;
  port: number;
  description: string;
}

/**
 * Every destination the prober of one vantage connects to, without duplicates, in a stable
 * order: the nodes of its groups as /32 on their probe port, and for NAT groups whose egress
 * probe runs from this vantage, the outside targets. An outside target named by hostname or URL
 * resolves to addresses nobody can list in advance, so it gets 0.0.0.0/0 on its port only;
 * that traffic leaves through the NAT being checked, which is the point of the probe.
 */
export function egressTargets(config: ArbiterConfig, vantageId: string): ProbeTarget[] {
  const seen = new Map<string, ProbeTarget>();
  const add = (cidr: string, port: number, description: string) => {
    const key = `${cidr} ${port}`;
    if (!seen.has(key)) seen.set(key, { cidr, port, description });
  };
  for (const g of config.groups) {
    if (!g.vantages.includes(vantageId)) continue;
    const check = directCheck(g);
    for (const n of g.nodes) {
      const port = n.port ?? check.port;
      add(`${n.address}/32`, port, `probe ${g.id}/${n.id}`);
    }
    if (g.check.type !== 'egress' || !egressVantages(g).includes(vantageId)) continue;
    for (const t of g.check.targets) {
      if (t.url !== undefined) {
        const url = new URL(t.url);
        const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
        add('0.0.0.0/0', port, `egress probe ${g.id} (${url.hostname})`);
      } else if (t.host !== undefined && t.port !== undefined) {
        add(isIPv4(t.host) ? `${t.host}/32` : '0.0.0.0/0', t.port, `egress probe ${g.id} (${t.host})`);
      }
    }
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t);
}
