import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type ClientProbe, startClientProbe } from '../../local/nodes/index';
import { type LocalStack, startStack } from '../../local/stack';
import { StackWatcher } from '../../local/watch';
import { findNginx, freePort, type Nginx, nginxNode } from '../helpers/nginx';
import { until } from './stack-helpers';

/**
 * Bring your own nodes: two nginx processes (each with its own prefix, config and port on
 * 127.0.0.2 / 127.0.0.3) are the pair; the topology marks them external, so the local cloud
 * starts no node server, probes them where they are and the front proxy forwards to them.
 */
const NGINX = findNginx();
const CONFIG = 'test/e2e/fixtures/own-nodes.arbiter.yml';
if (!NGINX) {
  console.warn(
    'own-nodes e2e skipped: no nginx binary (apt-get install nginx; .ci/run installs it when it can)',
  );
}

describe.skipIf(!NGINX)('your own nginx as the nodes', () => {
  let dir: string;
  let stack: LocalStack;
  let watcher: StackWatcher;
  let client: ClientProbe;
  const nginx: Nginx[] = [];

  const holder = () => {
    const id = stack.cloud.dataPath.holderOfPublicIp('203.0.113.10')?.instanceId;
    return stack.config.groups[0]!.nodes.find((n) => n.instanceId === id)?.id;
  };
  const servedBy = (instanceId: string, after: number) =>
    client.samples().some((s) => s.at > after && s.ok && s.servedBy === instanceId);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ha-arbiter-nginx-'));
    const hosts = ['127.0.0.2', '127.0.0.3'];
    for (const [i, host] of hosts.entries()) {
      const node = nginxNode(NGINX!, `lb-${i + 1}`, host, await freePort(host), join(dir, `lb-${i + 1}`));
      await node.start();
      nginx.push(node);
    }
    const topology = parse(readFileSync('local/examples/demo.topology.yml', 'utf8')) as {
      instances: Array<Record<string, unknown>>;
    };
    topology.instances.forEach((instance, i) => {
      instance.external = true;
      instance.endpoint = nginx[i]!.endpoint;
    });
    const topologyPath = join(dir, 'topology.yml');
    writeFileSync(topologyPath, stringify(topology));
    stack = await startStack({ configPath: CONFIG, topologyPath, workDir: join(dir, 'stack') });
    watcher = new StackWatcher(stack);
    await stack.runtime.start();
    client = startClientProbe({ url: `${stack.proxy!.url}/`, intervalMs: 50, timeoutMs: 800 });
    const ups = () =>
      new Set(
        watcher.events
          .flatMap((e) => (e.kind === 'verdict' && e.status === 'UP' ? [e] : []))
          .map((e) => e.node + e.vantage),
      ).size;
    await until(() => ups() >= 4, 60_000, 'both nginx UP from both vantages');
  }, 90_000);

  afterAll(async () => {
    await client?.stop();
    watcher?.stop();
    await stack?.stop();
    for (const n of nginx) await n.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts no node server for them and probes and serves them where they listen', async () => {
    expect(stack.nodes.all()).toEqual([]);
    const effective = parse(readFileSync(stack.configPath, 'utf8')) as {
      groups: Array<{ nodes: Array<{ address: string; port: number }> }>;
    };
    expect(effective.groups[0]!.nodes.map((n) => `${n.address}:${n.port}`)).toEqual(
      nginx.map((n) => n.endpoint),
    );
    expect(holder()).toBe('lb-1');
    const answer = await fetch(`${stack.proxy!.url}/`);
    expect(answer.headers.get('x-served-by')).toBe('i-0de00000000000001');
    expect(await answer.text()).toBe('hello from nginx lb-1\n');
  });

  it('fails over when the holder nginx quits (kill -QUIT)', async () => {
    const at = Date.now();
    nginx[0]!.signal('SIGQUIT');
    await nginx[0]!.exited();
    await until(
      () => holder() === 'lb-2' && servedBy('i-0de00000000000002', at),
      30_000,
      'the address on lb-2',
    );
    const moved = stack.cloud.audit().filter((a) => a.action === 'AssociateAddress' && a.outcome === 'ok');
    expect(moved).toHaveLength(1);
  }, 40_000);

  it('fails back over when the new holder is frozen (SIGSTOP), then thaws it', async () => {
    await nginx[0]!.start();
    const back = Date.now();
    await until(
      () =>
        watcher.events.filter(
          (e) => e.kind === 'verdict' && e.node === 'lb-1' && e.status === 'UP' && e.at > back,
        ).length >= 2,
      30_000,
      'lb-1 UP again from both vantages',
    );
    const at = Date.now();
    nginx[1]!.signal('SIGSTOP');
    try {
      await until(
        () => holder() === 'lb-1' && servedBy('i-0de00000000000001', at),
        30_000,
        'the address back on lb-1',
      );
      const hung = watcher.events.find(
        (e) => e.kind === 'verdict' && e.node === 'lb-2' && e.status === 'DOWN' && e.at > at,
      );
      expect(hung).toBeDefined();
    } finally {
      nginx[1]!.signal('SIGCONT');
    }
  }, 70_000);
});
