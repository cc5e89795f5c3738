import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type EgressProbers, probeEgress, urlCheck } from '../../../shared/adapters/probe/egress';
import type { EgressCheck } from '../../../shared/config/schema';
import { EGRESS_NODE, probedNodes } from '../../../shared/domain/egress-health';
import type { ProbeResult } from '../../../shared/domain/model';
import { silentLog } from '../../../shared/ports/log';
import { runProbeLoop } from '../../../shared/usecases/probe-loop';
import { fakeClock } from '../../helpers/clock';
import { makeConfig, makeGroup } from '../../helpers/config';
import { MemoryStore } from '../../helpers/memory-store';

const ok = (latencyMs = 5): ProbeResult => ({ ok: true, latencyMs, at: 0 });
const fail = (error: string): ProbeResult => ({ ok: false, latencyMs: 2000, at: 0, error });

/** Probers answering from a table by host. */
function fake(answers: Record<string, ProbeResult>): EgressProbers & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    tcp: async (host, port) => {
      seen.push(`tcp ${host}:${port}`);
      return answers[host] ?? ok();
    },
    http: async (host, port, check) => {
      seen.push(`http ${host}:${port}${check.path} ${check.expectStatus}${check.tls ? ' tls' : ''}`);
      return answers[host] ?? ok();
    },
  };
}

const check = (minFailing?: number): EgressCheck => ({
  type: 'egress',
  targets: [
    { host: 'a.example', port: 443 },
    { host: 'b.example', port: 443 },
    { url: 'https://c.example/ping?x=1' },
  ],
  direct: { type: 'tcp', port: 22 },
  ...(minFailing ? { minFailing } : {}),
});

describe('The egress probe', () => {
  it('probes every target: TCP connects and HTTP(S) requests', async () => {
    const probers = fake({});
    await probeEgress(check(), 1000, () => 0, probers);
    expect(probers.seen).toEqual([
      'tcp a.example:443',
      'tcp b.example:443',
      'http c.example:443/ping?x=1 100-499 tls',
    ]);
  });

  it('fails only when at least minFailing targets fail (k of n)', async () => {
    const one = await probeEgress(
      check(2),
      1000,
      () => 0,
      fake({ 'a.example': fail('timeout after 1000 ms') }),
    );
    expect(one.ok).toBe(true);
    expect(one.error).toContain('1/3 egress targets failed');
    const two = await probeEgress(
      check(2),
      1000,
      () => 0,
      fake({ 'a.example': fail('timeout after 1000 ms'), 'c.example': fail('status 503') }),
    );
    expect(two).toMatchObject({ ok: false, latencyMs: 2000 });
    expect(two.error).toBe(
      '2/3 egress targets failed (fail at 2): a.example:443 timeout after 1000 ms; https://c.example/ping?x=1 status 503',
    );
  });

  it('needs every target to fail by default', async () => {
    const two = await probeEgress(
      check(),
      1000,
      () => 0,
      fake({ 'a.example': fail('x'), 'b.example': fail('y') }),
    );
    expect(two.ok).toBe(true);
  });

  it('turns a URL into a check where any answer below 500 is reachable', () => {
    expect(urlCheck('http://example.com/')).toMatchObject({
      host: 'example.com',
      port: 80,
      check: { path: '/', expectStatus: '100-499', tls: false },
    });
    expect(urlCheck('https://example.com:8443/a').port).toBe(8443);
  });
});

describe('The egress probe over loopback HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(status: number): Promise<string> {
    server = createServer((_req, res) => {
      res.statusCode = status;
      res.end('x');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it('counts a rate-limited answer (429) as reachable, so it cannot cause a failover', async () => {
    const url = await serve(429);
    const result = await probeEgress({ ...check(), targets: [{ url }] }, 2000);
    expect(result.ok).toBe(true);
  });

  it('counts a 503 as a failure', async () => {
    const url = await serve(503);
    const result = await probeEgress({ ...check(), targets: [{ url }] }, 2000);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('status 503') });
  });
});

describe('What a vantage probes in an egress group', () => {
  const group = makeGroup({}, (g) => {
    g.check = {
      type: 'egress',
      targets: [{ host: '192.0.2.1', port: 443 }],
      from: ['az-a'],
      direct: { type: 'tcp', port: 22 },
    };
  });

  it('adds the egress pseudo node only for vantages behind the NAT', () => {
    expect(probedNodes(group, 'az-a').map((n) => n.id)).toEqual(['lb-1', 'lb-2', EGRESS_NODE]);
    expect(probedNodes(group, 'az-c').map((n) => n.id)).toEqual(['lb-1', 'lb-2']);
  });
});

describe('The probe loop of an egress vantage', () => {
  it('writes egress verdicts under the pseudo node, next to the direct verdicts of each node', async () => {
    const config = makeConfig((raw) => {
      raw.groups[0]!.check = {
        type: 'egress',
        targets: [{ host: '192.0.2.1', port: 443 }],
        from: ['az-a'],
        direct: { type: 'tcp', port: 22 },
      };
    });
    const store = new MemoryStore();
    const clock = fakeClock();
    const end = clock.now() + 20_000;
    const probed: string[] = [];
    await runProbeLoop({
      config,
      vantage: 'az-a',
      store,
      probe: async (_g, n) => {
        probed.push(n.id);
        return n.id === EGRESS_NODE ? fail('1/1 egress targets failed') : ok();
      },
      now: clock.now,
      sleep: clock.sleep,
      remainingMs: () => end - clock.now(),
      log: silentLog,
    });
    expect(new Set(probed)).toEqual(new Set(['lb-1', 'lb-2', EGRESS_NODE]));
    const stored = [...store.verdicts.values()].map((v) => `${v.node}=${v.status}`).sort();
    expect(stored).toEqual([`${EGRESS_NODE}=DOWN`, 'lb-1=UP', 'lb-2=UP']);
  });
});
