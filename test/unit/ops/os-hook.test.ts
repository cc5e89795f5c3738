import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ssmSender } from '../../../shared/adapters/aws/ssm-sender';
import type { GroupConfig } from '../../../shared/config/schema';
import { EventType } from '../../../shared/domain/constants';
import { ConfigError, LeaseLostError } from '../../../shared/domain/errors';
import type { CommandSender } from '../../../shared/ports/command-sender';
import { createAfterMove } from '../../../shared/usecases/after-move';
import { hookParameters, runOsHook } from '../../../shared/usecases/os-hook';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { makeConfig, makeGroup } from '../../helpers/config';
import { opsHarness } from './harness';

const ssmMock = mockClient(SSMClient);
afterEach(() => ssmMock.reset());

const SHELL_HOOK = {
  configure: 'ip addr add {ip}/24 dev eth0 # {node}',
  unconfigure: 'ip addr del {ip}/24 dev eth0',
};

function withVip(
  group: { resources: Record<string, unknown>[]; [k: string]: unknown },
  osHook: unknown = SHELL_HOOK,
) {
  group.resources.push({ kind: 'secondary-ip', ip: '10.0.1.100' });
  group.osHook = osHook;
}

function recordingSender(
  fail?: (node: string) => boolean,
): CommandSender & { sent: Parameters<CommandSender['send']>[0][] } {
  const sent: Parameters<CommandSender['send']>[0][] = [];
  return {
    sent,
    async send(input) {
      if (fail?.(input.instanceId)) throw new Error('InvalidInstanceId: instance not managed by SSM');
      sent.push(input);
      return `cmd-${sent.length}`;
    },
  };
}

describe('OS hook config', () => {
  it('defaults to AWS-RunShellScript with a 60 s timeout', () => {
    const group = makeGroup({}, (g) => withVip(g));
    expect(group.osHook).toEqual({ document: 'AWS-RunShellScript', timeoutSeconds: 60, ...SHELL_HOOK });
  });

  it('requires a configure command with AWS-RunShellScript, naming the field', () => {
    expect(() => makeConfig((raw) => withVip(raw.groups[0]!, { unconfigure: 'true' }))).toThrow(ConfigError);
    expect(() => makeConfig((raw) => withVip(raw.groups[0]!, { unconfigure: 'true' }))).toThrow(
      /groups\[0\]\.osHook\.configure = missing: is required with document AWS-RunShellScript/,
    );
  });

  it('rejects unknown keys in osHook', () => {
    expect(() => makeConfig((raw) => withVip(raw.groups[0]!, { ...SHELL_HOOK, comand: 'x' }))).toThrow(
      /comand: unknown key/,
    );
  });
});

describe('hookParameters', () => {
  const hook = { document: 'AWS-RunShellScript', timeoutSeconds: 60, ...SHELL_HOOK };

  it('fills {ip} and {node} into the shell command', () => {
    expect(hookParameters(hook, 'configure', '10.0.1.100', 'lb-2')).toEqual({
      commands: ['ip addr add 10.0.1.100/24 dev eth0 # lb-2'],
    });
  });

  it('has nothing to run for unconfigure without a command', () => {
    expect(
      hookParameters({ ...hook, unconfigure: undefined }, 'unconfigure', '10.0.1.100', 'lb-1'),
    ).toBeUndefined();
  });

  it('passes action, ip and node to a custom document', () => {
    expect(
      hookParameters({ document: 'Acme-Vip', timeoutSeconds: 60 }, 'unconfigure', '10.0.1.100', 'lb-1'),
    ).toEqual({
      action: ['unconfigure'],
      ip: ['10.0.1.100'],
      node: ['lb-1'],
    });
  });
});

describe('runOsHook', () => {
  const group: GroupConfig = makeGroup({}, (g) => withVip(g));
  const [lb1, lb2] = group.nodes;

  it('configures the new holder and unconfigures the old one when it still runs', async () => {
    const sender = recordingSender();
    const steps = await runOsHook({ group, to: lb2!, from: lb1!, fromRunning: true, sender });
    expect(sender.sent).toEqual([
      {
        document: 'AWS-RunShellScript',
        instanceId: 'i-02',
        parameters: { commands: ['ip addr add 10.0.1.100/24 dev eth0 # lb-2'] },
        timeoutSeconds: 60,
        comment: 'ha-arbiter web-lb: configure 10.0.1.100 on lb-2',
      },
      {
        document: 'AWS-RunShellScript',
        instanceId: 'i-01',
        parameters: { commands: ['ip addr del 10.0.1.100/24 dev eth0'] },
        timeoutSeconds: 60,
        comment: 'ha-arbiter web-lb: unconfigure 10.0.1.100 on lb-1',
      },
    ]);
    expect(steps.map((s) => [s.node, s.action, s.ok])).toEqual([
      ['lb-2', 'configure', true],
      ['lb-1', 'unconfigure', true],
    ]);
  });

  it('leaves a node that is not running alone', async () => {
    const sender = recordingSender();
    await runOsHook({ group, to: lb2!, from: lb1!, fromRunning: false, sender });
    expect(sender.sent.map((s) => s.instanceId)).toEqual(['i-02']);
  });

  it('reports a failed command without throwing', async () => {
    const sender = recordingSender((id) => id === 'i-02');
    const steps = await runOsHook({ group, to: lb2!, from: lb1!, fromRunning: true, sender });
    expect(steps[0]).toMatchObject({
      node: 'lb-2',
      ok: false,
      detail: 'AWS-RunShellScript failed: InvalidInstanceId: instance not managed by SSM',
    });
    expect(steps[1]).toMatchObject({ node: 'lb-1', ok: true });
  });

  it('does nothing for a group without secondary IPs', async () => {
    const sender = recordingSender();
    const plain = makeGroup({}, (g) => {
      g.osHook = SHELL_HOOK;
    });
    expect(
      await runOsHook({ group: plain, to: plain.nodes[1]!, from: undefined, fromRunning: false, sender }),
    ).toEqual([]);
    expect(sender.sent).toEqual([]);
  });
});

describe('ssmSender', () => {
  it('sends SendCommand with the document, instance, parameters and timeout', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'abc-123' } });
    const ssm = new SSMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const id = await ssmSender(ssm).send({
      document: 'AWS-RunShellScript',
      instanceId: 'i-02',
      parameters: { commands: ['true'] },
      timeoutSeconds: 60,
      comment: 'x'.repeat(150),
    });
    expect(id).toBe('abc-123');
    expect(ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input).toEqual({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: ['i-02'],
      Parameters: { commands: ['true'] },
      TimeoutSeconds: 60,
      Comment: 'x'.repeat(100),
    });
  });
});

describe('OS hook after a secondary-ip move', () => {
  it('runs after the verified move and its outcome is in the failover message', async () => {
    const h = await opsHarness({ edit: (g) => withVip(g), health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const sender = recordingSender((id) => id === 'i-01');
    const deps = { ...h.deps, afterMove: createAfterMove({ sender }) };
    expect(await reconcileGroup(deps, h.group)).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    expect(sender.sent.map((s) => [s.instanceId, s.parameters.commands?.[0]])).toEqual([
      ['i-02', 'ip addr add 10.0.1.100/24 dev eth0 # lb-2'],
    ]);
    const body = h.notifier.of(EventType.FAILOVER_SUCCEEDED)[0]?.body ?? '';
    expect(body).toContain('OS hook configure 10.0.1.100 on lb-2: AWS-RunShellScript command cmd-1 sent');
    expect(body).toContain('OS hook FAILED unconfigure 10.0.1.100 on lb-1');
  });
});

describe('OS hook under the lease', () => {
  it('extends the lease right before the commands go out, as before every EC2 mutation', async () => {
    const h = await opsHarness({ edit: (g) => withVip(g), health: { 'lb-1': 'DOWN', 'lb-2': 'UP' } });
    const lastStoreCall: string[] = [];
    const sender = recordingSender();
    const deps = {
      ...h.deps,
      afterMove: createAfterMove({
        sender: {
          async send(input) {
            lastStoreCall.push(h.store.calls.at(-1) ?? 'none');
            return sender.send(input);
          },
        },
      }),
    };
    expect(await reconcileGroup(deps, h.group)).toMatchObject({ outcome: 'moved', to: 'lb-2' });
    expect(lastStoreCall).toEqual(['extendLease', 'extendLease']);
  });

  it('sends nothing once the lease is lost, and says so in the steps', async () => {
    const group = makeGroup({}, (g) => withVip(g));
    const sender = recordingSender();
    const lost = new LeaseLostError(group.id, 'arbiter-a', 7);
    const steps = await runOsHook({
      group,
      to: group.nodes[1]!,
      from: group.nodes[0]!,
      fromRunning: true,
      sender,
      beforeMutation: async () => {
        throw lost;
      },
    });
    expect(sender.sent).toEqual([]);
    expect(steps.map((s) => [s.node, s.ok, s.detail])).toEqual([
      ['lb-2', false, `not sent: ${lost.message}`],
      ['lb-1', false, `not sent: ${lost.message}`],
    ]);
  });
});
