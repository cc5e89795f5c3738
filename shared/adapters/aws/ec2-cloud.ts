import type { EC2Client } from '@aws-sdk/client-ec2';
import type { CloudPort } from '../../ports/cloud';
import type { VerifyOptions } from '../../ports/mover';
import { describeInstanceSignals } from './instances';
import { createMovers } from './movers';

/** CloudPort over a real EC2 client (AWS, the local cloud or LocalStack). */
export function ec2Cloud(ec2: EC2Client, verify?: Partial<VerifyOptions>): CloudPort {
  return {
    signals: (group) => describeInstanceSignals(ec2, group.nodes),
    movers: (group) => createMovers(group, ec2, verify),
  };
}
