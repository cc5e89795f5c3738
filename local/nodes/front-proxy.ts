import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { closeNow, listen, trackSockets } from '../cloud/util/http';

/** Where the proxy should send a request: the instance holding the address, and its node endpoint. */
export interface Upstream {
  readonly instanceId: string;
  /** `127.x.y.z:PORT` (loopback); anything else is refused. */
  readonly endpoint: string;
}

/** Answers "which node holds the address right now", asked once per request. */
export type UpstreamResolver = () => Upstream | null | undefined | Promise<Upstream | null | undefined>;

/** Options of {@link startFrontProxy}. */
export interface FrontProxyOptions {
  readonly resolve: UpstreamResolver;
  readonly host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Time allowed for the upstream's response headers (default 1000 ms) before a 504. */
  readonly upstreamTimeoutMs?: number;
}

/** A running front proxy. */
export interface FrontProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK_ENDPOINT = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/;

function fail(res: ServerResponse, status: number, message: string, upstream?: Upstream): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...(upstream ? { 'x-attempted-upstream': upstream.instanceId } : {}),
  });
  res.end(body);
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: Upstream, timeoutMs: number): void {
  const match = LOOPBACK_ENDPOINT.exec(upstream.endpoint);
  if (!match) {
    fail(res, 502, `refusing non-loopback upstream ${upstream.endpoint}`, upstream);
    return;
  }
  // Once an answer (or a 502/504) has started, later events of the upstream
  // request (e.g. the error its own destroy() raises) must not touch `res`.
  let answered = false;
  const answerWith = (status: number, message: string) => {
    if (answered) return;
    answered = true;
    fail(res, status, message, upstream);
  };
  const upstreamReq = request({
    host: match[1],
    port: Number(match[2]),
    method: req.method,
    path: req.url,
    headers: { ...req.headers, host: upstream.endpoint, connection: 'close' },
    // A fresh connection per request: a pooled socket to a node that was
    // killed would fail in ways a real client behind an address would not see.
    agent: false,
  });
  const timer = setTimeout(() => {
    answerWith(504, `upstream ${upstream.instanceId} did not answer within ${timeoutMs} ms`);
    upstreamReq.destroy();
  }, timeoutMs);
  upstreamReq.on('response', (upstreamRes) => {
    clearTimeout(timer);
    if (answered) {
      upstreamRes.resume();
      return;
    }
    answered = true;
    res.writeHead(upstreamRes.statusCode ?? 502, {
      ...upstreamRes.headers,
      'x-served-by': upstream.instanceId,
    });
    upstreamRes.pipe(res);
    upstreamRes.on('error', () => res.destroy());
  });
  upstreamReq.on('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    answerWith(502, `upstream ${upstream.instanceId} failed: ${err.code ?? err.message}`);
  });
  res.on('close', () => {
    clearTimeout(timer);
    upstreamReq.destroy();
  });
  req.pipe(upstreamReq);
}

/**
 * The client-facing side of a fixed address: for each request it asks the
 * resolver which node holds the address now (typically the data-path view of
 * the local cloud) and forwards there, adding `x-served-by: <instance id>`.
 * 503 when nobody holds the address, 502 when the node refuses, 504 when it
 * does not answer in time.
 */
export async function startFrontProxy(options: FrontProxyOptions): Promise<FrontProxy> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the front proxy only listens on 127.0.0.1, not ${String(host)}`);
  const timeoutMs = options.upstreamTimeoutMs ?? 1000;
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => options.resolve())
      .then(
        (upstream) => {
          if (!upstream) fail(res, 503, 'no node holds the address');
          else forward(req, res, upstream, timeoutMs);
        },
        (err: unknown) => fail(res, 502, `resolver failed: ${(err as Error).message}`),
      );
  });
  const sockets = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);
  return { port, url: `http://${host}:${port}`, close: () => closeNow(server, sockets) };
}
