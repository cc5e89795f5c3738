import type { z } from 'zod';

/*
 * The one formatter of schema errors, for the config file (shared/config/load.ts), invoke
 * payloads (shared/ops/payload.ts, shared/preflight/payload.ts) and invocation events
 * (shared/runtime/arbiter-event.ts): every line names the field path and the value given, so
 * a reader can find and fix it without the schema at hand.
 */

/** Renders a path such as ['groups', 0, 'nodes', 1, 'priority'] as groups[0].nodes[1].priority. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** The value at `path` in what the user wrote (own keys only), or undefined. */
export function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** A value as it appears in an error: JSON, cut short so a huge string cannot flood the message. */
export function show(value: unknown, max = 80): string {
  if (value === undefined) return 'missing';
  // YAML reads 1e309 as Infinity, which JSON would print as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (not a finite number)`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function article(kind: string): string {
  if (kind === 'int') return 'a whole number';
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** One issue as lines (an unknown-keys issue names each key). */
function describeIssue(issue: z.core.$ZodIssue, input: unknown, validKeys?: readonly string[]): string[] {
  const at = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  const given = `${at} = ${show(value)}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const prefix = at === '(root)' ? '' : `${at}.`;
      const hint = validKeys ? `valid keys: ${validKeys.join(', ')}` : 'check the spelling';
      return issue.keys.map(
        (k) => `${prefix}${k.length > 40 ? `${k.slice(0, 37)}...` : k}: unknown key (${hint})`,
      );
    }
    case 'invalid_value':
      return [`${given}: must be one of ${issue.values.map((v) => String(v)).join(', ')}`];
    case 'invalid_type':
      if (value === undefined) return [`${given}: is required (${article(issue.expected)})`];
      return [`${given}: must be ${article(issue.expected)}`];
    case 'too_small': {
      const bound = issue.inclusive === false ? 'more than' : 'at least';
      if (issue.origin === 'string') {
        return [
          `${given}: ${Number(issue.minimum) <= 1 ? 'must not be empty' : `must be ${bound} ${issue.minimum} characters`}`,
        ];
      }
      if (issue.origin === 'array') return [`${given}: must have ${bound} ${issue.minimum} item(s)`];
      return [`${given}: must be ${bound} ${issue.minimum}`];
    }
    case 'too_big': {
      const bound = issue.inclusive === false ? 'less than' : 'at most';
      if (issue.origin === 'string') {
        return [`${given}: must be ${bound} ${issue.maximum} characters (got ${String(value).length})`];
      }
      if (issue.origin === 'array') return [`${given}: must have ${bound} ${issue.maximum} item(s)`];
      return [`${given}: must be ${bound} ${issue.maximum}`];
    }
    default:
      return [`${given}: ${issue.message}`];
  }
}

/**
 * Turns zod issues into lines that name the field path and the bad value.
 * `validKeys`: the keys an unknown key could have meant (listed in its line).
 * `firstPerField`: keep only the first issue of each field: zod runs a field's checks even
 * after its type check failed (`[]` for a string gets "too small" too), and the first one
 * explains it.
 */
export function describeIssues(
  error: z.ZodError,
  input: unknown,
  options: { validKeys?: readonly string[]; firstPerField?: boolean } = {},
): string[] {
  const seen = new Set<string>();
  return error.issues
    .filter((issue) => {
      if (!options.firstPerField || issue.code === 'unrecognized_keys') return true;
      const key = formatPath(issue.path);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .flatMap((issue) => describeIssue(issue, input, options.validKeys));
}
