import { describe, expect, it } from 'vitest';
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
    expect(run.output).toContain('groups[0].nodes[1].priority = 5000: Too big');
    expect(run.output).not.toContain('Service packaged');
  }, 120_000);

  it('fails on what AWS needs beyond the schema, naming the field', async () => {
    const run = await osls(['package', '--stage', 'ci', '--param=config=test/infra/fixtures/no-vpc.yml']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('ConfigError: test/infra/fixtures/no-vpc.yml is invalid:');
    expect(run.output).toContain('vpc = missing');
  }, 120_000);
});
