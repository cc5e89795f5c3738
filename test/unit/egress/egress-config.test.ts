import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/domain/errors';
import { makeConfig } from '../../helpers/config';

const egress = (extra: Record<string, unknown> = {}) => ({
  type: 'egress',
  targets: [{ host: '192.0.2.10', port: 443 }, { url: 'https://example.com/health' }],
  direct: { type: 'tcp', port: 22 },
  ...extra,
});

function issues(check: Record<string, unknown>): string[] {
  try {
    makeConfig((raw) => {
      raw.groups[0]!.check = check;
    });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
}

describe('The egress check in the config', () => {
  it('accepts TCP and URL targets with a direct check of each node', () => {
    const config = makeConfig((raw) => {
      raw.groups[0]!.check = egress({ minFailing: 2, from: ['az-a'] });
    });
    expect(config.groups[0]!.check).toMatchObject({ type: 'egress', minFailing: 2, from: ['az-a'] });
  });

  it('refuses a target with both host and url, or neither', () => {
    expect(
      issues(egress({ targets: [{ host: 'a.example', port: 80, url: 'http://a.example/' }] }))[0],
    ).toContain('either host and port (TCP) or url (HTTP)');
    expect(issues(egress({ targets: [{ host: 'a.example' }] }))[0]).toContain('either host and port');
  });

  it('refuses a non-HTTP URL', () => {
    expect(issues(egress({ targets: [{ url: 'ftp://example.com/' }] })).join()).toContain(
      'http:// or https://',
    );
  });

  it('refuses minFailing above the number of targets and an egress vantage the group does not have', () => {
    expect(issues(egress({ minFailing: 3 }))).toEqual([
      'groups[0].check.minFailing = 3: must be at most the number of targets (2)',
    ]);
    expect(issues(egress({ from: ['az-x'] }))[0]).toContain(
      'groups[0].check.from[0] = "az-x": not a vantage of group web-lb',
    );
  });

  it('needs the direct check', () => {
    expect(issues({ type: 'egress', targets: [{ host: '192.0.2.10', port: 443 }] }).join()).toContain(
      'direct',
    );
  });
});
