import type { NetworkInterfaceRecord } from '../../world/model.js';
import { applyFilters, type FilterTable } from '../filters.js';
import { networkInterfaceXml } from '../render.js';
import { requireEni } from './lookup.js';
import type { ActionContext, Ec2Action } from './types.js';

function eniFilters(ctx: ActionContext): FilterTable<NetworkInterfaceRecord> {
  const { world } = ctx;
  const addressesOf = (eni: NetworkInterfaceRecord) =>
    eni.privateIps.map((ip) => world.addressOn(eni.id, ip)).filter((a) => a !== undefined);
  return {
    fields: {
      'network-interface-id': (e) => e.id,
      'attachment.instance-id': (e) => e.instanceId,
      'attachment.attachment-id': (e) => e.attachmentId,
      'attachment.device-index': (e) => e.deviceIndex,
      'attachment.status': () => 'attached',
      'subnet-id': (e) => e.subnetId,
      'vpc-id': () => world.vpcId,
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

/** DescribeNetworkInterfaces (NetworkInterfaceId.N, filters). */
export const DescribeNetworkInterfaces: Ec2Action = {
  mutating: false,
  run(ctx) {
    const ids = ctx.params.list('NetworkInterfaceId');
    const selected =
      ids.length === 0
        ? [...ctx.world.networkInterfaces.values()]
        : ids.map((id) => requireEni(ctx.world, id));
    const enis = applyFilters(selected, ctx.params.filters(), eniFilters(ctx));
    return { networkInterfaceSet: enis.map((eni) => networkInterfaceXml(ctx.world, eni)) };
  },
};
