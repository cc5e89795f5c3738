import { AssociateAddress, DescribeAddresses, DisassociateAddress } from './addresses';
import { DescribeInstanceStatus, DescribeInstances, StopInstances } from './instances';
import { DescribeNetworkInterfaces } from './network-interfaces';
import { AssignPrivateIpAddresses, UnassignPrivateIpAddresses } from './private-ips';
import { DescribeRouteTables, ReplaceRoute, ReplaceRouteTableAssociation } from './route-tables';
import { DescribeSubnets, DescribeVpcs } from './subnets';
import type { Ec2Action } from './types';
import { DescribeManagedPrefixLists, DescribeVpcEndpoints } from './vpc-endpoints';

export type { ActionContext, Ec2Action, ModelServices } from './types';

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
