import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { LocalCloud } from '../../../local/cloud/index';

/** A real EC2 client on the local cloud, without retries so each call is one request. */
export function ec2Client(cloud: LocalCloud, accessKeyId?: string): EC2Client {
  return new EC2Client({ ...cloud.clientConfig('ec2', accessKeyId), maxAttempts: 1 });
}

/** A real SNS client on the local cloud, without retries. */
export function snsClient(cloud: LocalCloud, accessKeyId?: string): SNSClient {
  return new SNSClient({ ...cloud.clientConfig('sns', accessKeyId), maxAttempts: 1 });
}
