import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../domain/errors';
import {
  type ArbiterConfig,
  type ConfigFile,
  ConfigFileSchema,
  type GroupConfig,
  PolicySchema,
} from './schema';
import { describeIssues, show, valueAt } from './zod-issues';

/** The object the user wrote at `path`, or {} (the schema has already checked its shape). */
function written(input: unknown, path: ReadonlyArray<PropertyKey>): Record<string, unknown> {
  const value = valueAt(input, path);
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * Parses and validates a config file's text.
 * @throws ConfigError naming every bad field path and value.
 */
export function parseConfig(text: string, source = 'config'): ArbiterConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = doc.toJS();
  return validateConfig(raw, source);
}

/**
 * Validates an already-parsed config object.
 * @throws ConfigError naming every bad field path and value.
 */
export function validateConfig(raw: unknown, source = 'config'): ArbiterConfig {
  if (raw === null || raw === undefined) {
    throw new ConfigError(source, [
      'the file is empty (or only comments): it needs at least version: 1, vantages and groups (see arbiter.yml and docs/config.md)',
    ]);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error, raw));
  const file = parsed.data;
  const issues: string[] = [];

  const vantageIds = file.vantages.map((v) => v.id);
  duplicates(vantageIds).forEach((d) => {
    issues.push(`vantages: id ${show(d)} is used more than once`);
  });
  duplicates(file.groups.map((g) => g.id)).forEach((d) => {
    issues.push(`groups: id ${show(d)} is used more than once`);
  });

  const groups = file.groups.map((g, gi) => validateGroup(raw, file, g, gi, issues));

  const owners = new Map<string, string>();
  for (const g of groups) {
    for (const r of g.resources) {
      for (const key of resourceKeys(r)) {
        const prev = owners.get(key);
        if (prev !== undefined) {
          issues.push(`groups: ${key} is claimed by group ${show(prev)} and group ${show(g.id)}`);
        }
        owners.set(key, g.id);
      }
    }
  }

  if (issues.length > 0) throw new ConfigError(source, issues);
  return {
    version: 1,
    ...(file.vpc !== undefined ? { vpc: file.vpc } : {}),
    vantages: file.vantages,
    arbiter: file.arbiter,
    groups,
  };
}

/** One group of the file, with its policy merged over `defaults.policy`; its issues go to `issues`. */
function validateGroup(
  raw: unknown,
  file: ConfigFile,
  g: ConfigFile['groups'][number],
  gi: number,
  issues: string[],
): GroupConfig {
  const vantageIds = file.vantages.map((v) => v.id);
  const at = `groups[${gi}]`;
  // Merge what the user wrote, not the parsed policies: those already carry every built-in
  // default, which would silently hide defaults.policy behind them.
  const policyInput = {
    ...written(raw, ['defaults', 'policy']),
    ...written(raw, ['groups', gi, 'policy']),
  };
  const policyParsed = PolicySchema.safeParse(policyInput);
  if (!policyParsed.success) {
    issues.push(...describeIssues(policyParsed.error, policyInput).map((i) => `${at}.policy.${i}`));
  }
  const policy = policyParsed.success ? policyParsed.data : PolicySchema.parse({});
  if (g.check.type === 'http') {
    // An HTTPS check without a port means 443, not the schema's plain-HTTP default of 80.
    if (g.check.tls && written(raw, ['groups', gi, 'check']).port === undefined) g.check.port = 443;
    if (g.check.method === 'HEAD' && g.check.bodyContains !== undefined) {
      issues.push(
        `${at}.check.bodyContains = ${show(g.check.bodyContains)}: a HEAD request has no body to search; use method GET or drop bodyContains`,
      );
    }
  }
  const vantages = g.vantages ?? vantageIds;
  for (const [vi, v] of vantages.entries()) {
    if (!vantageIds.includes(v)) {
      issues.push(`${at}.vantages[${vi}] = ${show(v)}: no such vantage (known: ${vantageIds.join(', ')})`);
    }
  }
  duplicates(g.vantages ?? []).forEach((d) => {
    issues.push(`${at}.vantages: ${show(d)} is listed more than once`);
  });
  issues.push(...policyIssues(policy, vantages.length, file.arbiter.heartbeatSeconds, at));
  issues.push(...nodeIssues(g, at));
  issues.push(...sameSubnetIssues(g, at), ...egressIssues(g, at, vantages));
  return {
    id: g.id,
    ...(g.description !== undefined ? { description: g.description } : {}),
    vantages,
    check: g.check,
    nodes: g.nodes,
    resources: g.resources,
    policy,
    ...(g.osHook !== undefined ? { osHook: g.osHook } : {}),
    ...(g.drill !== undefined ? { drill: g.drill } : {}),
  };
}

/** The policy's fields against each other, the group's vantages and the heartbeat. */
function policyIssues(
  policy: GroupConfig['policy'],
  vantages: number,
  heartbeatSeconds: number,
  at: string,
): string[] {
  const out: string[] = [];
  if (policy.quorum > vantages) {
    out.push(
      `${at}.policy.quorum = ${policy.quorum}: must be at most the number of vantage points probing the group (${vantages})`,
    );
  }
  if (policy.timeoutMs >= policy.intervalSeconds * 1000) {
    out.push(
      `${at}.policy.timeoutMs = ${policy.timeoutMs}: must be below intervalSeconds (${policy.intervalSeconds} s = ${policy.intervalSeconds * 1000} ms)`,
    );
  }
  if (policy.recheckMs >= policy.intervalSeconds * 1000) {
    out.push(
      `${at}.policy.recheckMs = ${policy.recheckMs}: must be below intervalSeconds (${policy.intervalSeconds} s = ${policy.intervalSeconds * 1000} ms), or a recheck would come no sooner than the next steady probe`,
    );
  }
  if (policy.staleAfterSeconds < 2 * heartbeatSeconds) {
    out.push(
      `${at}.policy.staleAfterSeconds = ${policy.staleAfterSeconds}: must be at least twice arbiter.heartbeatSeconds (${heartbeatSeconds}) or live verdicts would look stale`,
    );
  }
  return out;
}

/** Node ids and instances used once, and every node carrying what each resource moves to. */
function nodeIssues(g: ConfigFile['groups'][number], at: string): string[] {
  const out: string[] = [];
  duplicates(g.nodes.map((n) => n.id)).forEach((d) => {
    out.push(`${at}.nodes: id ${show(d)} is used more than once`);
  });
  duplicates(g.nodes.map((n) => n.instanceId)).forEach((d) => {
    out.push(`${at}.nodes: instanceId ${show(d)} is used by more than one node`);
  });
  for (const [ri, r] of g.resources.entries()) {
    const needs = r.kind === 'route-table-association' ? 'routeTable' : 'eni';
    for (const [ni, n] of g.nodes.entries()) {
      if (n[needs] === undefined) {
        out.push(
          `${at}.nodes[${ni}].${needs} = missing: node ${n.id} needs it for resource ${at}.resources[${ri}] (${r.kind}); every node of group ${g.id} does`,
        );
      }
    }
  }
  return out;
}

function resourceKeys(r: GroupConfig['resources'][number]): string[] {
  switch (r.kind) {
    case 'elastic-ip':
      return [`elastic-ip ${r.allocationId}`];
    case 'secondary-ip':
      return [`secondary-ip ${r.ip}`];
    case 'route':
      return r.routeTables.map((t) => `route ${r.destination} in ${t}`);
    case 'route-table-association':
      return r.subnets.map((s) => `association of ${s}`);
  }
}

/**
 * A secondary private IP cannot leave its subnet, so every node of a secondary-ip group must
 * be in one subnet. Checked here when nodes declare `subnet`; preflight checks the real ENIs.
 */
function sameSubnetIssues(g: ConfigFile['groups'][number], at: string): string[] {
  const issues: string[] = [];
  for (const [ri, r] of g.resources.entries()) {
    if (r.kind !== 'secondary-ip') continue;
    const declared = g.nodes.filter((n) => n.subnet !== undefined);
    const first = declared[0];
    const other = declared.find((n) => n.subnet !== first?.subnet);
    if (first && other) {
      issues.push(
        `${at}.resources[${ri}] (secondary-ip ${r.ip}): node ${first.id} is in ${first.subnet} and node ${other.id} is in ${other.subnet}; a secondary private IP cannot move between subnets. Use elastic-ip (moves across subnets and AZs) or route (an overlay /32 outside the VPC CIDR) instead`,
      );
    }
  }
  return issues;
}

/** An egress check's vantages must probe the group, and k of n targets must be possible. */
function egressIssues(g: ConfigFile['groups'][number], at: string, vantages: readonly string[]): string[] {
  if (g.check.type !== 'egress') return [];
  const issues: string[] = [];
  const { minFailing, targets, from } = g.check;
  if (minFailing !== undefined && minFailing > targets.length) {
    issues.push(
      `${at}.check.minFailing = ${minFailing}: must be at most the number of targets (${targets.length})`,
    );
  }
  for (const [vi, v] of (from ?? []).entries()) {
    if (!vantages.includes(v)) {
      issues.push(
        `${at}.check.from[${vi}] = ${show(v)}: not a vantage of group ${g.id} (its vantages: ${vantages.join(', ')})`,
      );
    }
  }
  return issues;
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) dup.add(v);
    seen.add(v);
  }
  return [...dup];
}

/**
 * Reads, parses and validates a config file.
 * @throws ConfigError if the file cannot be read or is invalid.
 */
export function loadConfig(path: string): ArbiterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseConfig(text, path);
}

/** Finds a group by id. */
export function findGroup(config: ArbiterConfig, groupId: string): GroupConfig | undefined {
  return config.groups.find((g) => g.id === groupId);
}
