import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PageSnapshot } from '../../local/page/snapshot';
import { instanceOf, stackPerTest, until } from './stack-helpers';

/** Debian's chromium, headless, with nothing that would reach beyond 127.0.0.1. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = resolve('test-output/page.png');
const UP_WITHIN_MS = 90_000;

describe('The local page in a browser', () => {
  const start = stackPerTest();

  it('shows the holder of each group, the verdicts of every vantage, and the new holder after a failover', async () => {
    const running = await start({ upWithinMs: UP_WITHIN_MS });
    const api = (await (await fetch(`${running.stack.page.url}api/state`)).json()) as PageSnapshot;
    expect(api.groups.map((g) => [g.group, g.holder])).toEqual([['web-lb', 'lb-1']]);

    const profile = mkdtempSync(join(tmpdir(), 'ha-arbiter-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(running.stack.page.url);
      const holder = page.locator('[data-group="web-lb"] .holder');
      await expect.poll(() => holder.textContent(), { timeout: 20_000 }).toBe('lb-1');
      // Both vantages' verdicts on both nodes are drawn.
      await expect
        .poll(() => page.locator('[data-group="web-lb"] td.verdict.UP').count(), { timeout: 20_000 })
        .toBe(4);

      await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
      await until(() => running.holder() === 'lb-2', 60_000, 'the EIP on lb-2');
      await expect.poll(() => holder.textContent(), { timeout: 20_000 }).toBe('lb-2');
      // The move's call; a readiness DryRun of the way back may come after it.
      await expect
        .poll(
          () => page.locator('#timeline .event.ec2', { hasText: 'AssociateAddress by arbiter: ok' }).count(),
          {
            timeout: 20_000,
          },
        )
        .toBeGreaterThan(0);
      await expect
        .poll(() => page.locator('[data-group="web-lb"] td.verdict.DOWN').count(), { timeout: 20_000 })
        .toBe(2);

      mkdirSync(resolve('test-output'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`local page screenshot: ${SCREENSHOT}`);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 240_000);
});
