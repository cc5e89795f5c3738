import { parseArgs } from 'node:util';
import { exampleCommands, exportLines, startStack } from './stack';
import { StackWatcher } from './watch';

/**
 * `npm run local -- --config <file> --topology <file>`: the whole local stack, long-running,
 * for a user's own config. Prints the endpoints and the environment lines that let
 * `npx serverless invoke local --stage local`, `npm run invoke`, the SDK and the AWS CLI talk to it.
 */
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'local/examples/demo.arbiter.yml' },
    topology: { type: 'string', default: 'local/examples/demo.topology.yml' },
    'ec2-port': { type: 'string', default: '4566' },
    'sns-port': { type: 'string', default: '4567' },
    'dynamodb-port': { type: 'string', default: '4568' },
    'proxy-port': { type: 'string', default: '4580' },
    faults: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

async function main() {
  const stack = await startStack({
    configPath: values.config,
    topologyPath: values.topology,
    ports: {
      ec2: Number(values['ec2-port']),
      sns: Number(values['sns-port']),
      dynamodb: Number(values['dynamodb-port']),
      proxy: Number(values['proxy-port']),
    },
    ...(values.faults ? { faults: JSON.parse(values.faults) as never } : {}),
  });
  await stack.runtime.start();
  const envFile = `${stack.workDir}/local.env`;
  const lines = exportLines(stack.env);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(envFile, `${lines.join('\n')}\n`);
  console.log('ha-arbiter local stack is running (Ctrl-C to stop)');
  console.log(
    `  EC2      ${stack.cloud.ec2Endpoint}   (fault injection: POST ${stack.cloud.ec2Endpoint}/_local/faults)`,
  );
  console.log(
    `  SNS      ${stack.cloud.snsEndpoint}   (published: GET ${stack.cloud.snsEndpoint}/_local/published)`,
  );
  console.log(`  DynamoDB ${stack.dynamo.endpoint}   table ${stack.dynamo.tableName}`);
  if (stack.proxy) console.log(`  address  ${stack.proxy.url}   (front proxy for the Elastic IP)`);
  for (const n of stack.nodes.all()) console.log(`  node     ${n.name} (${n.instanceId}) at ${n.url}`);
  console.log(`  page     ${stack.page.url}   (holders, verdicts, readiness, timeline)`);
  console.log(`  logs     ${stack.workDir}/logs`);
  console.log('');
  console.log(`Environment (in another shell: source ${envFile}):`);
  for (const l of lines) console.log(`  ${l}`);
  console.log('');
  console.log('Then, in that shell and in this directory (`--stage local` takes TABLE_NAME, TOPIC_ARN and');
  console.log('CONFIG_PATH from it; payloads: docs/runbook.md):');
  for (const c of exampleCommands(stack)) console.log(`  ${c}`);
  console.log('');
  if (!values.quiet) {
    const watcher = new StackWatcher(stack);
    watcher.on((e) => {
      const at = new Date(e.at).toISOString().slice(11, 23);
      if (e.kind === 'verdict')
        console.log(`${at} verdict ${e.vantage} ${e.node} ${e.status}${e.error ? ` (${e.error})` : ''}`);
      else if (e.kind === 'ec2')
        console.log(`${at} ec2 ${e.entry.action} by ${e.entry.caller}: ${e.entry.outcome}`);
      else if (e.kind === 'sns') console.log(`${at} sns ${e.message.subject}`);
      else if (e.kind === 'lease')
        console.log(`${at} lease ${e.group} ${e.owner ?? 'released'} epoch ${e.epoch}`);
    });
  }
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`local stack failed to start: ${(error as Error).message}`);
  process.exit(1);
});
