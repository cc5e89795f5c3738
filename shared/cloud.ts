import type { EC2Client } from '@aws-sdk/client-ec2';
import { describeInstanceSignals } from './aws/instances';
import { createMovers } from './movers';
import type { VerifyOptions } from './movers/mover';
import type { CloudPort } from './ports/cloud';

/** CloudPort over a real EC2 client (AWS, the local cloud or LocalStack). */
export function ec2Cloud(ec2: EC2Client, verify?: Partial<VerifyOptions>): CloudPort {
  return {
    signals: (group) => describeInstanceSignals(ec2, group.nodes),
    movers: (group) => createMovers(group, ec2, verify),
  };
}
