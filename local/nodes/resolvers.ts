import type { AddressView, Holder, RouteTarget } from '../../ec2-model/views';
import type { UpstreamResolver } from './front-proxy';

function upstreamOf(target: Holder | RouteTarget | null) {
  if (!target?.instanceId || !target.endpoint) return null;
  return { instanceId: target.instanceId, endpoint: target.endpoint };
}

/** Routes to whoever holds an Elastic IP (pass `cloud.dataPath` to see what clients see). */
export function publicIpUpstream(view: AddressView, publicIp: string): UpstreamResolver {
  return () => upstreamOf(view.holderOfPublicIp(publicIp));
}

/** Routes to whoever holds a (secondary) private IP, e.g. a VIP. */
export function privateIpUpstream(view: AddressView, privateIp: string): UpstreamResolver {
  return () => upstreamOf(view.holderOfPrivateIp(privateIp));
}

/** Routes to the target of one route, e.g. a NAT instance for `0.0.0.0/0`. */
export function routeUpstream(
  view: AddressView,
  routeTableId: string,
  destinationCidr: string,
): UpstreamResolver {
  return () => upstreamOf(view.routeTarget(routeTableId, destinationCidr));
}

/**
 * Routes like a host in `subnetId` would: through whichever route table the
 * subnet uses now, then that table's route for `destinationCidr`. Follows both
 * ReplaceRoute and ReplaceRouteTableAssociation failovers.
 */
export function subnetEgressUpstream(
  view: AddressView,
  subnetId: string,
  destinationCidr = '0.0.0.0/0',
): UpstreamResolver {
  return () => {
    const table = view.routeTableOfSubnet(subnetId);
    return table ? upstreamOf(view.routeTarget(table, destinationCidr)) : null;
  };
}
