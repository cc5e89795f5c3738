import type { GroupConfig, NodeConfig } from '../config/schema';
import type { ProbeResult } from '../model';
import { probeHttp } from './http';
import { probeTcp } from './tcp';

/** Probes one node of a group with the group's check. */
export type NodeProber = (group: GroupConfig, node: NodeConfig) => Promise<ProbeResult>;

/** The real prober: TCP connect or HTTP(S) request to the node's address. */
export const probeNode: NodeProber = (group, node) => {
  const { check, policy } = group;
  const port = node.port ?? check.port;
  if (check.type === 'http') return probeHttp(node.address, port, check, policy.timeoutMs);
  return probeTcp(node.address, port, policy.timeoutMs);
};
