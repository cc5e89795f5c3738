import { INSTANCE_STATE_CODES, type InstanceRecord } from '../../world/model.js';
import { Ec2Error } from '../errors.js';
import { applyFilters, type FilterTable } from '../filters.js';
import { instanceStatusXml, instanceXml, stateXml } from '../render.js';
import { requireInstance } from './lookup.js';
import type { ActionContext, Ec2Action } from './types.js';

function selectInstances(ctx: ActionContext): InstanceRecord[] {
  const ids = ctx.params.list('InstanceId');
  if (ids.length === 0) return [...ctx.world.instances.values()];
  return ids.map((id) => requireInstance(ctx.world, id));
}

function instanceFilters(ctx: ActionContext): FilterTable<InstanceRecord> {
  const { world } = ctx;
  const enis = (i: InstanceRecord) => i.networkInterfaceIds.map((id) => world.networkInterfaces.get(id));
  return {
    tags: (i) => i.tags,
    fields: {
      'instance-id': (i) => i.id,
      'instance-state-name': (i) => i.state,
      'instance-state-code': (i) => INSTANCE_STATE_CODES[i.state],
      'instance-type': (i) => i.instanceType,
      'availability-zone': (i) => i.availabilityZone,
      'subnet-id': (i) => i.subnetId,
      'vpc-id': () => world.vpcId,
      'private-ip-address': (i) => world.primaryEniOf(i.id)?.privateIps[0],
      'network-interface.network-interface-id': (i) => i.networkInterfaceIds,
      'network-interface.addresses.private-ip-address': (i) => enis(i).flatMap((e) => e?.privateIps ?? []),
      'network-interface.source-dest-check': (i) => world.primaryEniOf(i.id)?.sourceDestCheck,
    },
  };
}

/** DescribeInstances: one reservation per instance, as for instances launched one at a time. */
export const DescribeInstances: Ec2Action = {
  mutating: false,
  run(ctx) {
    const instances = applyFilters(selectInstances(ctx), ctx.params.filters(), instanceFilters(ctx));
    return {
      reservationSet: instances.map((instance) => ({
        reservationId: instance.reservationId,
        ownerId: ctx.world.accountId,
        groupSet: [],
        instancesSet: [instanceXml(ctx.world, instance)],
      })),
    };
  },
};

const statusFilters: FilterTable<InstanceRecord> = {
  fields: {
    'availability-zone': (i) => i.availabilityZone,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => INSTANCE_STATE_CODES[i.state],
    'instance-status.status': (i) => (i.state === 'running' ? i.instanceStatus : 'not-applicable'),
    'system-status.status': (i) => (i.state === 'running' ? i.systemStatus : 'not-applicable'),
    'instance-status.reachability': (i) => (i.instanceStatus === 'ok' ? 'passed' : 'failed'),
    'system-status.reachability': (i) => (i.systemStatus === 'ok' ? 'passed' : 'failed'),
  },
};

/** DescribeInstanceStatus: only running instances unless IncludeAllInstances=true, as on EC2. */
export const DescribeInstanceStatus: Ec2Action = {
  mutating: false,
  run(ctx) {
    const includeAll = ctx.params.bool('IncludeAllInstances') ?? false;
    const selected = selectInstances(ctx).filter((i) => includeAll || i.state === 'running');
    const instances = applyFilters(selected, ctx.params.filters(), statusFilters);
    return { instanceStatusSet: instances.map(instanceStatusXml) };
  },
};

/** StopInstances: running -> stopping now, -> stopped after `stopDelayMs`. */
export const StopInstances: Ec2Action = {
  mutating: true,
  run(ctx) {
    const ids = ctx.params.list('InstanceId');
    if (ids.length === 0)
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
    const instances = ids.map((id) => requireInstance(ctx.world, id));
    for (const instance of instances) {
      if (instance.state === 'terminated' || instance.state === 'shutting-down') {
        throw new Ec2Error(
          'IncorrectInstanceState',
          `This instance '${instance.id}' is not in a state from which it can be stopped.`,
        );
      }
    }
    const changes = instances.map((instance) => {
      const previous = instance.state;
      if (previous === 'running' || previous === 'pending') {
        ctx.world.setInstanceState(instance.id, 'stopping');
        ctx.world.later(ctx.faults.stopDelayMs, () => {
          if (instance.state === 'stopping') ctx.world.setInstanceState(instance.id, 'stopped');
        });
      }
      return {
        instanceId: instance.id,
        currentState: stateXml(instance.state),
        previousState: stateXml(previous),
      };
    });
    return { instancesSet: changes };
  },
};
