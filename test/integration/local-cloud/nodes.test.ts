import { afterEach, describe, expect, it } from 'vitest';
import { type NodeServer, startNodeServer } from '../../../local/nodes/index';
import { delay } from './fixtures';
import { get } from './http-get';

describe('node servers', () => {
  let node: NodeServer;
  afterEach(() => node.close());

  it('answers health checks and requests with its name', async () => {
    node = await startNodeServer({ name: 'lb-a', instanceId: 'i-0a1b2c3d4e5f60001' });
    expect(node.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await get(`${node.url}/healthz`)).toMatchObject({ status: 200, body: 'ok lb-a' });
    expect(await get(`${node.url}/`)).toMatchObject({
      status: 200,
      body: 'hello from lb-a',
      headers: { 'x-instance-id': 'i-0a1b2c3d4e5f60001' },
    });
    expect(node.status()).toBe('up');
    expect(node.served()).toBe(2);
  });

  it('refuses connections when killed and serves again on the same port when revived', async () => {
    node = await startNodeServer({ name: 'lb-a' });
    await node.kill();
    expect(node.status()).toBe('down');
    expect(await get(`${node.url}/healthz`)).toEqual({ error: 'ECONNREFUSED' });
    await node.revive();
    expect(await get(`${node.url}/healthz`)).toMatchObject({ status: 200 });
  });

  it('accepts but never answers while hung, and answers held requests when revived', async () => {
    node = await startNodeServer({ name: 'lb-a' });
    node.hang();
    expect(await get(`${node.url}/healthz`, 150)).toEqual({ error: 'timeout' });
    const held = get(`${node.url}/`, 2000);
    await delay(100);
    await node.revive();
    expect(await held).toMatchObject({ status: 200, body: 'hello from lb-a' });
  });

  it('fails health checks while sick but still serves traffic', async () => {
    node = await startNodeServer({ name: 'lb-a' });
    node.sick();
    expect(await get(`${node.url}/healthz`)).toMatchObject({ status: 503, body: 'unhealthy lb-a' });
    expect(await get(`${node.url}/`)).toMatchObject({ status: 200 });
    await node.revive();
    expect(await get(`${node.url}/healthz`)).toMatchObject({ status: 200 });
  });

  it('drops open connections when killed', async () => {
    node = await startNodeServer({ name: 'lb-a' });
    node.hang();
    const pending = get(`${node.url}/`, 2000);
    await delay(50);
    await node.kill();
    expect(await pending).toEqual({ error: 'ECONNRESET' });
  });
});
