import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArbiterLogger } from '../../../shared/runtime/logger';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('The service logger', () => {
  it('writes its JSON lines to stderr outside Lambda, so stdout carries only a result', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const logger = new ArbiterLogger({ serviceName: 'ha-arbiter' }, true);
    logger.info('verdict changed', { node: 'lb-1', big: 10n });
    logger.createChild({ serviceName: 'child' }).warn('from a child');
    const lines = stderr.mock.calls.map(([chunk]) => JSON.parse(String(chunk)));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'verdict changed', node: 'lb-1', big: '10' }),
      expect.objectContaining({ level: 'WARN', message: 'from a child', service: 'child' }),
    ]);
    expect(stdout).not.toHaveBeenCalled();
  });

  it('keeps the Powertools console (stdout) inside a Lambda runtime', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const logger = new ArbiterLogger({ serviceName: 'ha-arbiter' }, false);
    logger.info('on AWS');
    expect(stdout).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(stdout.mock.calls[0]?.[0]))).toMatchObject({ message: 'on AWS' });
    expect(stderr).not.toHaveBeenCalled();
  });

  it('decides by the Lambda runtime API variable when not told', () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    new ArbiterLogger({ serviceName: 'ha-arbiter' }).info('x');
    expect(stdout).toHaveBeenCalledTimes(1);
    vi.unstubAllEnvs();
  });
});
