import { directCheck, EGRESS_NODE } from '../../domain/egress-health';
import type { NodeProber } from '../../ports/node-prober';
import { probeEgress } from './egress';
import { probeHttp } from './http';
import { probeTcp } from './tcp';

/**
 * The real prober: TCP connect or HTTP(S) request to the node's address; for the egress
 * pseudo node of a NAT group, the egress probe through whichever NAT holds the route.
 */
export const probeNode: NodeProber = (group, node) => {
  const { policy } = group;
  if (group.check.type === 'egress' && node.id === EGRESS_NODE)
    return probeEgress(group.check, policy.timeoutMs);
  const check = directCheck(group);
  const port = node.port ?? check.port;
  if (check.type === 'http') return probeHttp(node.address, port, check, policy.timeoutMs);
  return probeTcp(node.address, port, policy.timeoutMs);
};
