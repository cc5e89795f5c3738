import { describe, expect, it } from 'vitest';
import type { EgressForwarder } from '../../local/nodes/index';
import { get } from '../integration/local-cloud/http-get';
import { okCalls, type Running, sleep, snsEvents, stackPerTest, until } from './stack-helpers';

/*
 * The NAT egress check end to end: the prober in private-a reaches "the outside" through the
 * loopback forwarder of its subnet, which forwards only while private-a's route table points at
 * a NAT whose node is alive (as the data path sees it).
 */
const TOPOLOGY = 'local/topologies/nat-egress.yml';
const CONFIG = 'local/examples/nat-egress.arbiter.yml';
const PRIVATE_A = 'subnet-0c1b2c3d4e5f6011a';
const NAT_A = 'i-0c1b2c3d4e5f60001';
const NAT_B = 'i-0c1b2c3d4e5f60002';
const STANDBY_TABLE = 'rtb-0c1b2c3d4e5f600ff';

function forwarder(running: Running): EgressForwarder {
  const f = running.stack.egress?.forwarders.get(PRIVATE_A);
  if (!f) throw new Error('no forwarder for private-a');
  return f;
}

const verdicts = (running: Running, node: string, status?: string) =>
  running.watcher.events.filter(
    (e): e is Extract<typeof e, { kind: 'verdict' }> =>
      e.kind === 'verdict' && e.node === node && (status === undefined || e.status === status),
  );

/** Both NATs UP from every vantage, and egress UP from private-a. */
async function steady(running: Running): Promise<void> {
  await until(
    () => {
      const ups = new Set(verdicts(running, 'nat-a', 'UP').map((e) => e.vantage));
      const upsB = new Set(verdicts(running, 'nat-b', 'UP').map((e) => e.vantage));
      return ups.size === 3 && upsB.size === 3 && verdicts(running, '@egress', 'UP').length > 0;
    },
    20_000,
    'both NATs UP from every vantage and egress UP from private-a',
  );
}

describe('NAT egress through the local data path', () => {
  const start = stackPerTest();

  it('fails over when the active NAT hangs: egress fails 2 of 3 targets while its direct check passes', async () => {
    const running = await start({ config: CONFIG, topology: TOPOLOGY });
    await steady(running);
    const fwd = forwarder(running);
    expect(fwd.path()).toMatchObject({ state: 'open', via: NAT_A });
    expect(await get(`${fwd.url}/health`)).toMatchObject({ status: 200 });

    // A hung NAT accepts and forwards nothing: the HTTP targets time out, the TCP one still connects.
    const hungAt = Date.now();
    running.stack.nodes.node(NAT_A).hang();
    expect(await get(`${fwd.url}/health`, 300)).toEqual({ error: 'timeout' });

    const world = running.stack.cloud.world;
    await until(
      () => world.routeTableOfSubnet(PRIVATE_A) === STANDBY_TABLE,
      20_000,
      'private-a on the standby table',
    );
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 5_000, 'the alert');
    const alert = snsEvents(running, 'failover-succeeded')[0]!.message;
    expect(alert.subject).toContain('nat-a -> nat-b');
    expect(`${alert.subject} ${alert.message}`).toContain('egress');
    expect(okCalls(running, 'ReplaceRouteTableAssociation')).toHaveLength(1);

    // The egress probe failed; the direct check of nat-a (a TCP connect) never did.
    const egressDown = verdicts(running, '@egress', 'DOWN');
    expect(egressDown.length).toBeGreaterThan(0);
    expect(egressDown[0]!.error).toMatch(/2\/3 egress targets failed/);
    expect(verdicts(running, 'nat-a', 'DOWN')).toEqual([]);
    // The standby was checked directly, UP from every vantage, before it was chosen.
    const moveAt = okCalls(running, 'ReplaceRouteTableAssociation')[0]!.at;
    const natBUp = new Set(
      verdicts(running, 'nat-b', 'UP')
        .filter((e) => e.at < moveAt)
        .map((e) => e.vantage),
    );
    expect(natBUp.size).toBe(3);
    expect(verdicts(running, 'nat-b', 'DOWN')).toEqual([]);

    // Egress works again, now through nat-b, once the move reaches the data path.
    await until(
      () => fwd.path().via === NAT_B && fwd.path().state === 'open',
      5_000,
      'the data path on nat-b',
    );
    expect(await get(`${fwd.url}/health`)).toMatchObject({ status: 200 });
    expect(fwd.forwarded()[NAT_B]).toBeGreaterThan(0);
    await until(
      () => verdicts(running, '@egress', 'UP').some((e) => e.at > moveAt),
      10_000,
      'egress UP again from private-a',
    );
    expect(Date.now() - hungAt).toBeLessThan(20_000);
  });

  it('refuses connections while the NAT node is killed, and stops refusing after the failover', async () => {
    const running = await start({ config: CONFIG, topology: TOPOLOGY });
    await steady(running);
    const fwd = forwarder(running);
    await running.stack.nodes.node(NAT_A).kill();
    await until(() => fwd.path().state === 'closed', 1_000, 'the path closed');
    await sleep(50);
    expect(await get(`${fwd.url}/health`)).toEqual({ error: 'ECONNREFUSED' });
    await until(() => snsEvents(running, 'failover-succeeded').length === 1, 20_000, 'the failover');
    await until(() => fwd.path().via === NAT_B, 5_000, 'the data path on nat-b');
    let last: { status?: number; error?: string } = {};
    await until(
      () => last.status === 200,
      5_000,
      'egress through nat-b',
      async () => {
        last = await get(`${fwd.url}/health`);
      },
    );
  });

  it('does not fail over on a rate-limited check URL: an HTTP 429 from the outside counts as reachable', async () => {
    const running = await start({ config: CONFIG, topology: TOPOLOGY });
    await steady(running);
    const fwd = forwarder(running);
    const outside = running.stack.egress!.outside;
    outside.answer(429);
    expect(await get(`${fwd.url}/health`)).toMatchObject({ status: 429 });
    const before = outside.requests()['/health'] ?? 0;
    // fall is 2 at 1 s: four probe rounds would have failed it several times over.
    await sleep(4_000);
    expect((outside.requests()['/health'] ?? 0) - before).toBeGreaterThanOrEqual(3);
    expect(verdicts(running, '@egress', 'DOWN')).toEqual([]);
    expect(okCalls(running)).toEqual([]);
    expect(
      snsEvents(running, 'failover-succeeded').filter((e) => e.message.subject?.includes('failed over')),
    ).toEqual([]);
    expect(running.stack.cloud.world.routeTableOfSubnet(PRIVATE_A)).toBe('rtb-0c1b2c3d4e5f6000a');
  });
});
