import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/domain/errors';
import { Findings } from '../../../shared/preflight/finding';
import { formatReport } from '../../../shared/preflight/format';
import { parsePreflightPayload } from '../../../shared/preflight/payload';

describe('The preflight report', () => {
  it('lists errors and warnings with their fixes, counts passed checks, and ends with a verdict', () => {
    const f = new Findings();
    f.ok('exists', 'eipalloc-1 (group web)', 'Elastic IP allocation exists');
    f.warning('path', 'vantage az-a', 'no public IP', 'add an endpoint');
    f.error('source-dest-check', 'i-1 (node nat-a of group nat)', 'check enabled', 'disable it');
    const report = f.report();
    expect(report).toMatchObject({ ok: false, errors: 1, warnings: 1 });
    expect(formatReport(report).split('\n')).toEqual([
      'ERROR [source-dest-check] i-1 (node nat-a of group nat): check enabled',
      '        fix: disable it',
      'WARN  [path] vantage az-a: no public IP',
      '        fix: add an endpoint',
      'ok    1 checks passed (--verbose lists them)',
      '',
      'preflight FAILED: 1 error(s), 1 warning(s), 1 ok',
    ]);
    expect(formatReport(report, { verbose: true })).toContain(
      'ok    [exists] eipalloc-1 (group web): Elastic IP allocation exists',
    );
  });

  it('passes with warnings only', () => {
    const f = new Findings();
    f.warning('path', 'vantage az-a', 'no public IP', 'add an endpoint');
    expect(f.report().ok).toBe(true);
    expect(formatReport(f.report())).toContain('preflight passed: 0 ok, 1 warning(s)');
  });

  it('takes an empty payload and refuses an unknown field by name', () => {
    expect(parsePreflightPayload(undefined)).toMatchObject({ format: 'json', skipDryRun: false });
    const error = (() => {
      try {
        parsePreflightPayload({ group: 'web' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('group: unknown key');
  });
});
