import { describe, expect, it, vi } from 'vitest';
import { osls } from './helpers/osls';

describe('serverless package with a bad config', () => {
  it('fails with the ConfigError that names the field and its value', async () => {
    const run = await osls([
      'package',
      '--stage',
      'ci',
      '--param=config=test/infra/fixtures/bad-priority.yml',
      '--package',
      'test/infra/fixtures/never-written',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('ConfigError: test/infra/fixtures/bad-priority.yml is invalid:');
    expect(run.output).toContain('groups[0].nodes[1].priority = 5000: must be at most');
    expect(run.output).not.toContain('Service packaged');
  }, 120_000);

  it('fails on what AWS needs beyond the schema, naming the field', async () => {
    const run = await osls(['package', '--stage', 'ci', '--param=config=test/infra/fixtures/no-vpc.yml']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('ConfigError: test/infra/fixtures/no-vpc.yml is invalid:');
    expect(run.output).toContain('vpc = missing');
  }, 120_000);
});

describe('serverless package --stage local', () => {
  it('is refused: that stage takes its table, topic and config from the shell', async () => {
    vi.stubEnv('TABLE_NAME', 'ha-arbiter-local');
    vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:us-east-1:000000000000:ha-arbiter-local');
    vi.stubEnv('CONFIG_PATH', 'arbiter.yml');
    try {
      const run = await osls([
        'package',
        '--stage',
        'local',
        '--package',
        'test/infra/fixtures/never-written',
      ]);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain('stage "local" is only for `serverless invoke local`');
      expect(run.output).not.toContain('Service packaged');
    } finally {
      vi.unstubAllEnvs();
    }
  }, 120_000);
});
