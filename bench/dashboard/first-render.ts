/**
 * Time to a usable live board in Debian's Chromium: from navigation to /board (session cookie set, so no sign-in
 * form) until the counters show every device in scope and the virtualised table has drawn rows. The first load
 * has an empty cache (cold); the next ones reuse the cached hashed assets (warm), as a returning inspector would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export async function firstRender(base: string, cookie: string, devices: number, warmRuns = 2): Promise<{ coldMs: number; warmMs: number[] }> {
  const profile = await mkdtemp(join(tmpdir(), 'tw-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
  });
  try {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Strict' }]);
    const page = context.pages()[0] ?? (await context.newPage());
    const once = async () => {
      const t0 = Date.now();
      await page.goto(`${base}/board`, { waitUntil: 'commit' });
      await page.waitForFunction(
        (n) => document.querySelector('[data-counter="total"] .value')?.textContent?.trim() === String(n) && document.querySelectorAll('.el-table-v2__row').length > 0,
        devices,
        { timeout: 60_000, polling: 'raf' },
      );
      return Date.now() - t0;
    };
    const coldMs = await once();
    const warmMs: number[] = [];
    for (let i = 0; i < warmRuns; i++) warmMs.push(await once());
    return { coldMs, warmMs };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
