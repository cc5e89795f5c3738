import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/domain/errors';
import { makeConfig } from '../../helpers/config';

function issues(edit: Parameters<typeof makeConfig>[0]): string[] {
  try {
    makeConfig(edit);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
}

describe('Config validation of secondary-ip subnets', () => {
  it('refuses a secondary-ip group whose nodes declare different subnets, naming both and suggesting elastic-ip or route', () => {
    const found = issues((raw) => {
      const g = raw.groups[0]!;
      g.resources = [{ kind: 'secondary-ip', ip: '10.0.1.100' }];
      Object.assign(g.nodes[0]!, { subnet: 'subnet-0a' });
      Object.assign(g.nodes[1]!, { subnet: 'subnet-0c' });
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('groups[0].resources[0] (secondary-ip 10.0.1.100)');
    expect(found[0]).toContain('node lb-1 is in subnet-0a and node lb-2 is in subnet-0c');
    expect(found[0]).toMatch(/Use elastic-ip .* or route .* instead/);
  });

  it('accepts nodes in one subnet, and leaves undeclared subnets to preflight', () => {
    expect(
      issues((raw) => {
        const g = raw.groups[0]!;
        g.resources = [{ kind: 'secondary-ip', ip: '10.0.1.100' }];
        Object.assign(g.nodes[0]!, { subnet: 'subnet-0a' });
        Object.assign(g.nodes[1]!, { subnet: 'subnet-0a' });
      }),
    ).toEqual([]);
    expect(
      issues((raw) => {
        raw.groups[0]!.resources = [{ kind: 'secondary-ip', ip: '10.0.1.100' }];
        Object.assign(raw.groups[0]!.nodes[0]!, { subnet: 'subnet-0a' });
      }),
    ).toEqual([]);
  });

  it('does not apply the rule to an Elastic IP, which crosses subnets', () => {
    expect(
      issues((raw) => {
        Object.assign(raw.groups[0]!.nodes[0]!, { subnet: 'subnet-0a' });
        Object.assign(raw.groups[0]!.nodes[1]!, { subnet: 'subnet-0c' });
      }),
    ).toEqual([]);
  });
});
