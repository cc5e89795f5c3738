import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARBITER_DEFAULTS, HTTP_CHECK_DEFAULTS, POLICY_DEFAULTS } from '../../../shared/config/defaults';

const doc = readFileSync('docs/config.md', 'utf8');

function rowOf(field: string): string | undefined {
  const cell = new RegExp(`^\\|\\s*\`${field}\`\\s*\\|`);
  return doc.split('\n').find((line) => cell.test(line));
}

function shown(value: unknown): string {
  if (typeof value === 'object') {
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} }`;
  }
  return String(value);
}

describe('docs/config.md', () => {
  it.each([
    ...Object.entries(POLICY_DEFAULTS),
    ...Object.entries(ARBITER_DEFAULTS),
    ...Object.entries(HTTP_CHECK_DEFAULTS),
  ])('documents %s with its default', (field, value) => {
    const row = rowOf(field);
    expect(row, `no row for ${field}`).toBeDefined();
    expect(row).toContain(`\`${shown(value)}\``);
  });
});
