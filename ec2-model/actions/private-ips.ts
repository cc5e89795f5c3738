import type { AssignPrivateIpAddressesResult } from '@aws-sdk/client-ec2';
import { cidrContains, intToIp, isIpv4, isReservedInSubnet, parseCidr } from '../../local/cloud/util/cidr';
import { Ec2Error } from '../errors';
import type { NetworkInterfaceRecord } from '../records';
import type { Ec2State } from '../state';
import { requireEni } from './lookup';
import type { Ec2Action } from './types';

function subnetBlock(world: Ec2State, eni: NetworkInterfaceRecord) {
  const subnet = world.subnets.get(eni.subnetId);
  const block = subnet ? parseCidr(subnet.cidr) : undefined;
  if (!block) throw new Ec2Error('InternalError', `subnet ${eni.subnetId} has no valid CIDR`);
  return block;
}

/** Lowest free, non-reserved addresses of the ENI's subnet (EC2 picks some free address too). */
function freeAddresses(world: Ec2State, eni: NetworkInterfaceRecord, count: number): string[] {
  const block = subnetBlock(world, eni);
  const used = world.usedIpsInSubnet(eni.subnetId);
  const picked: string[] = [];
  for (let offset = 4; offset < block.size - 1 && picked.length < count; offset++) {
    const ip = intToIp(block.network + offset);
    if (!used.has(ip)) picked.push(ip);
  }
  if (picked.length < count) {
    throw new Ec2Error('InvalidParameterValue', `Insufficient free addresses in subnet ${eni.subnetId}`);
  }
  return picked;
}

/**
 * AssignPrivateIpAddresses. Addresses must lie in the ENI's subnet and not in
 * its reserved range. An address held by another ENI is refused unless
 * AllowReassignment=true; then it moves, and an Elastic IP bound to it moves
 * with it (same association id), which is how a secondary-IP VIP fails over on
 * AWS. All checks run before anything changes, so a refused call changes nothing.
 */
export const AssignPrivateIpAddresses: Ec2Action = {
  mutating: true,
  run({ state: world, input }): AssignPrivateIpAddressesResult {
    const eni = requireEni(world, input.required('NetworkInterfaceId'));
    const requested = [...new Set(input.list('PrivateIpAddresses'))];
    const count = input.int('SecondaryPrivateIpAddressCount');
    if (requested.length > 0 && count !== undefined) {
      throw new Ec2Error(
        'InvalidParameterCombination',
        'Specify either PrivateIpAddress or SecondaryPrivateIpAddressCount, not both.',
      );
    }
    if (requested.length === 0 && count === undefined) {
      throw new Ec2Error(
        'MissingParameter',
        'The request must contain the parameter PrivateIpAddress or SecondaryPrivateIpAddressCount',
      );
    }
    const allowReassignment = input.bool('AllowReassignment') ?? false;
    const block = subnetBlock(world, eni);
    const moves: Array<{ ip: string; from: NetworkInterfaceRecord | undefined }> = [];
    for (const ip of requested) {
      if (!isIpv4(ip)) throw new Ec2Error('InvalidParameterValue', `Invalid private IP address: ${ip}`);
      if (!cidrContains(block, ip)) {
        throw new Ec2Error(
          'InvalidParameterValue',
          `Address ${ip} does not fall within the subnet's address range`,
        );
      }
      if (isReservedInSubnet(block, ip)) {
        throw new Ec2Error('InvalidParameterValue', `Address ${ip} is in subnet's reserved address range`);
      }
      const holder = world.eniByPrivateIp(ip);
      if (holder === eni) continue;
      if (holder && holder.privateIps[0] === ip) {
        throw new Ec2Error(
          'InvalidParameterValue',
          `Address ${ip} is the primary private IP of ${holder.id}`,
        );
      }
      if (holder && !allowReassignment) {
        throw new Ec2Error('InvalidParameterValue', `Address ${ip} is in use by ${holder.id}`);
      }
      moves.push({ ip, from: holder });
    }
    const toAdd =
      count === undefined ? moves : freeAddresses(world, eni, count).map((ip) => ({ ip, from: undefined }));
    if (eni.privateIps.length + toAdd.length > eni.maxPrivateIps) {
      throw new Ec2Error('PrivateIpAddressLimitExceeded', 'Number of private addresses will exceed limit.');
    }
    for (const { ip, from } of toAdd) {
      if (from) {
        from.privateIps = from.privateIps.filter((held) => held !== ip);
        const address = world.addressOn(from.id, ip);
        if (address?.association) address.association.networkInterfaceId = eni.id;
      }
      eni.privateIps = [...eni.privateIps, ip];
    }
    const assigned = count === undefined ? requested : toAdd.map((m) => m.ip);
    return {
      NetworkInterfaceId: eni.id,
      AssignedPrivateIpAddresses: assigned.map((ip) => ({ PrivateIpAddress: ip })),
    };
  },
};

/** UnassignPrivateIpAddresses; an Elastic IP on a removed address is disassociated, as on EC2. */
export const UnassignPrivateIpAddresses: Ec2Action = {
  mutating: true,
  run({ state: world, input }) {
    const eni = requireEni(world, input.required('NetworkInterfaceId'));
    const ips = [...new Set(input.list('PrivateIpAddresses'))];
    if (ips.length === 0) {
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter PrivateIpAddress');
    }
    for (const ip of ips) {
      if (ip === eni.privateIps[0]) {
        throw new Ec2Error(
          'InvalidParameterValue',
          `The primary private IP address ${ip} cannot be unassigned`,
        );
      }
      if (!eni.privateIps.includes(ip)) {
        throw new Ec2Error(
          'InvalidParameterValue',
          `Some of the specified addresses are not assigned to interface ${eni.id}`,
        );
      }
    }
    for (const ip of ips) {
      const address = world.addressOn(eni.id, ip);
      if (address) address.association = undefined;
    }
    eni.privateIps = eni.privateIps.filter((ip) => !ips.includes(ip));
    return {};
  },
};
