import { connect, createServer, type Socket } from 'node:net';
import type { AddressView } from '../../ec2-model/views';

/** How a NAT instance treats traffic: forwards it, holds it (hung), or is gone (killed, stopped). */
export type NatState = 'up' | 'hung' | 'down';

/** Where the subnet's way out leads right now. */
export interface EgressPath {
  /** `open`: forwarding; `hung`: connections accepted, never forwarded; `closed`: refused. */
  readonly state: 'open' | 'hung' | 'closed';
  /** The NAT instance (or gateway id) the default route points at, if any. */
  readonly via: string | undefined;
  readonly reason: string;
}

/** Options of {@link startEgressForwarder}. */
export interface EgressForwarderOptions {
  /** The private subnet this forwarder stands for. */
  readonly subnet: string;
  /** Which route table and default route the subnet uses; pass `cloud.dataPath` to honour the propagation delay. */
  readonly view: AddressView;
  /** The state of a NAT instance's node. */
  readonly natState: (instanceId: string) => NatState;
  /** `127.0.0.1:PORT` of the outside target. */
  readonly outside: string;
  readonly host?: '127.0.0.1';
  /** 0 (default) picks a free port; kept while the path is closed and reopened. */
  readonly port?: number;
  /** The route that leads out (default `0.0.0.0/0`). */
  readonly destination?: string;
  /** How often the path is re-read to open or close the listener (default 20 ms). */
  readonly pollMs?: number;
}

/** A running forwarder: "the outside, reached from one subnet". */
export interface EgressForwarder {
  readonly subnet: string;
  readonly port: number;
  /** `127.0.0.1:PORT`: what egress targets name. */
  readonly endpoint: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The path right now (data-path view). */
  path(): EgressPath;
  /** Connections forwarded so far, by the NAT instance (or gateway) they went through. */
  forwarded(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

const LOOPBACK_ENDPOINT = /^127\.0\.0\.1:(\d{1,5})$/;

/** Works out a subnet's way out: route table, default route, and the state of its NAT. */
export function egressPath(
  view: AddressView,
  subnet: string,
  natState: (instanceId: string) => NatState,
  destination = '0.0.0.0/0',
): EgressPath {
  const table = view.routeTableOfSubnet(subnet);
  if (!table) return { state: 'closed', via: undefined, reason: `${subnet} has no route table` };
  const target = view.routeTarget(table, destination);
  if (!target) return { state: 'closed', via: undefined, reason: `${table} has no ${destination} route` };
  if (target.instanceId) {
    const state = natState(target.instanceId);
    const reason = `${table} ${destination} -> ${target.networkInterfaceId} (${target.instanceId}, ${state})`;
    if (state === 'up') return { state: 'open', via: target.instanceId, reason };
    return { state: state === 'hung' ? 'hung' : 'closed', via: target.instanceId, reason };
  }
  if (target.gatewayId?.startsWith('igw-')) {
    return { state: 'open', via: target.gatewayId, reason: `${table} ${destination} -> ${target.gatewayId}` };
  }
  const what = target.gatewayId ?? target.networkInterfaceId ?? 'nothing';
  return { state: 'closed', via: undefined, reason: `${table} ${destination} -> ${what} (blackhole)` };
}

/**
 * The NAT data path of one private subnet, on loopback. A host in the subnet reaches the
 * outside through whichever NAT the subnet's default route points at (its associated route
 * table, else the main one), as the data path sees it. The forwarder listens and pipes each
 * TCP connection to the outside target while that NAT is up; stops listening (connection
 * refused) while it is down, stopped or the route is a blackhole; and accepts but never
 * forwards while the NAT is hung (a client times out). Established connections drop when the
 * path closes or moves to another NAT (its connection tracking is gone). It works below HTTP,
 * so TCP and HTTP egress targets both go through it.
 */
export async function startEgressForwarder(options: EgressForwarderOptions): Promise<EgressForwarder> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1')
    throw new Error(`egress forwarders only listen on 127.0.0.1, not ${String(host)}`);
  const outside = LOOPBACK_ENDPOINT.exec(options.outside);
  if (!outside) throw new Error(`the outside target must be 127.0.0.1:PORT, not ${options.outside}`);
  const outsidePort = Number(outside[1]);
  const current = () => egressPath(options.view, options.subnet, options.natState, options.destination);
  const counts: Record<string, number> = {};
  /** Forwarded connections, each with the NAT it went through. */
  const flows = new Map<Socket, { via: string | undefined; upstream: Socket }>();
  let held = new Set<Socket>();

  const pipe = (client: Socket, via: string | undefined) => {
    const upstream = connect({ host: '127.0.0.1', port: outsidePort });
    flows.set(client, { via, upstream });
    if (via) counts[via] = (counts[via] ?? 0) + 1;
    const drop = () => {
      flows.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = (client: Socket) => {
    held.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => held.delete(client));
  };

  const server = createServer((client) => {
    const path = current();
    if (path.state === 'closed') client.destroy();
    else if (path.state === 'hung') hold(client);
    else pipe(client, path.via);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('forwarder has no TCP address'));
      else resolve(address.port);
    });
  });

  let busy = false;
  let closed = false;
  const sync = () => {
    if (busy || closed) return;
    const path = current();
    for (const [client, flow] of flows) {
      if (path.state !== 'open' || flow.via !== path.via) {
        client.destroy();
        flow.upstream.destroy();
        flows.delete(client);
      }
    }
    if (path.state === 'closed') {
      for (const client of held) client.destroy();
      held = new Set();
    } else if (path.state === 'open' && held.size > 0) {
      const waiting = held;
      held = new Set();
      for (const client of waiting) if (!client.destroyed) pipe(client, path.via);
    }
    const listening = server.listening;
    if (path.state === 'closed' && listening) {
      busy = true;
      server.close(() => {
        busy = false;
      });
    } else if (path.state !== 'closed' && !listening) {
      busy = true;
      const retry = () => {
        busy = false;
      };
      server.once('error', retry);
      server.listen(port, host, () => {
        server.off('error', retry);
        busy = false;
      });
    }
  };
  const timer = setInterval(sync, options.pollMs ?? 20);
  timer.unref();
  sync();

  return {
    subnet: options.subnet,
    port,
    endpoint: `${host}:${port}`,
    url: `http://${host}:${port}`,
    path: current,
    forwarded: () => ({ ...counts }),
    close: async () => {
      closed = true;
      clearInterval(timer);
      for (const [client, flow] of flows) {
        client.destroy();
        flow.upstream.destroy();
      }
      flows.clear();
      for (const client of held) client.destroy();
      held.clear();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
