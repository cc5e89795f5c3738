import type {
  DescribeInstanceStatusResult,
  DescribeInstancesResult,
  StopInstancesResult,
} from '@aws-sdk/client-ec2';
import { Ec2Error } from '../errors';
import { applyFilters, type FilterTable } from '../filters';
import { PAGING, page } from '../paging';
import { INSTANCE_STATE_CODES, type InstanceRecord } from '../records';
import { instanceShape, instanceStatusShape, stateShape } from '../shapes';
import type { Ec2State } from '../state';
import { requireInstance } from './lookup';
import type { ActionContext, Ec2Action } from './types';

function selectInstances({ state, input }: ActionContext): InstanceRecord[] {
  const ids = input.list('InstanceIds');
  if (ids.length === 0) return [...state.instances.values()];
  return ids.map((id) => requireInstance(state, id));
}

function instanceFilters(state: Ec2State): FilterTable<InstanceRecord> {
  const enis = (i: InstanceRecord) => i.networkInterfaceIds.map((id) => state.networkInterfaces.get(id));
  return {
    tags: (i) => i.tags,
    fields: {
      'instance-id': (i) => i.id,
      'instance-state-name': (i) => i.state,
      'instance-state-code': (i) => INSTANCE_STATE_CODES[i.state],
      'instance-type': (i) => i.instanceType,
      'availability-zone': (i) => i.availabilityZone,
      'subnet-id': (i) => i.subnetId,
      'vpc-id': () => state.vpcId,
      'private-ip-address': (i) => state.primaryEniOf(i.id)?.privateIps[0],
      'network-interface.network-interface-id': (i) => i.networkInterfaceIds,
      'network-interface.addresses.private-ip-address': (i) => enis(i).flatMap((e) => e?.privateIps ?? []),
      'network-interface.source-dest-check': (i) => state.primaryEniOf(i.id)?.sourceDestCheck,
    },
  };
}

/** DescribeInstances: one reservation per instance, as for instances launched one at a time. */
export const DescribeInstances: Ec2Action = {
  mutating: false,
  run(ctx): DescribeInstancesResult {
    const { state, input } = ctx;
    const instances = applyFilters(selectInstances(ctx), input.filters(), instanceFilters(state));
    const { items, nextToken } = page('DescribeInstances', PAGING.DescribeInstances, input, instances);
    return {
      Reservations: items.map((instance) => ({
        ReservationId: instance.reservationId,
        OwnerId: state.accountId,
        Groups: [],
        Instances: [instanceShape(state, instance)],
      })),
      ...(nextToken ? { NextToken: nextToken } : {}),
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
  run(ctx): DescribeInstanceStatusResult {
    const { input } = ctx;
    const includeAll = input.bool('IncludeAllInstances') ?? false;
    const selected = selectInstances(ctx).filter((i) => includeAll || i.state === 'running');
    const instances = applyFilters(selected, input.filters(), statusFilters);
    const { items, nextToken } = page(
      'DescribeInstanceStatus',
      PAGING.DescribeInstanceStatus,
      input,
      instances,
    );
    return {
      InstanceStatuses: items.map(instanceStatusShape),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};

/** StopInstances: running -> stopping now, -> stopped after the model's stop delay. */
export const StopInstances: Ec2Action = {
  mutating: true,
  run({ state, input, services }): StopInstancesResult {
    const ids = input.list('InstanceIds');
    if (ids.length === 0)
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
    const instances = ids.map((id) => requireInstance(state, id));
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
        services.setInstanceState(instance.id, 'stopping');
        services.later(services.stopDelayMs(), () => {
          if (state.instances.get(instance.id)?.state === 'stopping') {
            services.setInstanceState(instance.id, 'stopped');
          }
        });
      }
      return {
        InstanceId: instance.id,
        CurrentState: stateShape(state.instances.get(instance.id)?.state ?? instance.state),
        PreviousState: stateShape(previous),
      };
    });
    return { StoppingInstances: changes };
  },
};
