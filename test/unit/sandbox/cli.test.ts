import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Exec } from '../../../scripts/sandbox/aws';
import { type CliIo, runSandbox } from '../../../scripts/sandbox/cli';
import { hourlyCost } from '../../../scripts/sandbox/cost';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
  calls: string[][];
  asked: string[];
}

/** An io that records everything; the only program it "runs" is `aws --version`. */
function io(options: { tty?: boolean; answer?: string } = {}): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const calls: string[][] = [];
  const asked: string[] = [];
  const exec: Exec = async (command, args) => {
    calls.push([command, ...args]);
    if (command === 'aws' && args[0] === '--version')
      return { code: 0, stdout: 'aws-cli/2.17.0 Python/3.11 Linux/6 exe/aarch64\n', stderr: '' };
    return { code: 1, stdout: '', stderr: 'not expected in this test' };
  };
  return {
    stdout,
    stderr,
    calls,
    asked,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    isTty: options.tty ?? false,
    ask: async (q) => {
      asked.push(q);
      return options.answer ?? '';
    },
    env: {},
    exec,
  };
}

describe('npm run sandbox (the command line)', () => {
  beforeEach(() => {
    // No instance-metadata lookup from a test: only the environment provider may answer.
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('documents up, drill and down in --help', async () => {
    const c = io();
    expect(await runSandbox(['--help'], c)).toBe(0);
    const text = c.stdout.join('\n');
    for (const word of [
      'up',
      'drill',
      'down',
      '--region',
      '--yes',
      '--hang',
      '--stop-instance',
      '--count',
      '--local',
      '--keep-logs',
    ])
      expect(text).toContain(word);
  });

  it('answers an unknown flag with one line, the usage and exit 2', async () => {
    const c = io();
    expect(await runSandbox(['drill', '--bogus'], c)).toBe(2);
    const [first, ...rest] = c.stderr.join('\n').split('\n');
    expect(first).toMatch(/Unknown option '--bogus'/);
    expect(rest.join('\n')).toContain('usage: npm run sandbox -- <command>');
  });

  it('refuses a flag of another command, an unknown command and a bad count', async () => {
    for (const [args, message] of [
      [['up', '--hang'], '--hang does not apply to up'],
      [['launch'], 'unknown command: launch'],
      [[], 'a command is required'],
      [['drill', '--hang', '--stop-instance'], '--hang and --stop-instance exclude each other'],
      [['drill', '--local', '--count', '0'], '--count must be a positive integer, not 0'],
    ] as const) {
      const c = io();
      expect(await runSandbox(args, c), args.join(' ')).toBe(2);
      expect(c.stderr[0]?.split('\n')[0]).toBe(message);
    }
  });

  it('refuses up in one line when the default credential chain finds nothing', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined as unknown as string);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined as unknown as string);
    const c = io();
    expect(await runSandbox(['up', '--region', 'eu-west-1', '--yes'], c)).toBe(1);
    expect(c.stderr).toHaveLength(1);
    expect(c.stderr[0]).toMatch(/^refused: no AWS credentials found by the SDK's default chain/);
    expect(c.calls).toEqual([]);
  });

  describe('with credentials', () => {
    beforeEach(() => {
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example/example/example/example/example0');
    });

    it('prints the hourly cost, then refuses to create anything without --yes when stdin is not a terminal', async () => {
      const c = io({ tty: false });
      expect(await runSandbox(['up', '--region', 'eu-west-1'], c)).toBe(1);
      expect(c.stdout.join('\n')).toMatch(/costs while it is up[\s\S]*total\s+\$0\.\d{4}\/h/);
      expect(c.stderr).toEqual(['refused: stdin is not a terminal: pass --yes to create the sandbox']);
      expect(c.calls).toEqual([['aws', '--version']]);
    });

    it('asks on a terminal and creates nothing on anything but yes', async () => {
      const c = io({ tty: true, answer: 'n' });
      expect(await runSandbox(['up', '--region', 'eu-west-1'], c)).toBe(1);
      expect(c.asked).toEqual(['Create the sandbox in eu-west-1? [y/N] ']);
      expect(c.stderr).toEqual(['nothing created']);
      expect(c.calls).toEqual([['aws', '--version']]);
    });

    it('needs the AWS CLI v2', async () => {
      const c = io();
      c.exec = async () => ({ code: 127, stdout: '', stderr: 'aws: not found' });
      expect(await runSandbox(['up', '--region', 'eu-west-1', '--yes'], c)).toBe(1);
      expect(c.stderr[0]).toMatch(/^refused: the AWS CLI v2 is required/);
    });

    it('needs a region for up', async () => {
      const c = io();
      expect(await runSandbox(['up', '--yes'], c)).toBe(2);
      expect(c.stderr[0]?.split('\n')[0]).toBe('--region is required');
    });
  });
});

describe('hourlyCost', () => {
  it('adds the nodes, their disks, the public IPv4 addresses, the queue and the arbiter stack', () => {
    const { lines, totalUsdPerHour } = hourlyCost();
    expect(lines.map((l) => l.item)).toHaveLength(5);
    expect(lines[0]!.usdPerHour).toBeCloseTo(2 * 0.0042, 6);
    expect(lines[2]!.usdPerHour).toBeCloseTo(3 * 0.005, 6);
    // The arbiter stack alone is about $10 a month at a 2 s interval (docs/cost.md).
    expect(lines[4]!.usdPerHour * 730).toBeGreaterThan(5);
    expect(lines[4]!.usdPerHour * 730).toBeLessThan(20);
    expect(totalUsdPerHour).toBeCloseTo(
      lines.reduce((s, l) => s + l.usdPerHour, 0),
      9,
    );
  });
});
