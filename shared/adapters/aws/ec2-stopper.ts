import { type EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { InstanceStopper } from '../../ports/instance-stopper';
import { mapEc2Error } from './ec2-errors';

/** InstanceStopper over a real EC2 client. */
export function ec2Stopper(ec2: EC2Client): InstanceStopper {
  return {
    async stop(instanceId) {
      try {
        await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
      } catch (error) {
        throw mapEc2Error(error, `StopInstances ${instanceId}`);
      }
    },
  };
}
