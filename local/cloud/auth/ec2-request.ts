import { queryList } from '../util/form';

/** The EC2 state the resource mapping needs (what the request names only indirectly). */
export interface Ec2ResourceLookup {
  /** Allocation id of an Elastic IP by its public address. */
  allocationOfPublicIp(publicIp: string): string | undefined;
  /** The Elastic IP and ENI of an address association. */
  addressOfAssociation(
    associationId: string,
  ): { allocationId: string; networkInterfaceId: string } | undefined;
  /** The subnet of a route-table association (undefined for a main-table association). */
  subnetOfRouteTableAssociation(associationId: string): string | undefined;
}

type Form = ReadonlyMap<string, string>;

/**
 * The resource ARNs IAM checks for one EC2 Query call, from its parameters (and, where the
 * call names a resource through an association id or public IP, from the current state), as
 * the EC2 service authorization reference lists them per action:
 *
 * - AssociateAddress: elastic-ip, instance, network-interface
 * - DisassociateAddress: elastic-ip, network-interface
 * - Assign/UnassignPrivateIpAddresses: network-interface
 * - ReplaceRoute: route-table
 * - ReplaceRouteTableAssociation: route-table, subnet
 * - StopInstances: instance (each)
 *
 * Describe calls and anything else: `*` (IAM does not scope Describe calls to resources).
 */
export function ec2Resources(
  action: string,
  form: Form,
  at: { region: string; accountId: string },
  lookup: Ec2ResourceLookup,
): string[] {
  const arn = (type: string, id: string) => `arn:aws:ec2:${at.region}:${at.accountId}:${type}/${id}`;
  const out: string[] = [];
  const add = (type: string, id: string | undefined) => {
    if (id) out.push(arn(type, id));
  };
  switch (action) {
    case 'AssociateAddress': {
      const publicIp = form.get('PublicIp');
      add(
        'elastic-ip',
        form.get('AllocationId') ?? (publicIp ? lookup.allocationOfPublicIp(publicIp) : undefined),
      );
      add('instance', form.get('InstanceId'));
      add('network-interface', form.get('NetworkInterfaceId'));
      break;
    }
    case 'DisassociateAddress': {
      const associationId = form.get('AssociationId');
      const association = associationId ? lookup.addressOfAssociation(associationId) : undefined;
      const publicIp = form.get('PublicIp');
      add(
        'elastic-ip',
        association?.allocationId ?? (publicIp ? lookup.allocationOfPublicIp(publicIp) : undefined),
      );
      add('network-interface', association?.networkInterfaceId);
      break;
    }
    case 'AssignPrivateIpAddresses':
    case 'UnassignPrivateIpAddresses':
      add('network-interface', form.get('NetworkInterfaceId'));
      break;
    case 'ReplaceRoute':
    case 'CreateRoute':
    case 'DeleteRoute':
      add('route-table', form.get('RouteTableId'));
      break;
    case 'ReplaceRouteTableAssociation': {
      add('route-table', form.get('RouteTableId'));
      const associationId = form.get('AssociationId');
      add('subnet', associationId ? lookup.subnetOfRouteTableAssociation(associationId) : undefined);
      break;
    }
    case 'StopInstances':
    case 'StartInstances':
    case 'RebootInstances':
    case 'TerminateInstances':
      for (const id of queryList(form, 'InstanceId')) add('instance', id);
      break;
  }
  return out.length > 0 ? out : ['*'];
}

/** The context keys of an EC2 call (`ec2:Region` on every action). */
export function ec2Context(region: string): Record<string, string> {
  return { 'ec2:Region': region };
}
