import type { AssociateAddressResult, DescribeAddressesResult } from '@aws-sdk/client-ec2';
import { Ec2Error } from '../errors';
import { applyFilters, type FilterTable } from '../filters';
import type { AddressRecord } from '../records';
import { addressShape } from '../shapes';
import type { Ec2State } from '../state';
import { requireAddress, requireAddressByPublicIp, requireEni, requireInstance, singleEniOf } from './lookup';
import type { Ec2Action } from './types';

function addressFilters(state: Ec2State): FilterTable<AddressRecord> {
  const eniOf = (a: AddressRecord) =>
    a.association ? state.networkInterfaces.get(a.association.networkInterfaceId) : undefined;
  return {
    fields: {
      'allocation-id': (a) => a.allocationId,
      'public-ip': (a) => a.publicIp,
      'association-id': (a) => a.association?.id,
      'instance-id': (a) => eniOf(a)?.instanceId,
      'network-interface-id': (a) => a.association?.networkInterfaceId,
      'network-interface-owner-id': (a) => (a.association ? state.accountId : undefined),
      'private-ip-address': (a) => a.association?.privateIp,
      domain: () => 'vpc',
    },
  };
}

/** DescribeAddresses (AllocationIds, PublicIps, filters). It does not page on AWS. */
export const DescribeAddresses: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeAddressesResult {
    const allocationIds = input.list('AllocationIds');
    const publicIps = input.list('PublicIps');
    let selected = [...state.addresses.values()];
    if (allocationIds.length > 0 || publicIps.length > 0) {
      selected = [
        ...allocationIds.map((id) => requireAddress(state, id)),
        ...publicIps.map((ip) => requireAddressByPublicIp(state, ip)),
      ];
    }
    const addresses = applyFilters([...new Set(selected)], input.filters(), addressFilters(state));
    return { Addresses: addresses.map((a) => addressShape(state, a)) };
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
  run({ state, input, services }): AssociateAddressResult {
    const allocationId = input.str('AllocationId');
    const publicIp = input.str('PublicIp');
    let address: AddressRecord;
    if (allocationId) address = requireAddress(state, allocationId);
    else if (publicIp) address = requireAddressByPublicIp(state, publicIp);
    else throw new Ec2Error('MissingParameter', 'The request must contain the parameter AllocationId');

    const instanceId = input.str('InstanceId');
    const eniId = input.str('NetworkInterfaceId');
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
      ? requireEni(state, eniId)
      : singleEniOf(state, requireInstance(state, instanceId ?? ''));
    const privateIp = input.str('PrivateIpAddress') ?? eni.privateIps[0] ?? '';
    if (!eni.privateIps.includes(privateIp)) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `The specified private IP address ${privateIp} is not assigned to network interface ${eni.id}`,
      );
    }
    const allowReassociation = input.bool('AllowReassociation') ?? false;
    if (address.association && !allowReassociation) {
      throw new Ec2Error(
        'Resource.AlreadyAssociated',
        `resource ${address.allocationId} is already associated with associate-id ${address.association.id}`,
      );
    }
    const displaced = state.addressOn(eni.id, privateIp);
    if (displaced && displaced !== address) displaced.association = undefined;
    const associationId = services.ids.next('eipassoc');
    address.association = { id: associationId, networkInterfaceId: eni.id, privateIp };
    return { AssociationId: associationId };
  },
};

/** DisassociateAddress (AssociationId, or PublicIp). */
export const DisassociateAddress: Ec2Action = {
  mutating: true,
  run({ state, input }) {
    const associationId = input.str('AssociationId');
    const publicIp = input.str('PublicIp');
    let address: AddressRecord;
    if (associationId) {
      const found = state.addressByAssociationId(associationId);
      if (!found) {
        throw new Ec2Error(
          'InvalidAssociationID.NotFound',
          `The association ID '${associationId}' does not exist`,
        );
      }
      address = found;
    } else if (publicIp) {
      address = requireAddressByPublicIp(state, publicIp);
    } else {
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter AssociationId');
    }
    address.association = undefined;
    return {};
  },
};
