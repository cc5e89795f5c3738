import type { EC2Client } from '@aws-sdk/client-ec2';
import { describeInstanceSignals } from './aws/instances';
import type { GroupConfig } from './config/schema';
import type { InstanceSignal } from './model';
import { createMovers } from './movers';
import type { Mover, VerifyOptions } from './movers/mover';

/** The arbiter's window on EC2: instance signals and one mover per resource. */
export interface CloudPort {
  signals(group: GroupConfig): Promise<Record<string, InstanceSignal>>;
  movers(group: GroupConfig): Mover[];
}

/** CloudPort over a real EC2 client (AWS, the local cloud or LocalStack). */
export function ec2Cloud(ec2: EC2Client, verify?: Partial<VerifyOptions>): CloudPort {
  return {
    signals: (group) => describeInstanceSignals(ec2, group.nodes),
    movers: (group) => createMovers(group, ec2, verify),
  };
}
