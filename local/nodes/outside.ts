import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeNow, listen, trackSockets } from '../cloud/util/http';

/** How the outside answers: an HTTP status, or `hang` (accept, never answer). */
export type OutsideAnswer = number | 'hang';

/** Options of {@link startOutsideTarget}. */
export interface OutsideTargetOptions {
  readonly host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

/**
 * "The internet" as hosts behind a NAT see it: one HTTP server on 127.0.0.1, reached only
 * through the egress forwarders. Every path answers 200 `outside ok <path>` unless told
 * otherwise, e.g. 429 for a rate-limited check URL or `hang` for a target that never answers.
 */
export interface OutsideTarget {
  readonly port: number;
  /** `127.0.0.1:PORT` */
  readonly endpoint: string;
  /** How one path (or, without a path, every path without its own answer) answers from now on. */
  answer(answer: OutsideAnswer, path?: string): void;
  /** Back to 200 everywhere; held requests are answered. */
  reset(): void;
  /** Requests received so far (by path). */
  requests(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** Starts the outside target on 127.0.0.1. */
export async function startOutsideTarget(options: OutsideTargetOptions = {}): Promise<OutsideTarget> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1')
    throw new Error(`the outside target only listens on 127.0.0.1, not ${String(host)}`);
  let fallback: OutsideAnswer = 200;
  const byPath = new Map<string, OutsideAnswer>();
  const counts: Record<string, number> = {};
  let held: Array<{ path: string; res: ServerResponse }> = [];

  const respond = (path: string, res: ServerResponse, status: number) => {
    if (res.destroyed) return;
    const body = status < 400 ? `outside ok ${path}` : `outside says ${status} for ${path}`;
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      ...(status === 429 ? { 'retry-after': '60' } : {}),
    });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://outside').pathname;
    counts[path] = (counts[path] ?? 0) + 1;
    const answer = byPath.get(path) ?? fallback;
    if (answer === 'hang') {
      held.push({ path, res });
      res.once('close', () => {
        held = held.filter((h) => h.res !== res);
      });
      return;
    }
    respond(path, res, answer);
  };
  const server = createServer(handle);
  const sockets = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);
  return {
    port,
    endpoint: `${host}:${port}`,
    answer: (answer, path) => {
      if (path === undefined) fallback = answer;
      else byPath.set(path, answer);
    },
    reset: () => {
      fallback = 200;
      byPath.clear();
      const waiting = held;
      held = [];
      for (const h of waiting) respond(h.path, h.res, 200);
    },
    requests: () => ({ ...counts }),
    close: () => {
      held = [];
      return closeNow(server, sockets);
    },
  };
}
