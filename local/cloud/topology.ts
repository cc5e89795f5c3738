import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { checkTopology } from './topology-checks';
import { type Topology, type TopologyInput, TopologySchema } from './topology-schema';

export type {
  Topology,
  TopologyInput,
  TopologyInstance,
  TopologyNetworkInterface,
} from './topology-schema';
export { TopologySchema } from './topology-schema';

/** A topology that failed validation; `issues` has one line per problem, each naming the field path. */
export class TopologyError extends Error {
  readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[]) {
    super(`Invalid topology (${source}):\n${issues.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'TopologyError';
    this.issues = issues;
  }
}

/** `instances[0].networkInterfaces[1].privateIp` from a zod path. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
  }
  return [`${formatPath(issue.path)}: ${issue.message} (got ${describeValue(issue.input)})`];
}

/**
 * Validates a topology object (already parsed from YAML or built in code).
 * @throws TopologyError listing every problem with its field path and value.
 */
export function parseTopology(raw: unknown, source = 'topology'): Topology {
  const result = TopologySchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new TopologyError(source, result.error.issues.flatMap(formatIssue));
  const issues = checkTopology(result.data);
  if (issues.length > 0)
    throw new TopologyError(
      source,
      issues.map((i) => `${i.path}: ${i.message}`),
    );
  return result.data;
}

/** Parses and validates topology YAML text. */
export function parseTopologyYaml(text: string, source = 'topology'): Topology {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new TopologyError(source, [`YAML: ${(err as Error).message}`]);
  }
  return parseTopology(raw, source);
}

/** Reads, parses and validates a topology YAML file. */
export async function loadTopology(path: string): Promise<Topology> {
  return parseTopologyYaml(await readFile(path, 'utf8'), path);
}

/** Accepts either a validated topology or raw input; always returns a validated copy. */
export function ensureTopology(topology: Topology | TopologyInput): Topology {
  return parseTopology(topology);
}
