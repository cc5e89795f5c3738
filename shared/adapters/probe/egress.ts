import type { EgressCheck, EgressTarget, HttpCheck } from '../../config/schema';
import type { ProbeResult } from '../../domain/model';
import { probeHttp } from './http';
import { probeTcp } from './tcp';

/** Probes one outside target; injectable so tests need no network. */
export interface EgressProbers {
  tcp: (host: string, port: number, timeoutMs: number) => Promise<ProbeResult>;
  http: (host: string, port: number, check: HttpCheck, timeoutMs: number) => Promise<ProbeResult>;
}

const realProbers: EgressProbers = { tcp: probeTcp, http: probeHttp };

/** How a target is named in evidence: `host:port` or the URL. */
export function targetName(target: EgressTarget): string {
  return target.url ?? `${target.host}:${target.port}`;
}

/**
 * The HTTP check for a URL target. Any answer below 500 counts as reachable: a 403 or a 429
 * from a rate-limited check URL still proves the packets went out through the NAT and came
 * back, so it must not cause a failover.
 */
export function urlCheck(url: string): { host: string; port: number; check: HttpCheck } {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : tls ? 443 : 80,
    check: {
      type: 'http',
      port: u.port ? Number(u.port) : tls ? 443 : 80,
      method: 'GET',
      path: `${u.pathname}${u.search}`,
      expectStatus: '100-499',
      tls,
      insecureSkipTlsVerify: false,
    },
  };
}

/**
 * One egress probe from a vantage behind the NAT: every target at once (TCP connect, or an
 * HTTP(S) request), failed when at least `minFailing` targets fail (default: all). k-of-n
 * keeps one unreachable outside service from looking like a dead NAT.
 */
export async function probeEgress(
  check: EgressCheck,
  timeoutMs: number,
  now: () => number = Date.now,
  probers: EgressProbers = realProbers,
): Promise<ProbeResult> {
  const at = now();
  const results = await Promise.all(
    check.targets.map(async (target) => {
      if (target.url !== undefined) {
        const { host, port, check: http } = urlCheck(target.url);
        return probers.http(host, port, http, timeoutMs);
      }
      return probers.tcp(target.host ?? '', target.port ?? 0, timeoutMs);
    }),
  );
  const minFailing = check.minFailing ?? check.targets.length;
  const failed = results.flatMap((r, i) =>
    r.ok ? [] : [`${targetName(check.targets[i]!)} ${r.error ?? 'failed'}`],
  );
  const latencyMs = Math.max(0, ...results.map((r) => r.latencyMs));
  const ok = failed.length < minFailing;
  if (failed.length === 0) return { ok, latencyMs, at };
  const summary = `${failed.length}/${results.length} egress targets failed (fail at ${minFailing}): ${failed.slice(0, 3).join('; ')}`;
  return { ok, latencyMs, at, error: summary };
}
