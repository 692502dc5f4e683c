import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWatchedCluster, type WatchedCluster } from '../test-support/watched-cluster';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
// Outside CI a machine without Chromium skips this file; CI installs it (.ci/run), so there a
// missing browser is a failure, never a skipped test.
if (!hasChromium && process.env.CI === 'true') throw new Error(`CI: no Chromium at ${chromiumPath}`);
if (!hasChromium) console.warn(`no Chromium at ${chromiumPath}: the status page browser test is skipped`);

let cluster: WatchedCluster;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  cluster = await startWatchedCluster();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});
afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

describe.skipIf(!hasChromium)('the status page in Chromium', () => {
  it('renders every component and turns a component red when its target stops', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${cluster.health.opsPort}/`);
    const row = (name: string) => page.locator(`tr[data-component="${name}"]`);

    await expect.poll(() => page.locator('#overall').textContent(), { timeout: 5000 }).toBe('serving');
    expect(
      await page
        .locator('#components tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-component'))),
    ).toEqual(['auth', 'postgres', 'redis']);
    expect(await row('auth').getAttribute('class')).toBe('SERVING');
    expect(
      await row('auth')
        .locator('.badge')
        .evaluate((badge) => getComputedStyle(badge).backgroundColor),
    ).toBe('rgb(26, 127, 55)');

    await cluster.auth.shutdown();
    await expect.poll(() => row('auth').getAttribute('class'), { timeout: 8000 }).toBe('NOT_SERVING');
    expect(
      await row('auth')
        .locator('.badge')
        .evaluate((badge) => getComputedStyle(badge).backgroundColor),
    ).toBe('rgb(207, 34, 46)');
    expect(await page.locator('#overall').textContent()).toBe('not serving');
    expect(await row('auth').locator('td.detail').textContent()).toMatch(/^UNAVAILABLE: /);
    await page.screenshot({
      path: `${process.env.STATUS_PAGE_SCREENSHOT ?? '/tmp/gatehouse-status-page.png'}`,
    });
    await page.close();
  });
});
