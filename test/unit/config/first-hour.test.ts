import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/load';

const VALID = `
version: 1
vantages:
  - { id: az-a, subnet: subnet-0a1b2c3d4e5f60001 }
  - { id: az-c, subnet: subnet-0a1b2c3d4e5f60003 }
groups:
  - id: web-lb
    check: { type: http, port: 80 }
    nodes:
      - { id: lb-1, instanceId: i-0a1b2c3d4e5f60001, address: 10.0.1.10, eni: eni-0a1b2c3d4e5f60001, priority: 200 }
      - { id: lb-2, instanceId: i-0a1b2c3d4e5f60002, address: 10.0.3.10, eni: eni-0a1b2c3d4e5f60002 }
    resources:
      - { kind: elastic-ip, allocationId: eipalloc-0a1b2c3d4e5f60001 }
`;

function problems(text: string): string {
  try {
    parseConfig(text, 'mine.yml');
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('Config errors a new user meets first', () => {
  it('accepts the valid example, so the cases below fail for their own reason', () => {
    expect(problems(VALID)).toBe('');
  });

  it('says an empty file is empty instead of "(root) = null"', () => {
    for (const text of ['', '# only a comment\n']) {
      const message = problems(text);
      expect(message).toMatch(/the file is empty/);
      expect(message).not.toMatch(/\(root\) = null/);
    }
  });

  it('refuses an id with a digit that is not hex, naming the field and the value', () => {
    const message = problems(VALID.replace('eipalloc-0a1b2c3d4e5f60001', 'eipalloc-0a1b2c3g'));
    expect(message).toMatch(
      /groups\[0\]\.resources\[0\]\.allocationId = "eipalloc-0a1b2c3g": must be eipalloc- and up to 17 hex digits/,
    );
  });

  it('checks the hex shape of every kind of id', () => {
    for (const [good, bad] of [
      ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f6000z'],
      ['i-0a1b2c3d4e5f60002', 'i-0A1B2C3D'],
      ['eni-0a1b2c3d4e5f60002', 'eni-xyz'],
    ] as const) {
      expect(problems(VALID.replace(good, bad))).toContain(`"${bad}"`);
    }
  });

  it('names a number too large to be finite instead of printing null', () => {
    const message = problems(VALID.replace('priority: 200', 'priority: 1e309'));
    expect(message).toMatch(/priority = Infinity \(not a finite number\)/);
  });
});
