import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  type DescribeAddressesCommandOutput,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { ElasticIpResource, NodeConfig } from '../../../config/schema';
import { ResourceNotFoundError, VerificationError } from '../../../domain/errors';
import type { Holding } from '../../../domain/model';
import type { MoveOptions, MoveOutcome, VerifyOptions } from '../../../ports/mover';
import { mapEc2Error } from '../ec2-errors';
import { Ec2Mover } from './ec2-mover';

interface AddressView {
  eni?: string;
  instanceId?: string;
  privateIp?: string;
  associationId?: string;
  publicIp?: string;
}

/** Moves an Elastic IP with AssociateAddress to the target node's ENI (and private IP). */
export class ElasticIpMover extends Ec2Mover<AddressView> {
  constructor(
    private readonly resource: ElasticIpResource,
    nodes: readonly NodeConfig[],
    ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    super(`elastic-ip ${resource.allocationId}`, nodes, ec2, verify);
  }

  async moveTo(node: NodeConfig, options: MoveOptions = {}): Promise<MoveOutcome> {
    const start = await this.startMove(node, (v, n) => this.isOn(v, n));
    if ('done' in start) return start.done;
    const target = `${node.eni}${node.privateIp ? `/${node.privateIp}` : ''}`;
    const call = `AssociateAddress ${this.resource.allocationId} -> ${target}`;
    await options.beforeMutation?.(call);
    try {
      await this.ec2.send(
        new AssociateAddressCommand({
          AllocationId: this.resource.allocationId,
          NetworkInterfaceId: node.eni,
          ...(node.privateIp ? { PrivateIpAddress: node.privateIp } : {}),
          AllowReassociation: true,
        }),
      );
    } catch (error) {
      throw mapEc2Error(error, call);
    }
    for (let attempt = 1; attempt <= this.verify.attempts; attempt += 1) {
      const after = await this.describe();
      if (this.isOn(after, node)) {
        return { resource: this.key, changed: true, calls: [call], detail: this.holding(after).detail };
      }
      if (attempt < this.verify.attempts) await this.verify.sleep(this.verify.delayMs);
    }
    throw new VerificationError(
      `${this.key}: AssociateAddress to ${node.id} (${target}) returned, but DescribeAddresses did not show it after ${this.verify.attempts} reads`,
    );
  }

  private isOn(view: AddressView, node: NodeConfig): boolean {
    if (view.eni !== node.eni) return false;
    return node.privateIp === undefined || view.privateIp === node.privateIp;
  }

  protected holding(view: AddressView): Holding {
    const node = this.nodes.find((n) => n.eni !== undefined && n.eni === view.eni);
    const detail = view.eni
      ? `${view.publicIp ?? this.resource.allocationId} on ${view.eni}/${view.privateIp ?? '?'} (${view.associationId ?? 'no association id'})`
      : `${view.publicIp ?? this.resource.allocationId} is not associated`;
    return { resource: this.key, node: node?.id, detail };
  }

  protected async describe(): Promise<AddressView> {
    const what = `DescribeAddresses ${this.resource.allocationId}`;
    let out: DescribeAddressesCommandOutput;
    try {
      out = await this.ec2.send(
        new DescribeAddressesCommand({ AllocationIds: [this.resource.allocationId] }),
      );
    } catch (error) {
      throw mapEc2Error(error, what);
    }
    const address = out.Addresses?.[0];
    if (!address) {
      throw new ResourceNotFoundError(
        'InvalidAllocationID.NotFound',
        `${what}: no such Elastic IP allocation`,
      );
    }
    return {
      ...(address.NetworkInterfaceId ? { eni: address.NetworkInterfaceId } : {}),
      ...(address.InstanceId ? { instanceId: address.InstanceId } : {}),
      ...(address.PrivateIpAddress ? { privateIp: address.PrivateIpAddress } : {}),
      ...(address.AssociationId ? { associationId: address.AssociationId } : {}),
      ...(address.PublicIp ? { publicIp: address.PublicIp } : {}),
    };
  }
}
