import { DescribeInstanceStatusCommand, DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { NodeConfig } from '../../config/schema';
import { ResourceNotFoundError } from '../../domain/errors';
import type { InstanceSignal } from '../../domain/model';
import { mapEc2Error } from './ec2-errors';

/**
 * EC2's view of the nodes: state (stopped/terminated count as DOWN at once), status checks
 * (impaired) and launch time (boot grace). Returns a map by node id; nodes EC2 does not
 * list are left out (no signal), and an id EC2 rejects as not found counts as terminated.
 * @throws a mapped EC2 error (see mapEc2Error) for any other failure.
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
    const mapped = mapEc2Error(error, `DescribeInstances ${ids.join(',')}`);
    // EC2 fails the whole call if one id is unknown, and it forgets terminated instances about
    // an hour after termination: ask node by node, so the others can still be judged.
    if (
      !(mapped instanceof ResourceNotFoundError) ||
      !mapped.code.endsWith('.NotFound') ||
      nodes.length < 2
    ) {
      throw mapped;
    }
    const parts = await Promise.all(nodes.map((n) => oneInstance(ec2, n)));
    return Object.assign({}, ...parts);
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

async function oneInstance(ec2: EC2Client, node: NodeConfig): Promise<Record<string, InstanceSignal>> {
  try {
    return await describeInstanceSignals(ec2, [node]);
  } catch (error) {
    if (error instanceof ResourceNotFoundError && error.code.endsWith('.NotFound')) {
      return { [node.id]: { instanceId: node.instanceId, state: 'terminated', impaired: false } };
    }
    throw error;
  }
}

function sendDescribe(ec2: EC2Client, ids: string[]) {
  return ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
}

function sendStatus(ec2: EC2Client, ids: string[]) {
  return ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }));
}
