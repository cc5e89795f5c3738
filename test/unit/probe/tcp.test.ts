import { afterEach, describe, expect, it } from 'vitest';
import { probeTcp } from '../../../shared/adapters/probe/tcp';
import { closedPort, startTcpServer, startUnacceptingServer, type TestServer } from '../../helpers/servers';

describe('probeTcp', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('succeeds when the handshake completes, with the start time and a latency', async () => {
    const tcp = await startTcpServer();
    server = tcp;
    const result = await probeTcp('127.0.0.1', tcp.port, 1000, () => 1234);
    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number), at: 1234 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    const result = await probeTcp('127.0.0.1', port, 1000);
    expect(result).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
  });

  it('fails with a timeout when the handshake never completes', async () => {
    server = await startUnacceptingServer();
    const result = await probeTcp('127.0.0.1', server.port, 200);
    expect(result).toMatchObject({ ok: false, error: 'timeout after 200 ms' });
  });
});
