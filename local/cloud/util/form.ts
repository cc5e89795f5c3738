/**
 * Parses an `application/x-www-form-urlencoded` body (or URL query) into a map.
 * A repeated key keeps its last value, which matches how AWS Query services treat
 * duplicates closely enough for an emulator.
 */
export function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    params.set(decodeComponent(rawKey), decodeComponent(rawValue));
  }
  return params;
}

function decodeComponent(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A malformed escape is kept literally rather than failing the whole request.
    return spaced;
  }
}

/**
 * Collects an AWS Query list such as `InstanceId.1`, `InstanceId.2` in index order.
 * Gaps are allowed, as the services do not require dense numbering.
 */
export function queryList(params: ReadonlyMap<string, string>, prefix: string): string[] {
  const found: Array<[number, string]> = [];
  const head = `${prefix}.`;
  for (const [key, value] of params) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    if (/^\d+$/.test(rest)) found.push([Number(rest), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** Distinct member indexes under `prefix` (`Filter.3.Name` -> 3), ascending. */
export function queryIndexes(params: ReadonlyMap<string, string>, prefix: string): number[] {
  const indexes = new Set<number>();
  const head = `${prefix}.`;
  for (const key of params.keys()) {
    if (!key.startsWith(head)) continue;
    const match = /^(\d+)(\.|$)/.exec(key.slice(head.length));
    if (match?.[1] !== undefined) indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}
