import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '../../shared/domain/errors';
import { PAGE_HTML } from './html';
import type { PageSnapshot } from './snapshot';

/** The local page, listening on 127.0.0.1. */
export interface LocalPage {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the page (`/`) and its data (`/api/state`, JSON) on 127.0.0.1 only. The snapshot is
 * read on every request: the page polls once a second, and a read is a few local calls.
 */
export async function startLocalPage(read: () => Promise<PageSnapshot>, port = 0): Promise<LocalPage> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(PAGE_HTML);
      return;
    }
    if (path === '/api/state') {
      read().then(
        (snapshot) => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify(snapshot));
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: messageOf(error) }));
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
