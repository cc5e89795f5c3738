import type { AddressRecord } from '../../world/model.js';
import { Ec2Error } from '../errors.js';
import { applyFilters, type FilterTable } from '../filters.js';
import { addressXml } from '../render.js';
import {
  requireAddress,
  requireAddressByPublicIp,
  requireEni,
  requireInstance,
  singleEniOf,
} from './lookup.js';
import type { ActionContext, Ec2Action } from './types.js';

function addressFilters(ctx: ActionContext): FilterTable<AddressRecord> {
  const { world } = ctx;
  const eniOf = (a: AddressRecord) =>
    a.association ? world.networkInterfaces.get(a.association.networkInterfaceId) : undefined;
  return {
    fields: {
      'allocation-id': (a) => a.allocationId,
      'public-ip': (a) => a.publicIp,
      'association-id': (a) => a.association?.id,
      'instance-id': (a) => eniOf(a)?.instanceId,
      'network-interface-id': (a) => a.association?.networkInterfaceId,
      'network-interface-owner-id': (a) => (a.association ? world.accountId : undefined),
      'private-ip-address': (a) => a.association?.privateIp,
      domain: () => 'vpc',
    },
  };
}

/** DescribeAddresses (AllocationId.N, PublicIp.N, filters). */
export const DescribeAddresses: Ec2Action = {
  mutating: false,
  run(ctx) {
    const { world, params } = ctx;
    const allocationIds = params.list('AllocationId');
    const publicIps = params.list('PublicIp');
    let selected = [...world.addresses.values()];
    if (allocationIds.length > 0 || publicIps.length > 0) {
      selected = [
        ...allocationIds.map((id) => requireAddress(world, id)),
        ...publicIps.map((ip) => requireAddressByPublicIp(world, ip)),
      ];
    }
    const addresses = applyFilters([...new Set(selected)], params.filters(), addressFilters(ctx));
    return { addressesSet: addresses.map((a) => addressXml(world, a)) };
  },
};

/**
 * AssociateAddress. Without AllowReassociation an Elastic IP that is already
 * associated is refused (Resource.AlreadyAssociated); with it the address moves.
 * An Elastic IP already on the target private IP is replaced, as on EC2. Every
 * call returns a new association id.
 */
export const AssociateAddress: Ec2Action = {
  mutating: true,
  run(ctx) {
    const { world, params } = ctx;
    const allocationId = params.str('AllocationId');
    const publicIp = params.str('PublicIp');
    let address: AddressRecord;
    if (allocationId) address = requireAddress(world, allocationId);
    else if (publicIp) address = requireAddressByPublicIp(world, publicIp);
    else throw new Ec2Error('MissingParameter', 'The request must contain the parameter AllocationId');

    const instanceId = params.str('InstanceId');
    const eniId = params.str('NetworkInterfaceId');
    if (instanceId && eniId) {
      throw new Ec2Error(
        'InvalidParameterCombination',
        'You can specify either an instance ID or a network interface ID, but not both.',
      );
    }
    if (!instanceId && !eniId) {
      throw new Ec2Error(
        'MissingParameter',
        'Either an instance ID or a network interface ID must be specified.',
      );
    }
    const eni = eniId
      ? requireEni(world, eniId)
      : singleEniOf(world, requireInstance(world, instanceId ?? ''));
    const privateIp = params.str('PrivateIpAddress') ?? eni.privateIps[0] ?? '';
    if (!eni.privateIps.includes(privateIp)) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `The specified private IP address ${privateIp} is not assigned to network interface ${eni.id}`,
      );
    }
    const allowReassociation = params.bool('AllowReassociation') ?? false;
    if (address.association && !allowReassociation) {
      throw new Ec2Error(
        'Resource.AlreadyAssociated',
        `resource ${address.allocationId} is already associated with associate-id ${address.association.id}`,
      );
    }
    const displaced = world.addressOn(eni.id, privateIp);
    if (displaced && displaced !== address) displaced.association = undefined;
    const associationId = ctx.ids.next('eipassoc');
    address.association = { id: associationId, networkInterfaceId: eni.id, privateIp };
    return { return: true, associationId };
  },
};

/** DisassociateAddress (AssociationId, or PublicIp). */
export const DisassociateAddress: Ec2Action = {
  mutating: true,
  run(ctx) {
    const { world, params } = ctx;
    const associationId = params.str('AssociationId');
    const publicIp = params.str('PublicIp');
    let address: AddressRecord;
    if (associationId) {
      const found = world.addressByAssociationId(associationId);
      if (!found) {
        throw new Ec2Error(
          'InvalidAssociationID.NotFound',
          `The association ID '${associationId}' does not exist`,
        );
      }
      address = found;
    } else if (publicIp) {
      address = requireAddressByPublicIp(world, publicIp);
    } else {
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter AssociationId');
    }
    address.association = undefined;
    return { return: true };
  },
};
