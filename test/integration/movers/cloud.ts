import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';
import { parseDocument } from 'yaml';
import { type LocalCloud, startLocalCloud, type TopologyInput } from '../../../local/cloud/index';
import { loadConfig } from '../../../shared/config/load';
import type { ArbiterConfig } from '../../../shared/config/schema';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Topology and config files used by these tests. */
export const FILES = {
  natPair: here('../../../local/topologies/nat-pair.yml'),
  lbPair: here('../../../local/topologies/lb-pair.yml'),
  lbVip: here('../../fixtures/topologies/lb-vip.yml'),
  natAssociationConfig: here('../../fixtures/configs/nat-pair-association.yml'),
  natRouteConfig: here('../../fixtures/configs/nat-pair-route.yml'),
  lbVipConfig: here('../../fixtures/configs/lb-vip.yml'),
} as const;

/** A topology file as a plain object a test may change before starting the cloud. */
export function topologyObject(path: string): TopologyInput {
  return parseDocument(readFileSync(path, 'utf8')).toJS() as TopologyInput;
}

/** A running local cloud and an SDK client calling it as `accessKeyId`. */
export interface Rig {
  cloud: LocalCloud;
  ec2: EC2Client;
  /** Another client, e.g. an operator moving things by hand. */
  client(accessKeyId?: string): EC2Client;
  close(): Promise<void>;
}

/**
 * Starts a local cloud (fixed seed) from a topology file or object. These tests read back
 * with a fast, short verify loop, so they ask for instant Describe answers; the movers'
 * read-back under AWS-like lag runs in the e2e tier and in the simulator.
 */
export async function startRig(topology: string | TopologyInput): Promise<Rig> {
  const cloud = await startLocalCloud({ topology, seed: 7, describeLag: 0 });
  const clients: EC2Client[] = [];
  const client = (accessKeyId?: string) => {
    const c = new EC2Client({ ...cloud.clientConfig('ec2', accessKeyId), maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  return {
    cloud,
    ec2: client(),
    client,
    close: async () => {
      for (const c of clients) c.destroy();
      await cloud.close();
    },
  };
}

/** A config fixture, validated. */
export function config(path: string): ArbiterConfig {
  return loadConfig(path);
}
