import {
  AssignPrivateIpAddressesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { NodeConfig, SecondaryIpResource } from '../../../config/schema';
import type { Holding } from '../../../domain/model';
import type { MoveOptions, MoveOutcome, VerifyOptions } from '../../../ports/mover';
import { mapEc2Error } from '../ec2-errors';
import { Ec2Mover } from './ec2-mover';
import { verifiedOutcome } from './read-back';

/** Which ENIs carry the address (normally one; two only in a transient or broken state). */
interface SecondaryIpView {
  enis: { eni: string; instanceId?: string; primary: boolean; publicIp?: string }[];
}

/**
 * Moves a secondary private IP with AssignPrivateIpAddresses (AllowReassignment) to the
 * target node's ENI. EC2 takes the address off the old ENI in the same call, and an Elastic
 * IP associated with that private address follows it. Both ENIs must be in one subnet.
 */
export class SecondaryIpMover extends Ec2Mover<SecondaryIpView> {
  constructor(
    private readonly resource: SecondaryIpResource,
    nodes: readonly NodeConfig[],
    ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    super(`secondary-ip ${resource.ip}`, nodes, ec2, verify);
  }

  async moveTo(node: NodeConfig, options: MoveOptions = {}): Promise<MoveOutcome> {
    const start = await this.startMove(node, (v, n) => this.isOn(v, n));
    if ('done' in start) return start.done;
    const { before } = start;
    const call = `AssignPrivateIpAddresses ${this.resource.ip} -> ${node.eni} (${node.id})`;
    await options.beforeMutation?.(call);
    try {
      await this.ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: node.eni,
          PrivateIpAddresses: [this.resource.ip],
          AllowReassignment: true,
        }),
      );
    } catch (error) {
      throw mapEc2Error(error, call);
    }
    return verifiedOutcome({
      resource: this.key,
      verify: this.verify,
      calls: [call],
      before,
      read: () => this.describe(),
      done: (v) => this.isOn(v, node),
      detail: (v) => this.holding(v).detail,
      called: `AssignPrivateIpAddresses to ${node.id} (${node.eni})`,
      describe: 'DescribeNetworkInterfaces',
    });
  }

  /** On the target's ENI and nowhere else: a second copy would mean the reassignment is not done. */
  private isOn(view: SecondaryIpView, node: NodeConfig): boolean {
    return view.enis.length === 1 && view.enis[0]?.eni === node.eni;
  }

  protected holding(view: SecondaryIpView): Holding {
    if (view.enis.length === 0) {
      return {
        resource: this.key,
        node: undefined,
        detail: `${this.resource.ip} is not assigned to any ENI`,
      };
    }
    const parts = view.enis.map((e) => {
      const owner = this.nodes.find((n) => n.eni === e.eni)?.id ?? 'not a node of the group';
      const extra = [e.primary ? 'primary IP' : '', e.publicIp ? `Elastic IP ${e.publicIp}` : '']
        .filter(Boolean)
        .join(', ');
      return `${this.resource.ip} on ${e.eni}${e.instanceId ? `/${e.instanceId}` : ''} (${owner}${extra ? `; ${extra}` : ''})`;
    });
    const only = view.enis.length === 1 ? view.enis[0] : undefined;
    const node = only ? this.nodes.find((n) => n.eni !== undefined && n.eni === only.eni) : undefined;
    return { resource: this.key, node: node?.id, detail: parts.join('; ') };
  }

  protected async describe(): Promise<SecondaryIpView> {
    const what = `DescribeNetworkInterfaces addresses.private-ip-address=${this.resource.ip}`;
    const interfaces: NetworkInterface[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [{ Name: 'addresses.private-ip-address', Values: [this.resource.ip] }],
            ...(token ? { NextToken: token } : {}),
          }),
        );
        interfaces.push(...(out.NetworkInterfaces ?? []));
        token = out.NextToken;
      } while (token);
    } catch (error) {
      throw mapEc2Error(error, what);
    }
    const enis: SecondaryIpView['enis'] = [];
    for (const ni of interfaces) {
      // The filter matches on any address of the ENI; keep only ENIs that really carry this one.
      const address = ni.PrivateIpAddresses?.find((a) => a.PrivateIpAddress === this.resource.ip);
      if (!address || !ni.NetworkInterfaceId) continue;
      enis.push({
        eni: ni.NetworkInterfaceId,
        primary: address.Primary === true,
        ...(ni.Attachment?.InstanceId ? { instanceId: ni.Attachment.InstanceId } : {}),
        ...(address.Association?.PublicIp ? { publicIp: address.Association.PublicIp } : {}),
      });
    }
    return { enis };
  }
}
