import { DescribeInstancesCommand, DescribeInstanceStatusCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { NodeConfig } from '../config/schema';
import type { InstanceSignal } from '../model';
import { mapEc2Error } from './ec2-errors';

/**
 * EC2's view of the nodes: state (stopped/terminated count as DOWN at once), status checks
 * (impaired) and launch time (boot grace). Returns a map by node id; nodes EC2 does not
 * know are left out (no signal).
 */
export async function describeInstanceSignals(
  ec2: EC2Client,
  nodes: readonly NodeConfig[],
): Promise<Record<string, InstanceSignal>> {
  const ids = nodes.map((n) => n.instanceId);
  let reservations: Awaited<ReturnType<typeof sendDescribe>>['Reservations'];
  let statuses: Awaited<ReturnType<typeof sendStatus>>['InstanceStatuses'];
  try {
    [{ Reservations: reservations }, { InstanceStatuses: statuses }] = await Promise.all([
      sendDescribe(ec2, ids),
      sendStatus(ec2, ids),
    ]);
  } catch (error) {
    throw mapEc2Error(error, `DescribeInstances ${ids.join(',')}`);
  }
  const impaired = new Set(
    (statuses ?? [])
      .filter((s) => s.InstanceStatus?.Status === 'impaired' || s.SystemStatus?.Status === 'impaired')
      .map((s) => s.InstanceId),
  );
  const out: Record<string, InstanceSignal> = {};
  for (const r of reservations ?? []) {
    for (const i of r.Instances ?? []) {
      const node = nodes.find((n) => n.instanceId === i.InstanceId);
      if (!node || !i.InstanceId) continue;
      out[node.id] = {
        instanceId: i.InstanceId,
        state: i.State?.Name ?? 'unknown',
        impaired: impaired.has(i.InstanceId),
        ...(i.LaunchTime ? { launchTime: i.LaunchTime.getTime() } : {}),
      };
    }
  }
  return out;
}

function sendDescribe(ec2: EC2Client, ids: string[]) {
  return ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
}

function sendStatus(ec2: EC2Client, ids: string[]) {
  return ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }));
}
