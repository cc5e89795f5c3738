import { isIPv4 } from 'node:net';
import type { ArbiterConfig } from '../shared/config/schema';
import { ConfigError } from '../shared/domain/errors';
import { FIXED_FUNCTIONS, functionName, MAX_FUNCTION_NAME, proberKey } from './names';
import type { StackParams } from './params';
import { egressTargets } from './probe-targets';
import { LEASE_HOLDERS, LEASE_MARGIN_SECONDS, MIN_ARBITER_TIMEOUT_SECONDS } from './timing';

/** A security group holds 60 egress rules by default; one goes to DynamoDB. */
export const MAX_PROBE_EGRESS_RULES = 59;

/**
 * What a config needs beyond the schema to be deployed on AWS (the local cloud needs none of
 * it): the VPC id, route tables for the DynamoDB endpoint, IPv4 node addresses for the
 * security groups, names that fit Lambda's limits, a lease long enough for the timeout.
 * @throws ConfigError naming each field, with the same layout as the loader's errors.
 */
export function checkDeployable(
  config: ArbiterConfig,
  params: StackParams,
  names: { service: string; stage: string },
  source: string,
): void {
  const issues: string[] = [];
  if (config.vpc === undefined) {
    issues.push(
      'vpc = missing: needed on AWS for the probers\u2019 security groups and the DynamoDB gateway endpoint (vpc-...)',
    );
  }
  for (const [vi, v] of config.vantages.entries()) {
    if (v.routeTable === undefined && params.dynamodbEndpoint === undefined) {
      issues.push(
        `vantages[${vi}].routeTable = missing: the DynamoDB gateway endpoint is added to each vantage's route table (or pass --param="dynamodbEndpoint=vpce-..." to use an existing endpoint)`,
      );
    }
    const name = functionName(names.service, names.stage, proberKey(v.id));
    if (name.length > MAX_FUNCTION_NAME) {
      issues.push(
        `vantages[${vi}].id = ${JSON.stringify(v.id)}: the prober's function name ${name} has ${name.length} characters; Lambda allows ${MAX_FUNCTION_NAME} (use a shorter id or stage)`,
      );
    }
    const rules = egressTargets(config, v.id).length;
    if (rules > MAX_PROBE_EGRESS_RULES) {
      issues.push(
        `vantages[${vi}]: probes ${rules} distinct destinations, but its security group holds ${MAX_PROBE_EGRESS_RULES} egress rules besides DynamoDB (split the groups across vantages)`,
      );
    }
  }
  for (const [gi, g] of config.groups.entries()) {
    for (const [ni, n] of g.nodes.entries()) {
      if (!isIPv4(n.address)) {
        issues.push(
          `groups[${gi}].nodes[${ni}].address = ${JSON.stringify(n.address)}: must be an IPv4 address on AWS (the prober's security group allows egress to it as a /32)`,
        );
      }
    }
  }
  const minLease = MIN_ARBITER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS;
  if (config.arbiter.leaseSeconds < minLease) {
    issues.push(
      `arbiter.leaseSeconds = ${config.arbiter.leaseSeconds}: must be at least ${minLease} on AWS (the timeout of ${LEASE_HOLDERS.join(', ')} is leaseSeconds - ${LEASE_MARGIN_SECONDS} s and the arbiter needs ${MIN_ARBITER_TIMEOUT_SECONDS} s)`,
    );
  }
  const longest = Math.max(...FIXED_FUNCTIONS.map((f) => functionName(names.service, names.stage, f).length));
  if (longest > MAX_FUNCTION_NAME) {
    issues.push(
      `--stage ${JSON.stringify(names.stage)}: function names would have ${longest} characters; Lambda allows ${MAX_FUNCTION_NAME}`,
    );
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
}
