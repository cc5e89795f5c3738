import '../scripts/require-node';
import { defineCli, parseCliOrExit, runMain, UsageError, usageText } from '../scripts/cli-args';
import { EventType } from '../shared/domain/constants';
import { longestOutage, startClientProbe } from './nodes/index';
import { startStack } from './stack';
import { StackWatcher, type WatchEvent } from './watch';

/**
 * `npm run demo`: a real failover on the local cloud. Starts the EC2/SNS emulators, dynalite,
 * two load-balancer nodes, a front proxy standing in for the Elastic IP, and the Lambda
 * handlers (two probers, the arbiter, the failover function). Kills the active node, narrates
 * what happens, shows the alert, then revives the node (the address stays: sticky) and fails
 * back by hand through the same handler `serverless invoke -f failover` runs.
 */
const CLI = defineCli({
  command: 'npm run demo --',
  summary: [
    'A real failover on the local cloud, narrated: kills the active load balancer, shows detection,',
    'the move and the alert, revives it (the address stays: sticky) and fails back by hand. About 40 s.',
  ].join('\n'),
  flags: {
    json: { type: 'boolean', default: false, help: 'print only a JSON summary at the end' },
    config: { type: 'string', default: 'local/examples/demo.arbiter.yml', value: 'FILE', help: 'the config' },
    topology: {
      type: 'string',
      default: 'local/examples/demo.topology.yml',
      value: 'FILE',
      help: 'the local world',
    },
    'describe-latency': {
      type: 'string',
      default: '100',
      value: 'MS',
      help: 'injected latency of every EC2 Describe call',
    },
    'mutate-latency': {
      type: 'string',
      default: '300',
      value: 'MS',
      help: 'injected latency of every mutating EC2 call',
    },
    'propagation-ms': {
      type: 'string',
      default: '500',
      value: 'MS',
      help: 'time until traffic follows a move',
    },
    'keep-logs': {
      type: 'boolean',
      default: false,
      help: 'keep the function logs (a temp folder) after the run',
    },
  },
  examples: ['npm run demo', 'npm run demo -- --json', 'npm run demo -- --mutate-latency 1500 --keep-logs'],
});
const { values } = parseCliOrExit(CLI);

const t0 = Date.now();
const quiet = values.json;
const say = (text: string) => {
  if (!quiet) console.log(text);
};
const stamp = (at: number) => `[${((at - t0) / 1000).toFixed(1).padStart(5)}s]`;
const line = (at: number, text: string) => say(`${stamp(at)} ${text}`);

function describe(e: WatchEvent): string | undefined {
  switch (e.kind) {
    case 'verdict':
      return `${e.vantage} says ${e.node} ${e.status}${e.error ? `: ${e.error}` : ''} (${e.count} in a row)`;
    case 'lease':
      return e.owner
        ? `lease of ${e.group} taken by ${e.owner.slice(0, 20)} (epoch ${e.epoch})`
        : `lease of ${e.group} released`;
    case 'recorded':
      return `move recorded in DynamoDB: ${e.group} active = ${e.active} (epoch ${e.epoch})`;
    case 'ec2': {
      const p = e.entry.params;
      const detail =
        e.entry.action === 'AssociateAddress'
          ? `${p.AllocationId} -> ${p.NetworkInterfaceId}`
          : Object.entries(p)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ');
      return `EC2 ${e.entry.action} ${detail} by ${e.entry.caller}: ${e.entry.outcome}${e.entry.errorCode ? ` ${e.entry.errorCode}` : ''}`;
    }
    case 'sns':
      return `SNS alert published: "${e.message.subject}"`;
  }
}

async function main() {
  const describeMs = milliseconds('describe-latency');
  const mutateMs = milliseconds('mutate-latency');
  const propagationDelayMs = milliseconds('propagation-ms');
  const stack = await startStack({
    configPath: values.config,
    topologyPath: values.topology,
    faults: { latencyMs: { describe: describeMs, mutating: mutateMs }, propagationDelayMs },
    keepWorkDir: values['keep-logs'],
  });
  const watcher = new StackWatcher(stack);
  const group = stack.config.groups[0]!;
  const [primary, standby] = [...group.nodes].sort((a, b) => b.priority - a.priority);
  const eip = group.resources.find((r) => r.kind === 'elastic-ip');
  const publicIp = eip?.kind === 'elastic-ip' ? (eip.publicIp ?? eip.allocationId) : 'the address';
  const nodeOf = (instanceId: string | undefined) =>
    group.nodes.find((n) => n.instanceId === instanceId)?.id ?? instanceId;
  const notifications: string[] = [];
  let narrate = false;
  watcher.on((e) => {
    if (e.kind === 'sns') notifications.push(e.message.subject ?? '');
    if (!narrate) return;
    const text = describe(e);
    if (text) line(e.at, text);
  });

  say('ha-arbiter demo: one Elastic IP on two load balancers, probed from two vantage points');
  say(
    `  group ${group.id}: ${group.nodes.map((n) => `${n.id} (priority ${n.priority})`).join(', ')}; address ${publicIp}`,
  );
  say(
    `  policy: probe every ${group.policy.intervalSeconds} s, timeout ${group.policy.timeoutMs} ms, fall ${group.policy.fall}, quorum ${group.policy.quorum} of ${group.vantages.length}`,
  );
  say(
    `  local cloud: EC2 ${stack.cloud.ec2Endpoint}  SNS ${stack.cloud.snsEndpoint}  DynamoDB ${stack.dynamo.endpoint}`,
  );
  say(
    `  injected EC2 latency: describe ${describeMs} ms, mutating ${mutateMs} ms; propagation delay ${propagationDelayMs} ms`,
  );
  say(`  clients reach ${publicIp} through the front proxy ${stack.proxy?.url}`);
  say('');

  await stack.runtime.start();
  const client = startClientProbe({ url: `${stack.proxy!.url}/`, intervalMs: 50, timeoutMs: 1000 });
  const wanted = group.vantages.length * group.nodes.length;
  const waitStart = Date.now();
  line(
    waitStart,
    `waiting for every prober to see every node UP (${wanted} verdicts; each prober starts cold, then needs rise ${group.policy.rise} probes)...`,
  );
  const ups = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    // Progress while nothing else is printed: a cold start of each prober takes seconds.
    const ticker = setInterval(() => {
      line(
        Date.now(),
        `  ... ${ups.size}/${wanted} UP after ${((Date.now() - waitStart) / 1000).toFixed(0)} s`,
      );
    }, 3000);
    const timer = setTimeout(() => {
      clearInterval(ticker);
      reject(new Error(`nodes did not come UP within 30 s (${ups.size}/${wanted} UP verdicts)`));
    }, 30_000);
    const check = (e: WatchEvent) => {
      if (e.kind === 'verdict' && e.status === 'UP' && !ups.has(`${e.vantage}/${e.node}`)) {
        ups.add(`${e.vantage}/${e.node}`);
        line(e.at, `  ${e.vantage} sees ${e.node} UP (${ups.size}/${wanted})`);
      }
      if (ups.size >= wanted) {
        clearTimeout(timer);
        clearInterval(ticker);
        resolve();
      }
    };
    for (const e of watcher.events) check(e);
    watcher.on(check);
  });
  const holder = () => nodeOf(stack.cloud.dataPath.holderOfPublicIp(String(publicIp))?.instanceId);
  // The arbiter's first look records who holds the address (and says so once); fail nothing
  // before that, so the timeline below starts from a group the arbiter is already watching.
  line(Date.now(), "waiting for the arbiter's first look (it records who holds the address)...");
  const watching = await watcher.waitFor(
    (e): e is Extract<WatchEvent, { kind: 'sns' }> =>
      e.kind === 'sns' && e.message.attributes.event?.value === EventType.PLACEMENT_RECORDED,
    30_000,
  );
  line(watching.at, `arbiter watching: "${watching.message.subject}"`);
  line(Date.now(), `steady: every vantage sees every node UP; ${publicIp} -> ${holder()}; client traffic ok`);
  await sleep(1500);

  narrate = true;
  const killAt = Date.now();
  say('');
  line(killAt, `>>> killing ${primary!.id} (its server stops listening: connection refused)`);
  await stack.nodes.node(primary!.instanceId).kill();
  const moved = await watcher.waitFor(
    (e): e is Extract<WatchEvent, { kind: 'sns' }> =>
      e.kind === 'sns' && e.message.attributes.event?.value === 'failover-succeeded',
    30_000,
    killAt,
  );
  const downs = watcher.events.filter(
    (e): e is Extract<WatchEvent, { kind: 'verdict' }> =>
      e.kind === 'verdict' && e.node === primary!.id && e.status === 'DOWN' && e.at >= killAt,
  );
  const quorumAt = downs[group.policy.quorum - 1]?.at ?? moved.at;
  // Wait until the client is served by the standby again.
  const servedAgain = await waitUntil(() => {
    const after = client.samples().filter((s) => s.at > killAt && s.ok);
    return after.find((s) => s.servedBy === standby!.instanceId);
  }, 15_000);
  line(
    servedAgain.at,
    `client: answers again, now from ${nodeOf(servedAgain.servedBy)} (data path switched)`,
  );
  const outage = longestOutage(client.samples().filter((s) => s.at >= killAt - 100));
  say('');
  say('--- the alert, as it reaches email (SNS) ---');
  say(`Subject: ${moved.message.subject}`);
  say(moved.message.message.replace(/^/gm, '  '));
  say('--- end of alert ---');
  say('');

  const reviveAt = Date.now();
  line(reviveAt, `>>> reviving ${primary!.id}`);
  await stack.nodes.node(primary!.instanceId).revive();
  await watcher.waitFor(
    (e): e is WatchEvent => e.kind === 'verdict' && e.node === primary!.id && e.status === 'UP',
    20_000,
    reviveAt,
  );
  await sleep(3000);
  const stickyHolder = holder();
  const sticky = stickyHolder === standby!.id;
  line(
    Date.now(),
    `${primary!.id} is healthy again; ${publicIp} stays on ${stickyHolder} (${sticky ? 'sticky: failback is manual' : 'NOT sticky'})`,
  );

  say('');
  const payload = { group: group.id, to: primary!.id, reason: `demo: ${primary!.id} repaired` };
  line(
    Date.now(),
    `>>> manual failback, as \`npx serverless invoke -f failover --data '${JSON.stringify(payload)}'\``,
  );
  const failbackStart = Date.now();
  const result = (await stack.runtime.invoke('failover', payload)) as Record<string, unknown>;
  const failbackMs = Date.now() - failbackStart;
  await sleep(propagationDelayMs + 300);
  narrate = false;
  const finalHolder = holder();
  // The first call of the failover function starts its container (a new worker loading the
  // handler), as a first `serverless invoke` on AWS would: say how much of the wait that was.
  const timings = (result?.timings ?? {}) as { totalMs?: number; moveMs?: number };
  const handlerMs = timings.totalMs ?? failbackMs;
  const coldMs = Math.max(0, failbackMs - handlerMs);
  const moveMs = timings.moveMs ?? handlerMs;
  line(
    Date.now(),
    `failover function returned in ${failbackMs} ms: cold start ${coldMs} ms (first call: container + handler load), handler ${handlerMs} ms, of which the move ${moveMs} ms; ${publicIp} -> ${finalHolder}`,
  );
  const outcome = (result?.outcome as string | undefined) ?? JSON.stringify(result).slice(0, 200);
  say(`  result: ${outcome}`);

  const samples = await client.stop();
  watcher.stop();
  const summary = {
    failedOver: true,
    from: primary!.id,
    to: standby!.id,
    detectMs: quorumAt - killAt,
    failoverMs: moved.at - killAt,
    outageMs: outage?.durationMs ?? 0,
    sticky,
    failback: {
      to: finalHolder,
      ms: failbackMs,
      coldStartMs: coldMs,
      handlerMs,
      moveMs,
      ok: finalHolder === primary!.id,
    },
    notifications: notifications.length,
    notificationSubjects: notifications,
    clientRequests: samples.length,
    associateAddressCalls: stack.cloud
      .audit()
      .filter((a) => a.action === 'AssociateAddress' && a.outcome === 'ok').length,
    wallMs: Date.now() - t0,
  };
  say('');
  say('Summary');
  say(`  failed over:        ${summary.from} -> ${summary.to}`);
  say(
    `  detection:          ${(summary.detectMs / 1000).toFixed(2)} s (kill -> DOWN from ${group.policy.quorum} vantages)`,
  );
  say(
    `  failover:           ${(summary.failoverMs / 1000).toFixed(2)} s (kill -> address moved, verified, recorded, alert sent)`,
  );
  say(
    `  client outage:      ${(summary.outageMs / 1000).toFixed(2)} s (longest run of failed requests through ${publicIp})`,
  );
  say(
    `  sticky:             ${sticky ? 'yes' : 'NO'}; manual failback ${summary.failback.ok ? 'done' : 'FAILED'}: move ${moveMs} ms (lease -> verified, recorded), ${failbackMs} ms with the function's cold start`,
  );
  say(`  notifications:      ${summary.notifications}`);
  for (const s of notifications) say(`    - ${s}`);
  if (values['keep-logs']) say(`  function logs:      ${stack.workDir}/logs`);
  await stack.stop();
  if (values.json) console.log(JSON.stringify(summary));
  const ok = summary.sticky && summary.failback.ok;
  process.exitCode = ok ? 0 : 1;
}

/** A millisecond flag as a number, or a usage error naming the flag. */
function milliseconds(flag: 'describe-latency' | 'mutate-latency' | 'propagation-ms'): number {
  const n = Number(values[flag]);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag} must be milliseconds >= 0, got ${JSON.stringify(values[flag])}`);
  return n;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil<T>(fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

runMain(
  'demo',
  async () => {
    await main();
    return undefined;
  },
  usageText(CLI),
);
