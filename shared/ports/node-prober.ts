import type { GroupConfig, NodeConfig } from '../config/schema';
import type { ProbeResult } from '../domain/model';

/** Probes one node of a group with the group's check. */
export type NodeProber = (group: GroupConfig, node: NodeConfig) => Promise<ProbeResult>;
