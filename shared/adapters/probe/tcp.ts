import { Socket } from 'node:net';
import type { ProbeResult } from '../../domain/model';

/** Opens a TCP connection and closes it at once; ok if the handshake completes within the timeout. */
export function probeTcp(
  host: string,
  port: number,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<ProbeResult> {
  const at = now();
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const latencyMs = Math.round(performance.now() - started);
      resolve(error ? { ok: false, latencyMs, at, error } : { ok: true, latencyMs, at });
    };
    const timer = setTimeout(() => finish(`timeout after ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => finish());
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.connect({ host, port });
  });
}
