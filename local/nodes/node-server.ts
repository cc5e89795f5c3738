import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeNow, listen, trackSockets } from '../cloud/util/http';

/**
 * `up`: answers; `sick`: `/healthz` says 503 but `/` still works;
 * `hung`: accepts connections and never answers; `down`: not listening.
 */
export type NodeStatus = 'up' | 'sick' | 'hung' | 'down';

/** Options of {@link startNodeServer}. */
export interface NodeServerOptions {
  /** Shown in answers: `ok <name>`, `hello from <name>`. */
  readonly name: string;
  /** The instance this node plays (sent as `x-instance-id`). */
  readonly instanceId?: string;
  readonly host?: '127.0.0.1';
  /** 0 (default) picks a free port; kept across kill/revive. */
  readonly port?: number;
  /**
   * The health check it answers, as a config's check asks for it (default `/healthz`, 200,
   * `ok <name>`): `npm run local -- --config mine.yml` makes every node pass the configured check.
   */
  readonly health?: NodeHealth;
}

/** What a node answers on its health path while up. */
export interface NodeHealth {
  readonly path: string;
  readonly status: number;
  /** Text the answer must contain (a check's `bodyContains`). */
  readonly bodyContains?: string;
}

/** A stand-in for the service running on one instance. */
export interface NodeServer {
  readonly name: string;
  readonly instanceId: string | undefined;
  readonly port: number;
  /** `127.0.0.1:PORT`, the form topology endpoints use. */
  readonly endpoint: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  status(): NodeStatus;
  /** Stops listening and drops every connection: clients get connection refused. */
  kill(): Promise<void>;
  /** Keeps accepting connections but never answers, until revived. */
  hang(): void;
  /** Fails health checks (503) while still serving `/`. */
  sick(): void;
  /** Back to `up`: listens again if killed, answers held requests if hung. */
  revive(): Promise<void>;
  /** Requests answered so far. */
  served(): number;
  /** Final shutdown. */
  close(): Promise<void>;
}

/** Starts a node server on 127.0.0.1. */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`node servers only listen on 127.0.0.1, not ${String(host)}`);
  const { name } = options;
  let status: NodeStatus = 'up';
  let served = 0;
  let held: Array<{ req: IncomingMessage; res: ServerResponse }> = [];

  const healthPath = options.health?.path ?? '/healthz';
  const healthStatus = options.health?.status ?? 200;
  const healthBody = options.health?.bodyContains ? ` ${options.health.bodyContains}` : '';
  const idHeader: Record<string, string> = options.instanceId ? { 'x-instance-id': options.instanceId } : {};
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (res.destroyed) return;
    const path = new URL(req.url ?? '/', 'http://node').pathname;
    const headers = { 'content-type': 'text/plain; charset=utf-8', 'x-node-name': name, ...idHeader };
    let code = 200;
    let body: string;
    if (path === healthPath) {
      code = status === 'sick' ? 503 : healthStatus;
      body = status === 'sick' ? `unhealthy ${name}` : `ok ${name}${healthBody}`;
    } else if (path === '/') {
      body = `hello from ${name}`;
    } else {
      code = 404;
      body = `not found on ${name}`;
    }
    served++;
    res.writeHead(code, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const server = createServer((req, res) => {
    // Drain the body so keep-alive connections stay usable.
    req.resume();
    if (status === 'hung') {
      held.push({ req, res });
      res.once('close', () => {
        held = held.filter((h) => h.res !== res);
      });
      return;
    }
    answer(req, res);
  });
  const sockets = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);
  let closed = false;

  return {
    name,
    instanceId: options.instanceId,
    port,
    endpoint: `${host}:${port}`,
    url: `http://${host}:${port}`,
    status: () => status,
    kill: async () => {
      status = 'down';
      held = [];
      await closeNow(server, sockets);
    },
    hang: () => {
      if (status !== 'down') status = 'hung';
    },
    sick: () => {
      if (status !== 'down') status = 'sick';
    },
    revive: async () => {
      if (closed) throw new Error(`node ${name} is closed`);
      if (status === 'down') await listen(server, host, port);
      status = 'up';
      const waiting = held;
      held = [];
      for (const { req, res } of waiting) answer(req, res);
    },
    served: () => served,
    close: async () => {
      closed = true;
      status = 'down';
      held = [];
      await closeNow(server, sockets);
    },
  };
}
