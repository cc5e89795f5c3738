import { describe, expect, it } from 'vitest';
import { defineCli, isExpected, parseCli, usageText } from '../../../scripts/cli-args';

const CLI = defineCli({
  command: 'npm run thing --',
  positionals: '<name>',
  maxPositionals: 1,
  summary: 'Does a thing.',
  flags: {
    port: { type: 'string', default: '4566', value: 'PORT', help: 'where it listens' },
    quiet: { type: 'boolean', default: false, help: 'say less' },
    group: { type: 'string', multiple: true, value: 'ID', help: 'only this group' },
  },
  examples: ['npm run thing -- web --port 1'],
});

describe('The shared command-line parser', () => {
  it('answers --help and -h with the usage, its flags and an example', () => {
    for (const flag of ['--help', '-h']) {
      const out = parseCli(CLI, [flag]);
      expect(out.kind).toBe('help');
      const text = out.kind === 'help' ? out.text : '';
      expect(text).toMatch(/^usage: npm run thing -- <name> \[options\]/);
      expect(text).toContain('--port PORT');
      expect(text).toContain('(default: 4566)');
      expect(text).toContain('npm run thing -- web --port 1');
    }
  });

  it('refuses an unknown flag with one line before the usage', () => {
    const out = parseCli(CLI, ['--prot', '1']);
    expect(out.kind).toBe('usage-error');
    const [first, blank] = (out.kind === 'usage-error' ? out.text : '').split('\n');
    expect(first).toBe("npm run thing --: Unknown option '--prot'.");
    expect(blank).toBe('');
  });

  it('refuses more positionals than the command takes', () => {
    const out = parseCli(CLI, ['a', 'b']);
    expect(out.kind === 'usage-error' && out.text.split('\n')[0]).toBe(
      'npm run thing --: unexpected argument "b"',
    );
  });

  it('fills in defaults and keeps repeated flags', () => {
    const out = parseCli(CLI, ['web', '--group', 'a', '--group', 'b']);
    expect(out).toEqual({
      kind: 'ok',
      values: { port: '4566', quiet: false, group: ['a', 'b'] },
      positionals: ['web'],
    });
  });

  it('tells expected failures (no stack needed) from unexpected ones', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const config = Object.assign(new Error('mine.yml is invalid'), { name: 'ConfigError' });
    expect(isExpected(busy)).toBe(true);
    expect(isExpected(config)).toBe(true);
    expect(isExpected(new TypeError('x is undefined'))).toBe(false);
    expect(usageText(CLI)).toContain('--help, -h');
  });
});
