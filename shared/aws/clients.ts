import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Standard retries with tight timeouts: a failover must not wait 2 minutes on one hung TCP
 * connection. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE> variables, which is
 * how the local cloud (or LocalStack) is reached.
 */
const common = () => ({
  maxAttempts: 4,
  retryMode: 'standard' as const,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 4_000 }),
});

export const createEc2Client = (): EC2Client => new EC2Client(common());
export const createSnsClient = (): SNSClient => new SNSClient(common());
export const createSsmClient = (): SSMClient => new SSMClient(common());
export const createDynamoClient = (): DynamoDBClient =>
  new DynamoDBClient({
    ...common(),
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 3_000 }),
  });
