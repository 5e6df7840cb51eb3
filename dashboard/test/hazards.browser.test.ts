import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { signIn } from './browser/session.js';
import { startStack, type Stack } from './browser/stack.js';

/** 隐患台账 in Chromium (zh-CN): the inspector's ledger, filtered, and an evidence bundle downloaded from its row. */
let stack: Stack;
let browser: Browser;
let trapped: number;

beforeAll(async () => {
  stack = await startStack();
  const at = new Date(Date.now() - 2 * 86_400_000);
  const insert = async (id: string, unit: string, type: string, severity: string, title: string) =>
    (await stack.registry.db.query<{ id: number }>(
      `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, title, first_seen_at, last_seen_at) VALUES ('device', $1, $2, $3, $4, $5, $6, $6) RETURNING id::int AS id`,
      [id, unit, type, severity, title, at],
    ))[0]!.id;
  trapped = await insert('EL-1', 'U1', 'fault:11', 'critical', '困人');
  await insert('BL-1', 'U1', 'high_flue_temp', 'minor', '排烟温度过高');
  await insert('EL-3', 'U3', 'fault:11', 'critical', '困人（他区）');
  browser = await launch();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('hazard ledger in Chromium', () => {
  it('lists the inspector’s hazards with deadlines, filters overdue ones and downloads an evidence bundle', async () => {
    const page = await browser.page();
    await signIn(page, stack.base, 'insp1');
    await page.goto(`${stack.base}/hazards`);
    const rows = page.locator('[data-test=hazards] .el-table__body tr');
    await expect.poll(() => rows.count()).toBe(2);
    const text = await page.locator('[data-test=hazards]').innerText();
    expect(text).toContain('排烟温度过高');
    expect(text).not.toContain('他区');
    expect(await rows.first().innerText()).toMatch(/待处理/);
    expect(await page.locator('[data-test=hazards] .el-table__body .el-tag', { hasText: '逾期' }).count()).toBe(1);
    expect(await unresolved(page)).toEqual([]);
    await shot(page, 'hazards');
    // the critical alarm's 24 h deadline has passed, the minor one's 7 days have not
    await page.locator('[data-test=hazards] .el-checkbox', { hasText: '逾期' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-test="evidence-alarm:${trapped}"]`).click()]);
    expect(download.suggestedFilename()).toBe(`evidence-alarm-${trapped}.zip`);
    const zip = await readFile((await download.path())!);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(browser.problems).toEqual([]);
  });
});
