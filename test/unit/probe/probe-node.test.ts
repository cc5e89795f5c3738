import { afterEach, describe, expect, it } from 'vitest';
import { probeNode } from '../../../shared/adapters/probe/probe-node';
import { makeGroup } from '../../helpers/config';
import { closedPort, startHttpServer, startTcpServer, type TestServer } from '../../helpers/servers';

describe('probeNode', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("connects to the node's address on the node's own port over the check's port", async () => {
    const tcp = await startTcpServer();
    server = tcp;
    const closed = await closedPort();
    const group = makeGroup({}, (g) => {
      g.check = { type: 'tcp', port: closed };
      for (const n of g.nodes) n.address = '127.0.0.1';
      g.nodes[1]!.port = tcp.port;
    });
    expect(await probeNode(group, group.nodes[0]!)).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    expect(await probeNode(group, group.nodes[1]!)).toMatchObject({ ok: true });
  });

  it('sends the HTTP check of the group with its timeout', async () => {
    const http = await startHttpServer((_req, res) => res.end('ok'));
    server = http;
    const group = makeGroup({}, (g) => {
      g.check = { type: 'http', port: http.port, path: '/healthz', hostHeader: 'lb.example.test' };
      for (const n of g.nodes) n.address = '127.0.0.1';
    });
    expect(await probeNode(group, group.nodes[0]!)).toMatchObject({ ok: true, status: 200 });
    expect(http.requests).toEqual([{ method: 'GET', url: '/healthz', host: 'lb.example.test' }]);
  });
});
