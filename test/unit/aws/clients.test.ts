import { describe, expect, it } from 'vitest';
import { createDynamoClient, createEc2Client, createSnsClient } from '../../../shared/adapters/aws/clients';

describe('SDK clients', () => {
  it.each([
    ['EC2', createEc2Client, 4],
    ['SNS', createSnsClient, 4],
    ['DynamoDB', createDynamoClient, 3],
  ])('%s uses standard retries with a bounded number of attempts', async (_name, create, attempts) => {
    const client = create();
    try {
      expect(await client.config.maxAttempts()).toBe(attempts);
      const strategy = (await client.config.retryStrategy()) as { mode?: string };
      expect(strategy.mode).toBe('standard');
    } finally {
      client.destroy();
    }
  });
});
