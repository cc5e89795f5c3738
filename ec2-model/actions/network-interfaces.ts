import type { DescribeNetworkInterfacesResult } from '@aws-sdk/client-ec2';
import { applyFilters, type FilterTable } from '../filters';
import { PAGING, page } from '../paging';
import type { NetworkInterfaceRecord } from '../records';
import { networkInterfaceShape } from '../shapes';
import type { Ec2State } from '../state';
import { requireEni } from './lookup';
import type { Ec2Action } from './types';

function eniFilters(state: Ec2State): FilterTable<NetworkInterfaceRecord> {
  const addressesOf = (eni: NetworkInterfaceRecord) =>
    eni.privateIps.map((ip) => state.addressOn(eni.id, ip)).filter((a) => a !== undefined);
  return {
    fields: {
      'network-interface-id': (e) => e.id,
      'attachment.instance-id': (e) => e.instanceId,
      'attachment.attachment-id': (e) => e.attachmentId,
      'attachment.device-index': (e) => e.deviceIndex,
      'attachment.status': () => 'attached',
      'subnet-id': (e) => e.subnetId,
      'vpc-id': () => state.vpcId,
      'availability-zone': (e) => e.availabilityZone,
      'addresses.private-ip-address': (e) => e.privateIps,
      'private-ip-address': (e) => e.privateIps[0],
      'association.public-ip': (e) => addressesOf(e).map((a) => a.publicIp),
      'association.allocation-id': (e) => addressesOf(e).map((a) => a.allocationId),
      'association.association-id': (e) => addressesOf(e).map((a) => a.association?.id),
      'source-dest-check': (e) => e.sourceDestCheck,
      'mac-address': (e) => e.macAddress,
      description: (e) => e.description,
      status: () => 'in-use',
    },
  };
}

/** DescribeNetworkInterfaces (NetworkInterfaceIds, filters, paging). */
export const DescribeNetworkInterfaces: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeNetworkInterfacesResult {
    const ids = input.list('NetworkInterfaceIds');
    const selected =
      ids.length === 0 ? [...state.networkInterfaces.values()] : ids.map((id) => requireEni(state, id));
    const enis = applyFilters(selected, input.filters(), eniFilters(state));
    const { items, nextToken } = page(
      'DescribeNetworkInterfaces',
      PAGING.DescribeNetworkInterfaces,
      input,
      enis,
    );
    return {
      NetworkInterfaces: items.map((eni) => networkInterfaceShape(state, eni)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};
