import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { HttpCheck } from '../../config/schema';
import type { ProbeResult } from '../../domain/model';

const MAX_BODY_BYTES = 64 * 1024;

/** Parses `200` or `200-399` into an inclusive range. */
export function parseStatusRange(text: string): [number, number] {
  const [lo, hi] = text.split('-').map(Number);
  return [lo ?? 0, hi ?? lo ?? 0];
}

/**
 * Sends one HTTP(S) request and judges the answer: the status must be in `expectStatus`
 * and, if set, the body must contain `bodyContains`. The whole exchange (connect, headers,
 * body) must finish within the timeout: a node that accepts and never answers fails.
 */
export function probeHttp(
  host: string,
  port: number,
  check: HttpCheck,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<ProbeResult> {
  const at = now();
  const started = performance.now();
  const [lo, hi] = parseStatusRange(check.expectStatus);
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: { ok: boolean; error?: string; status?: number }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      const latencyMs = Math.round(performance.now() - started);
      resolve({
        ok: outcome.ok,
        latencyMs,
        at,
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      });
    };
    const send = check.tls ? httpsRequest : httpRequest;
    const req = send({
      host,
      port,
      method: check.method,
      path: check.path,
      headers: {
        'user-agent': 'ha-arbiter-probe',
        connection: 'close',
        ...(check.hostHeader ? { host: check.hostHeader } : {}),
      },
      agent: false,
      ...(check.tls
        ? {
            rejectUnauthorized: !check.insecureSkipTlsVerify,
            // SNI must be a name (RFC 6066): a probe of a private IP sends none ('' = unset).
            servername: isIP(check.hostHeader ?? host) ? '' : (check.hostHeader ?? host),
          }
        : {}),
    });
    const timer = setTimeout(() => finish({ ok: false, error: `timeout after ${timeoutMs} ms` }), timeoutMs);
    req.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ?? err.message }));
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      const statusOk = status >= lo && status <= hi;
      if (!statusOk) {
        finish({ ok: false, status, error: `status ${status}` });
        return;
      }
      if (check.bodyContains === undefined || check.method === 'HEAD') {
        finish({ ok: true, status });
        return;
      }
      const needle = check.bodyContains;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.includes(needle)) finish({ ok: true, status });
        else if (body.length > MAX_BODY_BYTES)
          finish({ ok: false, status, error: 'body does not contain the expected text' });
      });
      res.once('end', () =>
        finish(
          body.includes(needle)
            ? { ok: true, status }
            : { ok: false, status, error: 'body does not contain the expected text' },
        ),
      );
      res.once('error', (err: NodeJS.ErrnoException) =>
        finish({ ok: false, status, error: err.code ?? err.message }),
      );
    });
    req.end();
  });
}
