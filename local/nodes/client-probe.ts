import { request } from 'node:http';

/** One probe request as the client saw it. */
export interface ProbeSample {
  /** When the request was sent (epoch ms). */
  readonly at: number;
  readonly latencyMs: number;
  /** True for an HTTP 200. */
  readonly ok: boolean;
  readonly status?: number;
  /** `x-served-by` of the answer. */
  readonly servedBy?: string;
  readonly error?: string;
}

/** Options of {@link startClientProbe}. */
export interface ClientProbeOptions {
  /** An `http://127.0.0.1:PORT/...` URL, usually the front proxy. */
  readonly url: string;
  /** Time between request starts (default 100 ms). Requests overlap if one is slow. */
  readonly intervalMs?: number;
  /** Client-side timeout per request (default 1000 ms). */
  readonly timeoutMs?: number;
}

/** A running probe. */
export interface ClientProbe {
  /** Samples finished so far, ordered by send time. */
  samples(): ProbeSample[];
  /** Stops sending, waits for requests in flight, returns every sample. */
  stop(): Promise<ProbeSample[]>;
}

function probeOnce(url: URL, timeoutMs: number): Promise<ProbeSample> {
  const at = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (sample: Omit<ProbeSample, 'at' | 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ at, latencyMs: Date.now() - at, ...sample });
    };
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const served = res.headers['x-served-by'];
      const servedBy = typeof served === 'string' ? served : undefined;
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        done({ ok: status === 200, status, ...(servedBy ? { servedBy } : {}) });
      });
      res.on('error', (err) => done({ ok: false, status: res.statusCode ?? 0, error: err.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, error: 'timeout' });
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
    req.end();
  });
}

/**
 * Hits a URL every `intervalMs` and records (time, ok, servedBy), so a demo or
 * benchmark can measure the outage a client really sees during a failover.
 */
export function startClientProbe(options: ClientProbeOptions): ClientProbe {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new Error(`the probe only targets http://127.0.0.1, not ${options.url}`);
  }
  return sampleUrl(url, options.intervalMs ?? 100, options.timeoutMs ?? 1000);
}

/**
 * A plain GET of `url` every `intervalMs`, each on its own connection and with its own timeout
 * (a hung node counts as an outage), overlapping when one is slow. Which hosts may be reached
 * is the caller's check: startClientProbe keeps to loopback, the sandbox drill's client
 * (scripts/sandbox/client.ts) goes to the address under test.
 */
export function sampleUrl(url: URL, intervalMs: number, timeoutMs: number): ClientProbe {
  const samples: ProbeSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const fire = () => {
    const run = probeOnce(url, timeoutMs).then((sample) => {
      samples.push(sample);
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
