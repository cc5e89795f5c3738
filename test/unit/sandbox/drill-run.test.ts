import { describe, expect, it } from 'vitest';
import type { ProbeSample } from '../../../local/nodes/client-probe';
import { type DrillPorts, runDrillOnce, runDrills } from '../../../scripts/sandbox/drill-run';
import { BreakKind, type ReceivedAlert } from '../../../scripts/sandbox/measure';
import { parseConfig } from '../../../shared/config/load';
import type { HistoryEvent, Verdict } from '../../../shared/domain/model';
import type { GroupSnapshot } from '../../../shared/ports/store';

const CONFIG = parseConfig(
  `
version: 1
vantages:
  - { id: az-a, subnet: subnet-0a }
  - { id: az-b, subnet: subnet-0b }
groups:
  - id: web
    check: { type: http, port: 80, path: /healthz }
    nodes:
      - { id: lb-1, instanceId: i-0001, address: 10.0.1.10, eni: eni-0001, priority: 200 }
      - { id: lb-2, instanceId: i-0002, address: 10.0.2.10, eni: eni-0002, priority: 100 }
    resources:
      - { kind: elastic-ip, allocationId: eipalloc-01 }
    policy: { cooldownSeconds: 30 }
`,
  'test',
);
const GROUP = CONFIG.groups[0]!;

/**
 * A fake world on a virtual clock: the arbiter moves the address `moveAfterMs` after a break
 * (history row + alert), the client sees the old holder fail from the break until the move,
 * and a restored node is seen UP by both vantages 2 s later.
 */
function fakeWorld(options: { moveAfterMs?: number; restoreFails?: boolean } = {}) {
  let now = 1_000_000;
  let active = 'lb-1';
  let broken: { node: string; at: number } | undefined;
  // The last break, kept after the restore: the client's past requests do not change.
  let lastBreak: { node: string; at: number } | undefined;
  let restoredAt: Record<string, number> = {};
  let lastFailoverAt: number | undefined;
  const history: HistoryEvent[] = [];
  const queue: ReceivedAlert[] = [];
  const calls: string[] = [];
  const moveAfter = options.moveAfterMs ?? 6000;
  const tick = () => {
    if (broken && !history.some((h) => h.at >= broken!.at) && now >= broken.at + moveAfter) {
      const to = active === 'lb-1' ? 'lb-2' : 'lb-1';
      const at = broken.at + moveAfter;
      history.push({
        group: 'web',
        at,
        event: 'failover-succeeded',
        severity: 'critical',
        summary: `[ha-arbiter] web: failed over ${active} -> ${to} (down)`,
        detail: {
          timeline: [
            { at: at - 1000, what: `${active} DOWN by quorum (down)` },
            { at: at - 300, what: 'AssociateAddress eipalloc-01 -> eni' },
            { at: at - 100, what: 'verified: elastic-ip on lb-2' },
          ],
        },
      });
      queue.push({ event: 'failover-succeeded', subject: 's', publishedAt: at, receivedAt: at + 400 });
      active = to;
      lastFailoverAt = at;
    }
  };
  const verdicts = (): Verdict[] =>
    GROUP.vantages.flatMap(
      (vantage) =>
        GROUP.nodes.map((n) => ({
          group: 'web',
          vantage,
          node: n.id,
          status: broken?.node === n.id ? 'DOWN' : 'UP',
          count: 3,
          since: 0,
          seenAt: restoredAt[n.id] !== undefined && now >= restoredAt[n.id]! + 2000 ? now : 0,
          evidence: [],
        })) as Verdict[],
    );
  const ports: DrillPorts = {
    group: GROUP,
    store: {
      readGroup: async () =>
        ({ state: { active, lastFailoverAt }, verdicts: verdicts() }) as unknown as GroupSnapshot,
      readHistory: async () => [...history].reverse(),
    },
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      tick();
    },
    startClient: () => {
      const start = now;
      const samples = (): ProbeSample[] => {
        const out: ProbeSample[] = [];
        for (let at = start; at <= now; at += 200) {
          const b = lastBreak && lastBreak.at >= start ? lastBreak : undefined;
          const moved = history.find((h) => b && h.at >= b.at);
          const ok = !b || at < b.at || (moved !== undefined && at >= moved.at + 200);
          out.push(
            ok
              ? {
                  at,
                  latencyMs: 3,
                  ok,
                  servedBy: moved && at >= moved.at ? active : (b?.node ?? active),
                }
              : { at, latencyMs: 1, ok, error: 'ECONNREFUSED' },
          );
        }
        return out;
      };
      return { samples, stop: async () => samples() };
    },
    breakNode: async (node, kind) => {
      calls.push(`break ${node} ${kind}`);
      broken = { node, at: now };
      lastBreak = broken;
      return undefined;
    },
    restoreNode: async (node, kind) => {
      calls.push(`restore ${node} ${kind}`);
      if (options.restoreFails) throw new Error('SSM: Undeliverable');
      broken = undefined;
      restoredAt = { ...restoredAt, [node]: now };
    },
    takeAlerts: async () => queue.splice(0),
    say: () => undefined,
  };
  return { ports, calls, now: () => now };
}

const OPTIONS = {
  kind: BreakKind.STOP_NGINX,
  intervalMs: 200,
  moveTimeoutMs: 60_000,
  recoverTimeoutMs: 30_000,
  warmupMs: 1000,
};

describe('runDrillOnce', () => {
  it('breaks the recorded holder, waits for the move and the alert, restores it and sums up', async () => {
    const world = fakeWorld();
    const run = await runDrillOnce(world.ports, OPTIONS);
    expect(world.calls).toEqual(['break lb-1 stop-nginx', 'restore lb-1 stop-nginx']);
    expect(run).toMatchObject({
      outcome: 'moved',
      from: 'lb-1',
      to: 'lb-2',
      detectMs: 5000,
      moveMs: 5700,
      verifiedMs: 5900,
      addressSwitchMs: 200,
      alertLatencyMs: 6400,
      restored: true,
      notes: [],
    });
    expect(run.clientOutageMs).toBe(6200);
  });

  it('measures from when the break took effect, when the port says so (SSM delivery is not detection)', async () => {
    const world = fakeWorld();
    const breakNode = world.ports.breakNode;
    world.ports.breakNode = async (node, kind) => {
      await breakNode(node, kind);
      return world.now() + 1500;
    };
    const run = await runDrillOnce(world.ports, OPTIONS);
    expect(run.detectMs).toBe(5000 - 1500);
    expect(run.verifiedMs).toBe(5900 - 1500);
  });

  it('gives up after the timeout when nothing moves, and still restores the node', async () => {
    const world = fakeWorld({ moveAfterMs: 10 * 60_000 });
    const run = await runDrillOnce(world.ports, { ...OPTIONS, moveTimeoutMs: 20_000 });
    expect(run.outcome).toBe('not-moved');
    expect(run.restored).toBe(true);
    expect(world.calls.at(-1)).toBe('restore lb-1 stop-nginx');
  });

  it('reports a node it could not restore', async () => {
    const run = await runDrillOnce(fakeWorld({ restoreFails: true }).ports, OPTIONS);
    expect(run.restored).toBe(false);
    expect(run.notes).toContain('the broken node was not restored: SSM: Undeliverable');
  });
});

describe('runDrills', () => {
  it('breaks the new holder each time, after the cooldown of the previous move', async () => {
    const world = fakeWorld();
    const runs = await runDrills(world.ports, { ...OPTIONS, count: 3 });
    expect(runs.map((r) => `${r.from}->${r.to}`)).toEqual(['lb-1->lb-2', 'lb-2->lb-1', 'lb-1->lb-2']);
    const breaks = runs.map((r) => Date.parse(r.brokeAt));
    // Each break comes after the previous move plus the 30 s cooldown.
    expect(breaks[1]! - breaks[0]!).toBeGreaterThan(6000 + 30_000);
  });

  it('stops after a run that could not restore its node', async () => {
    const runs = await runDrills(fakeWorld({ restoreFails: true }).ports, { ...OPTIONS, count: 3 });
    expect(runs).toHaveLength(1);
  });
});
