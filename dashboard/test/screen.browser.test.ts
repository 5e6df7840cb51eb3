import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { signIn } from './browser/session.js';
import { startStack, type Stack } from './browser/stack.js';

/**
 * 数据大屏 in Chromium: the 1920×1080 stage fills a full-HD window and scales down into a 1366×768 one, with no
 * scrollbar in either; its figures come from GET /api/v1/screen in the inspector's scope.
 */
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  const t = Date.now() - 3_600_000;
  const alarm = (id: string, unit: string, type: string, severity: string, title: string, at: number, status = 'open') =>
    stack.registry.db.query(
      `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, title, first_seen_at, last_seen_at, acknowledged_at, arrived_at, condition_cleared_at)
       VALUES ('device', $1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10)`,
      [id, unit, type, severity, status, title, new Date(at), status === 'open' ? null : new Date(at + 120_000), status === 'open' ? null : new Date(at + 900_000), status === 'open' ? null : new Date(at + 1_500_000)],
    );
  await alarm('EL-1', 'U1', 'fault:11', 'critical', '困人', t);
  await alarm('EL-2', 'U2', 'fault:11', 'critical', '困人', t - 86_400_000, 'acknowledged');
  await alarm('BL-1', 'U1', 'overpressure', 'critical', '超压', t + 60_000);
  await alarm('EL-3', 'U3', 'door_held_open', 'minor', '长时间开门（他区）', t + 120_000);
  browser = await launch({ width: 1920, height: 1080 });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The page scrolls in neither direction, and the stage lies inside the window. */
async function fits(page: Page): Promise<{ scrolls: boolean; inside: boolean; scale: number }> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; scrollHeight: number }; querySelector(s: string): { getBoundingClientRect(): { left: number; top: number; right: number; bottom: number; width: number } } | null } }).document;
    const win = globalThis as unknown as { innerWidth: number; innerHeight: number };
    const r = doc.querySelector('[data-test=screen]')!.getBoundingClientRect();
    return {
      scrolls: doc.documentElement.scrollWidth > win.innerWidth || doc.documentElement.scrollHeight > win.innerHeight,
      inside: r.left >= -0.5 && r.top >= -0.5 && r.right <= win.innerWidth + 0.5 && r.bottom <= win.innerHeight + 0.5,
      scale: r.width / 1920,
    };
  });
}

describe('big screen in Chromium', () => {
  it('renders the district’s figures at 1920×1080 and at 1366×768 with no scrollbars', async () => {
    const page = await browser.page();
    await signIn(page, stack.base, 'insp1');
    await page.goto(`${stack.base}/screen`);
    const ticker = page.locator('[data-test=screen-ticker] li');
    await expect.poll(() => ticker.count(), { timeout: 15_000 }).toBe(3);
    // D1's alarms only: the other district's is not on this screen
    expect(await page.locator('[data-test=screen-ticker]').innerText()).not.toContain('他区');
    expect(await page.locator('[data-test=screen-kpi] .activeAlarms .value').innerText()).toBe('3');
    expect(await page.locator('[data-test=screen-map] g').count()).toBe(2);
    expect(await page.locator('[data-test=screen-map]').textContent()).toContain('东一网格');
    expect(await page.locator('[data-test=screen-asof]').innerText()).toMatch(/数据时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await page.locator('[data-test=screen-camera]').getAttribute('data-camera')).toBe('CAM-1');
    expect(await fits(page)).toEqual({ scrolls: false, inside: true, scale: 1 });
    expect(await unresolved(page)).toEqual([]);
    await shot(page, 'screen');
    await page.setViewportSize({ width: 1366, height: 768 });
    await expect.poll(async () => (await fits(page)).scale).toBeCloseTo(768 / 1080, 3);
    expect(await fits(page)).toMatchObject({ scrolls: false, inside: true });
    expect(browser.problems).toEqual([]);
  });
});
