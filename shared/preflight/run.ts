import { DescribeVpcEndpointsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { ArbiterConfig } from '../config/schema';
import { checkDryRun } from './dry-run';
import { checkExistence } from './exists';
import { Findings, type PreflightReport } from './finding';
import { gatherInventory } from './inventory';
import { checkNodes } from './nodes';
import { checkPaths } from './paths';

/** What preflight needs besides the config. */
export interface PreflightOptions {
  /** Subnets the arbiter runs in; none (the default) means outside the VPC. */
  arbiterSubnets?: readonly string[];
  /** Private IPv4 addresses per ENI, by ENI id or instance type; wins over DescribeInstanceTypes. */
  eniLimits?: Record<string, number>;
  /** Only these groups (default: all). */
  groups?: readonly string[];
  /** Skip the DryRun permission checks (e.g. when run with a role other than the arbiter's). */
  skipDryRun?: boolean;
}

/**
 * Checks a config against the account before it is needed: that every named instance, ENI,
 * Elastic IP, route table and subnet exists and fits; that secondary-ip nodes share a subnet;
 * that NAT and route-target instances forward (source/destination check off); that each ENI
 * has room for another secondary IP; that every mutating call a failover needs passes a
 * DryRun with this role; and that neither probers nor the arbiter depend on a NAT they protect.
 * Never changes anything. Run it with the arbiter's role, or the permission checks say little.
 */
export async function runPreflight(
  config: ArbiterConfig,
  ec2: EC2Client,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const scoped: ArbiterConfig = options.groups
    ? { ...config, groups: config.groups.filter((g) => options.groups?.includes(g.id)) }
    : config;
  const findings = new Findings();
  if (options.groups) {
    for (const id of options.groups) {
      if (!config.groups.some((g) => g.id === id)) {
        findings.error(
          'config',
          `group ${id}`,
          'no such group in the config',
          `known groups: ${config.groups.map((g) => g.id).join(', ')}`,
        );
      }
    }
  }
  const inv = await gatherInventory(scoped, ec2, findings, options.arbiterSubnets ?? []);
  checkExistence(scoped, inv, findings);
  checkNodes(scoped, inv, findings, options.eniLimits ? { eniLimits: options.eniLimits } : {});
  const interfaceEndpoints =
    (options.arbiterSubnets?.length ?? 0) > 0 ? await listInterfaceEndpoints(ec2) : undefined;
  checkPaths(scoped, inv, findings, {
    ...(options.arbiterSubnets ? { arbiterSubnets: options.arbiterSubnets } : {}),
    ...(interfaceEndpoints ? { interfaceEndpoints } : {}),
  });
  if (!options.skipDryRun) await checkDryRun(scoped, ec2, inv, findings);
  return findings.report();
}

/** Service names of available interface endpoints; empty if they cannot be listed. */
async function listInterfaceEndpoints(ec2: EC2Client): Promise<Set<string>> {
  try {
    const out = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [
          { Name: 'vpc-endpoint-type', Values: ['Interface'] },
          { Name: 'vpc-endpoint-state', Values: ['available'] },
        ],
      }),
    );
    return new Set((out.VpcEndpoints ?? []).flatMap((e) => (e.ServiceName ? [e.ServiceName] : [])));
  } catch {
    return new Set();
  }
}
