import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

/** A server on 127.0.0.1 that a test started. */
export interface TestServer {
  port: number;
  close: () => Promise<void>;
}

/** What an HTTP test server saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  host: string | undefined;
  /** TLS only: the SNI name the client sent, or false. */
  servername?: string | false;
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server | ReturnType<typeof createTcpServer>, sockets: Set<Socket>) {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function track(server: Server | ReturnType<typeof createTcpServer>): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}

/**
 * An HTTP (or, with `tls`, HTTPS) server on 127.0.0.1 that records every request and answers
 * with `handler`. A handler that never ends the response makes a server that hangs.
 */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: { cert: string | Buffer; key: string | Buffer },
): Promise<TestServer & { requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', host: req.headers.host };
    const servername = (req.socket as Socket & { servername?: string | false }).servername;
    if (tls) seen.servername = servername ?? false;
    requests.push(seen);
    handler(req, res);
  };
  const server = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
  const sockets = track(server);
  const port = await listen(server);
  return { port, requests, close: closer(server, sockets) };
}

/** A TCP server on 127.0.0.1 that accepts and keeps connections open. */
export async function startTcpServer(): Promise<TestServer & { accepted: () => number }> {
  let accepted = 0;
  const server = createTcpServer(() => {
    accepted += 1;
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, accepted: () => accepted, close: closer(server, sockets) };
}

/** A loopback port nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function tryConnect(port: number, waitMs: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, waitMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/**
 * A TCP port on 127.0.0.1 whose handshake never completes: a listening socket (backlog 1) in a
 * worker thread whose event loop is blocked, so nobody calls accept(); the accept queue is then
 * filled, and the kernel drops further SYNs. Linux behaviour; the probe sees a timeout.
 */
export async function startUnacceptingServer(): Promise<TestServer> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen(0, '127.0.0.1', 1, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0);
       server.close();
     });`,
    { eval: true, workerData: gate },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 16; i += 1) {
    const socket = await tryConnect(port, 250);
    if (!socket) break;
    fillers.push(socket);
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await worker.terminate();
    },
  };
}
