import { request } from 'node:http';
import type { ProbeSample } from '../../local/nodes/client-probe';
import type { ClientSampler } from './drill-run';

/**
 * The drill's client: a plain GET of `url` every `intervalMs` from the machine running the
 * command (through the Elastic IP on an account, through the front proxy on the local cloud),
 * each with its own connection and a timeout, so a hung node counts as an outage.
 */
export function startSampler(url: string, intervalMs: number, timeoutMs = 1000): ClientSampler {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new Error(`the drill client speaks http only, not ${url}`);
  const samples: ProbeSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const fire = () => {
    const run = once(target, timeoutMs).then((s) => {
      samples.push(s);
    });
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };
  fire();
  const timer = setInterval(fire, intervalMs);
  const sorted = () => [...samples].sort((a, b) => a.at - b.at);
  return {
    samples: sorted,
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return sorted();
    },
  };
}

function once(url: URL, timeoutMs: number): Promise<ProbeSample> {
  const at = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (s: Omit<ProbeSample, 'at' | 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ at, latencyMs: Date.now() - at, ...s });
    };
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const served = res.headers['x-served-by'];
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        done({ ok: status === 200, status, ...(typeof served === 'string' ? { servedBy: served } : {}) });
      });
      res.on('error', (e) => done({ ok: false, status: res.statusCode ?? 0, error: e.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, error: 'timeout' });
    });
    req.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message }));
    req.end();
  });
}
