import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  type LocalCloud,
  OPERATOR_CREDENTIALS,
  type StartLocalCloudOptions,
  startLocalCloud,
  type TopologyInput,
} from '../../../local/cloud/index';
import { signedFetch } from '../../helpers/sigv4';

/** Paths of the ready-made topologies. */
export const LB_PAIR = fileURLToPath(new URL('../../../local/topologies/lb-pair.yml', import.meta.url));
export const NAT_PAIR = fileURLToPath(new URL('../../../local/topologies/nat-pair.yml', import.meta.url));

/** Ids of lb-pair.yml. */
export const LB = {
  a: 'i-0a1b2c3d4e5f60001',
  b: 'i-0a1b2c3d4e5f60002',
  eniA: 'eni-0a1b2c3d4e5f60001',
  eniB: 'eni-0a1b2c3d4e5f60002',
  subnetA: 'subnet-0a1b2c3d4e5f6000a',
  subnetB: 'subnet-0a1b2c3d4e5f6000b',
  eip: 'eipalloc-0a1b2c3d4e5f60001',
  eipAssociation: 'eipassoc-0a1b2c3d4e5f60001',
  publicIp: '203.0.113.10',
  rtb: 'rtb-0a1b2c3d4e5f60001',
  readOnlyKey: 'AKIDREADONLYEXAMPLE',
} as const;

/** Ids of nat-pair.yml. */
export const NAT = {
  a: 'i-0b1b2c3d4e5f60001',
  b: 'i-0b1b2c3d4e5f60002',
  eniA: 'eni-0b1b2c3d4e5f60001',
  eniB: 'eni-0b1b2c3d4e5f60002',
  privateSubnetA: 'subnet-0b1b2c3d4e5f6011a',
  rtbPrivateA: 'rtb-0b1b2c3d4e5f6000a',
  rtbStandby: 'rtb-0b1b2c3d4e5f600ff',
  rtbPublic: 'rtb-0b1b2c3d4e5f60001',
  privateAssocA: 'rtbassoc-0b1b2c3d4e5f6011a',
} as const;

/**
 * A VIP pair: two instances in one subnet (so a secondary IP can move between
 * them), a third in another subnet, a VIP 10.0.1.100 on A with an Elastic IP on
 * it, and a spare Elastic IP.
 */
export const VIP = {
  a: 'i-0c1b2c3d4e5f60001',
  b: 'i-0c1b2c3d4e5f60002',
  c: 'i-0c1b2c3d4e5f60003',
  eniA: 'eni-0c1b2c3d4e5f60001',
  eniB: 'eni-0c1b2c3d4e5f60002',
  eniC: 'eni-0c1b2c3d4e5f60003',
  vip: '10.0.1.100',
  eip: 'eipalloc-0c1b2c3d4e5f60001',
  publicIp: '203.0.113.20',
  spareEip: 'eipalloc-0c1b2c3d4e5f60002',
  sparePublicIp: '203.0.113.21',
} as const;

/** The VIP pair topology as an object (no YAML needed). */
export const vipPairTopology: TopologyInput = {
  vpc: { id: 'vpc-0c1b2c3d4e5f60718', cidr: '10.0.0.0/16' },
  subnets: [
    { id: 'subnet-0c1b2c3d4e5f6000a', cidr: '10.0.1.0/24', az: 'us-east-1a' },
    { id: 'subnet-0c1b2c3d4e5f6000b', cidr: '10.0.2.0/24', az: 'us-east-1b' },
  ],
  instances: [
    {
      id: VIP.a,
      name: 'vip-a',
      subnet: 'subnet-0c1b2c3d4e5f6000a',
      networkInterfaces: [
        { id: VIP.eniA, privateIp: '10.0.1.10', secondaryPrivateIps: [VIP.vip], maxPrivateIps: 3 },
      ],
    },
    {
      id: VIP.b,
      name: 'vip-b',
      subnet: 'subnet-0c1b2c3d4e5f6000a',
      networkInterfaces: [{ id: VIP.eniB, privateIp: '10.0.1.11', maxPrivateIps: 3 }],
    },
    {
      id: VIP.c,
      name: 'vip-c',
      subnet: 'subnet-0c1b2c3d4e5f6000b',
      networkInterfaces: [{ id: VIP.eniC, privateIp: '10.0.2.10' }],
    },
  ],
  elasticIps: [
    {
      allocationId: VIP.eip,
      publicIp: VIP.publicIp,
      association: { networkInterface: VIP.eniA, privateIp: VIP.vip },
    },
    { allocationId: VIP.spareEip, publicIp: VIP.sparePublicIp },
  ],
  routeTables: [{ id: 'rtb-0c1b2c3d4e5f60001', main: true, routes: [] }],
};

/**
 * Starts a cloud with a fixed seed unless told otherwise. These tests check EC2's rules
 * call by call, so they ask for instant Describe answers (`describeLag: 0`); the lag
 * itself has tests of its own.
 */
export function startCloud(
  topology: StartLocalCloudOptions['topology'],
  options: Omit<StartLocalCloudOptions, 'topology'> = {},
): Promise<LocalCloud> {
  return startLocalCloud({ seed: 42, describeLag: 0, ...options, topology });
}

/** What a test checks of an SDK error. */
export interface CaughtAwsError {
  readonly name: string;
  readonly message: string;
  readonly status: number | undefined;
}

/** Awaits a call that must fail, and returns the SDK error's code, message and HTTP status. */
export async function awsError(call: Promise<unknown>): Promise<CaughtAwsError> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  expect.fail('the call was expected to fail');
}

/** POSTs a raw form to an emulator, signed with the operator key, for what the SDK cannot send. */
export async function postForm(
  endpoint: string,
  form: Record<string, string>,
  service: 'ec2' | 'sns' = 'ec2',
): Promise<Response> {
  return signedFetch({
    endpoint: `${endpoint}/`,
    service,
    region: 'us-east-1',
    credentials: OPERATOR_CREDENTIALS,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns true; fails after `timeoutMs` (timing-robust on a busy machine). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`condition not met within ${timeoutMs} ms`);
    await delay(10);
  }
}
