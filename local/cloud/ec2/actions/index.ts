import { AssociateAddress, DescribeAddresses, DisassociateAddress } from './addresses.js';
import { DescribeInstanceStatus, DescribeInstances, StopInstances } from './instances.js';
import { DescribeNetworkInterfaces } from './network-interfaces.js';
import { AssignPrivateIpAddresses, UnassignPrivateIpAddresses } from './private-ips.js';
import { DescribeRouteTables, ReplaceRoute, ReplaceRouteTableAssociation } from './route-tables.js';
import { DescribeSubnets } from './subnets.js';
import type { Ec2Action } from './types.js';
import { DescribeManagedPrefixLists, DescribeVpcEndpoints } from './vpc-endpoints.js';

export type { ActionContext, Ec2Action } from './types.js';

/** Every EC2 action the emulator serves, by Query `Action` name. */
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
  DisassociateAddress,
  ReplaceRoute,
  ReplaceRouteTableAssociation,
  StopInstances,
  UnassignPrivateIpAddresses,
};
