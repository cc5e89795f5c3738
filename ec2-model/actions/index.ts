import { AssociateAddress, DescribeAddresses, DisassociateAddress } from './addresses.js';
import { DescribeInstanceStatus, DescribeInstances, StopInstances } from './instances.js';
import { DescribeNetworkInterfaces } from './network-interfaces.js';
import { AssignPrivateIpAddresses, UnassignPrivateIpAddresses } from './private-ips.js';
import { DescribeRouteTables, ReplaceRoute, ReplaceRouteTableAssociation } from './route-tables.js';
import { DescribeSubnets, DescribeVpcs } from './subnets.js';
import type { Ec2Action } from './types.js';
import { DescribeManagedPrefixLists, DescribeVpcEndpoints } from './vpc-endpoints.js';

export type { ActionContext, Ec2Action, ModelServices } from './types.js';

/** Every EC2 action the model serves, by API action name. */
export const EC2_ACTIONS: Readonly<Record<string, Ec2Action>> = {
  AssignPrivateIpAddresses,
  AssociateAddress,
  DescribeAddresses,
  DescribeInstanceStatus,
  DescribeInstances,
  DescribeManagedPrefixLists,
  DescribeNetworkInterfaces,
  DescribeRouteTables,
  DescribeSubnets,
  DescribeVpcEndpoints,
  DescribeVpcs,
  DisassociateAddress,
  ReplaceRoute,
  ReplaceRouteTableAssociation,
  StopInstances,
  UnassignPrivateIpAddresses,
};
