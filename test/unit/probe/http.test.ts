import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStatusRange, probeHttp } from '../../../shared/adapters/probe/http';
import type { HttpCheck } from '../../../shared/config/schema';
import { closedPort, startHttpServer, type TestServer } from '../../helpers/servers';

const tlsFixture = {
  cert: readFileSync(new URL('../../fixtures/tls/cert.pem', import.meta.url)),
  key: readFileSync(new URL('../../fixtures/tls/key.pem', import.meta.url)),
};

function check(overrides: Partial<HttpCheck> = {}): HttpCheck {
  return {
    type: 'http',
    port: 80,
    method: 'GET',
    path: '/healthz',
    expectStatus: '200-399',
    tls: false,
    insecureSkipTlsVerify: false,
    ...overrides,
  };
}

describe('probeHttp', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(status: number, body = 'ok', tls = false) {
    const s = await startHttpServer(
      (_req, res) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
      },
      tls ? tlsFixture : undefined,
    );
    server = s;
    return s;
  }

  it('succeeds on a status inside the expected range and sends the path and method', async () => {
    const s = await serve(204, '');
    const result = await probeHttp('127.0.0.1', s.port, check(), 1000, () => 42);
    expect(result).toEqual({ ok: true, status: 204, latencyMs: expect.any(Number), at: 42 });
    expect(s.requests).toEqual([{ method: 'GET', url: '/healthz', host: `127.0.0.1:${s.port}` }]);
  });

  it.each([
    [503, '200-399'],
    [404, '200-399'],
    [301, '200'],
    [200, '300-399'],
  ])('fails on status %i when %s is expected', async (status, expectStatus) => {
    const s = await serve(status);
    const result = await probeHttp('127.0.0.1', s.port, check({ expectStatus }), 1000);
    expect(result).toMatchObject({ ok: false, status, error: `status ${status}` });
  });

  it('accepts both ends of the range', async () => {
    const s = await serve(399);
    expect((await probeHttp('127.0.0.1', s.port, check(), 1000)).ok).toBe(true);
  });

  it('succeeds when the body contains the expected text', async () => {
    const s = await serve(200, '{"status":"healthy","db":"up"}');
    const result = await probeHttp('127.0.0.1', s.port, check({ bodyContains: '"db":"up"' }), 1000);
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it('fails when the body lacks the expected text', async () => {
    const s = await serve(200, '{"status":"degraded"}');
    const result = await probeHttp('127.0.0.1', s.port, check({ bodyContains: 'healthy' }), 1000);
    expect(result).toMatchObject({
      ok: false,
      status: 200,
      error: 'body does not contain the expected text',
    });
  });

  it('sends the configured Host header', async () => {
    const s = await serve(200);
    await probeHttp('127.0.0.1', s.port, check({ hostHeader: 'www.example.test' }), 1000);
    expect(s.requests[0]?.host).toBe('www.example.test');
  });

  it('sends HEAD and does not wait for a body', async () => {
    const s = await serve(200);
    const result = await probeHttp(
      '127.0.0.1',
      s.port,
      check({ method: 'HEAD', bodyContains: 'never' }),
      1000,
    );
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(s.requests[0]?.method).toBe('HEAD');
  });

  it('fails with a timeout when the server accepts and never answers', async () => {
    server = await startHttpServer(() => {});
    const result = await probeHttp('127.0.0.1', server.port, check(), 200);
    expect(result).toMatchObject({ ok: false, error: 'timeout after 200 ms' });
    expect(result.status).toBeUndefined();
  });

  it('fails with a timeout when the body never finishes', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200);
      res.write('still loading');
    });
    const result = await probeHttp('127.0.0.1', server.port, check({ bodyContains: 'healthy' }), 200);
    expect(result).toMatchObject({ ok: false, error: 'timeout after 200 ms' });
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    expect(await probeHttp('127.0.0.1', port, check(), 1000)).toMatchObject({
      ok: false,
      error: 'ECONNREFUSED',
    });
  });

  it('speaks TLS to a self-signed node when insecureSkipTlsVerify is set', async () => {
    const s = await serve(200, 'ok', true);
    const result = await probeHttp(
      '127.0.0.1',
      s.port,
      check({ tls: true, insecureSkipTlsVerify: true }),
      2000,
    );
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses a self-signed certificate unless told to skip verification', async () => {
    const s = await serve(200, 'ok', true);
    const result = await probeHttp('127.0.0.1', s.port, check({ tls: true }), 2000);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/SELF_SIGNED|CERT/);
    expect(s.requests).toEqual([]);
  });

  it('sends the Host header as the TLS server name, and no server name for an IP address', async () => {
    const s = await serve(200, 'ok', true);
    const insecure = { tls: true, insecureSkipTlsVerify: true };
    await probeHttp('127.0.0.1', s.port, check({ ...insecure, hostHeader: 'www.example.test' }), 2000);
    await probeHttp('127.0.0.1', s.port, check(insecure), 2000);
    // RFC 6066 forbids an IP address as the server name (Node warns, DEP0123, if one is set).
    expect(s.requests.map((r) => r.servername)).toEqual(['www.example.test', false]);
  });
});

describe('parseStatusRange', () => {
  it.each([
    ['200', [200, 200]],
    ['200-399', [200, 399]],
  ])('reads %s', (text, range) => {
    expect(parseStatusRange(text)).toEqual(range);
  });
});
