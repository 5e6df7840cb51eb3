import { readFile, rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '@tianwang/core/testing';
import { PASSWORD } from './helpers/world.js';
import type { Page } from 'playwright-core';
import { localDay } from '../src/live/board-row.js';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { signIn } from './browser/session.js';
import { startStack, type Stack } from './browser/stack.js';

/**
 * 统计分析, 监管周报 and 维保检验日历 in Chromium against the real stack (browser/stack.ts): the KPI cards, charts and
 * table show the figures GET /stats/alarms answers for the same period and scope; the weekly report's SMS link opens
 * on a phone, through the sign-in, and downloads the report; the calendar marks the seeded due days.
 */
let stack: Stack;
let browser: Browser;
let phone: Browser | undefined;
let dataDir: string;
let today: string;
const plus = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dataDir = await tempDir('tw-web-reports');
  stack = await startStack({ env: { TW_DATA_DIR: dataDir } });
  browser = await launch();
  today = localDay('Asia/Shanghai');
  const db = stack.registry.db;
  // ten days of alarms in D1 (EL-1, EL-2) and one in D2 (EL-3, out of insp1's scope); trapped passengers answered in
  // 1, 2, 5 minutes and on site in 20, 40 minutes
  const at = (day: number, min: number) => new Date(Date.now() - day * 86_400_000 + min * 60_000);
  const rows: [string, string, string, string, Date, number | null, number | null, number | null, string][] = [
    ['EL-1', 'U1', 'fault:11', 'critical', at(1, 0), 1, 20, 90, 'resolved'],
    ['EL-1', 'U1', 'fault:11', 'critical', at(2, 0), 2, 40, 120, 'resolved'],
    ['EL-2', 'U2', 'fault:11', 'critical', at(3, 0), 5, null, null, 'false_alarm'],
    ['EL-1', 'U1', 'fault:6', 'major', at(4, 0), 10, null, 600, 'resolved'],
    ['EL-1', 'U1', 'fault:6', 'major', at(5, 0), 30, null, null, 'auto_cleared'],
    ['EL-3', 'U3', 'fault:11', 'critical', at(2, 0), 1, 10, 30, 'resolved'],
  ];
  for (const [subject, unit, type, severity, first, ack, arrived, rect, outcome] of rows) {
    const after = (m: number | null) => (m === null ? null : new Date(first.getTime() + m * 60_000));
    await db.query(
      `INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, status, outcome, title, first_seen_at, last_seen_at, acknowledged_at, arrived_at, rectified_at, closed_at)
       VALUES ('device', $1, $2, $3, $4, 'closed', $5, '困人', $6, $6, $7, $8, $9, $6)`,
      [subject, unit, type, severity, outcome, first, after(ack), after(arrived), after(rect)],
    );
  }
  await db.query(`INSERT INTO notifications (alarm_id, stage, recipient_phone, template, status, provider) SELECT id, 'officer', '+8613800000001', 'alarm', 'delivered', 'aliyun' FROM alarms WHERE subject_id = 'EL-1'`);
  const set = (id: string, last: string | null, valid: string | null) => db.query('UPDATE devices SET last_maintenance_on = $2, inspection_valid_until = $3 WHERE id = $1', [id, last, valid]);
  await set('EL-1', plus(-12), plus(40)); // maintenance due in 3 days (T-7)
  await set('EL-2', plus(-20), plus(-2)); // maintenance and inspection overdue
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await phone?.close();
  await stack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A page of the inspector's (D1), signed in on the board. */
async function inspectorPage(): Promise<Page> {
  const page = await browser.page();
  await signIn(page, stack.base, 'insp1');
  return page;
}

describe('statistics and calendar in Chromium (zh-CN)', () => {
  // every test opens its own pages; a CSP violation or page error fails the test that caused it
  beforeEach(() => {
    browser.problems.length = 0;
  });
  afterEach(async () => {
    for (const p of browser.context.pages()) await p.close();
    expect(browser.problems).toEqual([]);
  });

  it('shows the KPIs, charts and table GET /stats/alarms answers for the inspector\'s scope', async () => {
    const page = await inspectorPage();
    await page.getByRole('menuitem', { name: /统计分析/ }).click();
    await page.waitForURL(/\/stats$/);
    const kpi = (k: string) => page.locator(`[data-kpi=${k}] .value`).innerText();
    // the inspector's D1: 3 trapped passengers, 2 answered within 3 min, 1 on site within 30 min; 3 rectified, 3 closed
    await expect.poll(() => kpi('response3m')).toBe('66.7%');
    expect(await kpi('arrival30m')).toBe('33.3%');
    expect(await kpi('closure')).toBe('100%');
    // acknowledged after 1, 2, 5, 10, 30 min: the median is 5 min
    expect(await kpi('medianAck')).toBe('5 分 0 秒');
    const table = await page.locator('[data-test=stats-table]').innerText();
    expect(table).toMatch(/东一网格\s+4\b/);
    expect(table).toMatch(/东二网格\s+1\b/);
    expect(table).toMatch(/合计\s+5\b/);
    expect(table).not.toContain('西一网格');
    await page.locator('[data-test=stats-group]').getByText('维保单位').click();
    await expect.poll(() => page.locator('[data-test=stats-table]').innerText()).toMatch(/快修电梯\s+4[\s\S]*安达电梯\s+1/);
    await page.locator('[data-test=stats-group]').getByText('辖区 / 网格').click();
    for (const c of ['per-day', 'worst', 'sms']) await expect.poll(() => page.locator(`[data-chart=${c}] canvas`).count()).toBe(1);
    const download = page.waitForEvent('download');
    await page.locator('[data-test=stats-export]').click();
    expect((await download).suggestedFilename()).toMatch(/^统计分析-\d{4}-\d\d-\d\d\.xlsx$/);
    await shot(page, 'alarm-stats');
  });

  it('opens the weekly report\'s SMS link on a phone: sign-in, back to the report, marked and downloaded', async () => {
    // the real job writes last week's reports of D1 and D2 (the SMS's link is checked in weekly-summary.test.ts)
    const files = await stack.dashboard.reports().runNow(Date.now());
    const d1 = files.find((f) => f.includes('/reports/D1/'))!;
    const monday = /weekly-(\d{4}-\d{2}-\d{2})\.xlsx$/.exec(d1)![1]!;
    phone ??= await launch({ width: 390, height: 844 });
    const page = await phone.page();
    await page.context().clearCookies();
    // the link as the SMS carries it, opened without a session
    await page.goto(`${stack.base}/reports/D1/${monday}`);
    await page.waitForURL(/\/login\?redirect=/);
    await page.getByPlaceholder('用户名').fill('insp1');
    await page.getByPlaceholder('密码').fill(PASSWORD);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '登 录' }).click()]);
    expect(page.url()).toBe(`${stack.base}/reports/D1/${monday}`);
    expect(download.suggestedFilename()).toBe(`东区-${monday}-监管周报.xlsx`);
    expect((await readFile((await download.path())!)).equals(await readFile(d1))).toBe(true);
    // the inspector sees D1's reports only, the linked one marked, as cards on the phone
    const rows = page.locator('[data-test=report-row]');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().getAttribute('class')).toContain('linked');
    expect(await rows.first().innerText()).toContain(`${monday} ~ `);
    await shot(page, 'reports-phone');
    // another district's report (D2 is not insp1's): said so, nothing downloaded
    let downloaded = false;
    page.on('download', () => (downloaded = true));
    await page.goto(`${stack.base}/reports/D2/${monday}`);
    await page.locator('[data-test=report-missing]').waitFor();
    expect(downloaded).toBe(false);
    await page.close();
  });

  it('lists the weekly reports in the menu for an inspector, each downloadable', async () => {
    await stack.dashboard.reports().runNow(Date.now());
    const page = await inspectorPage();
    await page.getByRole('menuitem', { name: /监管周报/ }).click();
    await page.waitForURL(/\/reports$/);
    const table = page.locator('[data-test=report-table]');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.innerText()).toContain('东区');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=report-download]').click()]);
    expect(download.suggestedFilename()).toMatch(/^东区-\d{4}-\d{2}-\d{2}-监管周报\.xlsx$/);
    await shot(page, 'reports');
  });

  it('marks the month\'s due days and lists the overdue', async () => {
    const page = await inspectorPage();
    await page.getByRole('menuitem', { name: /维保检验日历/ }).click();
    await page.waitForURL(/\/calendar$/);
    if (plus(3).slice(0, 7) !== today.slice(0, 7)) await page.getByRole('button', { name: /下月/ }).click();
    const due = page.locator(`[data-day="${plus(3)}"] .chip[data-what=maintenance]`);
    await expect.poll(() => due.getAttribute('data-level')).toBe('t7');
    expect(await due.innerText()).toContain('1');
    // EL-2: maintenance due 5 days ago, certificate expired 2 days ago (by due day)
    await expect.poll(() => page.locator('[data-test=overdue-item]').allInnerTexts()).toEqual([expect.stringMatching(/2号梯[\s\S]*维保到期/), expect.stringMatching(/2号梯[\s\S]*检验到期/)]);
    await page.locator(`[data-day="${plus(3)}"]`).click();
    await expect.poll(() => page.locator('[data-test=day-items]').innerText()).toContain('1号梯');
    await shot(page, 'alarm-calendar');
    expect(await unresolved(page)).toEqual([]);
  });
});
