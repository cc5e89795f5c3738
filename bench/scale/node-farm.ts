import { type NodeServer, startNodeServer } from '../../local/nodes/index';

/**
 * Child process of the scale bench: N node servers on 127.0.0.1 (the same servers the local
 * stack uses), in their own process so that serving probes does not slow the prober being
 * measured. Prints the ports as one JSON line; exits when its stdin closes.
 */
async function main() {
  const count = Number(process.argv[2] ?? '10');
  const servers: NodeServer[] = [];
  for (let i = 0; i < count; i += 1) servers.push(await startNodeServer({ name: `n${i}` }));
  process.stdout.write(`${JSON.stringify(servers.map((s) => s.port))}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0));
  });
}

void main();
