import ExcelJS from 'exceljs';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiSession } from './browser/api.js';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { signIn } from './browser/session.js';
import { startStack, type Stack } from './browser/stack.js';

/**
 * 登记管理 in Chromium (zh-CN) on the real stack: an admin registers a device (its secret shown once, and the broker
 * accepts it), rotates the credential, disables the device, and imports an .xlsx whose bad row is shown with its
 * error while nothing of the file is written; an inspector only reads.
 */
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The input of the dialog's form item with this label. */
const field = (page: Page, label: string) => page.locator('.el-dialog .el-form-item').filter({ has: page.locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) });
async function choose(page: Page, label: string, option: string) {
  await field(page, label).locator('.el-select').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).click();
}
const tableRow = (page: Page, text: string) => page.locator('[data-test=registry-table] .el-table__body tr', { hasText: text });
const connects = (id: string, secret: string) =>
  mqtt.connectAsync(stack.mqttUrl, { clientId: id, username: id, password: secret, reconnectPeriod: 0, connectTimeout: 5000 }).then(
    (c) => c.endAsync().then(() => true),
    () => false,
  );

async function sheet(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('设备');
  ws.addRow(['编号', '类型', '注册代码', '名称', '位置', '使用单位编号', '上报间隔秒']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Each test's own device (EL-90, EL-91, …): a test and its retry never meet what another attempt registered. */
let devices = 89;
const nextDevice = () => {
  const n = ++devices;
  return { id: `EL-${n}`, registrationCode: `311031010020190700${n}`, name: `测试梯${n}` };
};

/** An admin's page on the device list, signed in afresh (each test its own). */
async function devicePage(): Promise<Page> {
  const page = await browser.page();
  await signIn(page, stack.base, 'admin');
  await page.goto(`${stack.base}/registry/devices`);
  await tableRow(page, '1号梯').waitFor();
  return page;
}

describe('registry management in Chromium (zh-CN)', () => {
  // every test opens its own pages; a CSP violation or page error fails the test that caused it
  beforeEach(() => {
    browser.problems.length = 0;
  });
  afterEach(async () => {
    for (const p of browser.context.pages()) await p.close();
    expect(browser.problems).toEqual([]);
  });

  it('registers a device: the secret is shown once and the broker accepts it', async () => {
    const d = nextDevice();
    const page = await devicePage();
    await page.locator('[data-test=registry-add]').click();
    await field(page, '编号').locator('input').fill(d.id);
    await field(page, '注册代码').locator('input').fill(d.registrationCode);
    await field(page, '名称').locator('input').fill(d.name);
    await choose(page, '使用单位', '阳光花园');
    await field(page, '安装位置').locator('input').fill('9号楼东');
    await shot(page, 'dashboard-registry-form');
    await page.locator('[data-test=dialog-save]').click();
    const secret = await page.locator('[data-test=device-secret]').innerText();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(await connects(d.id, secret)).toBe(true);
    await page.locator('.el-dialog', { hasText: '新的接入密钥' }).getByRole('button', { name: '关闭', exact: true }).click();
    // shown once: closed, the secret is gone from the page, not only hidden
    await expect.poll(() => page.locator('[data-test=device-secret]').count()).toBe(0);
    await expect.poll(() => tableRow(page, d.name).innerText()).toContain('阳光花园');
    expect((await stack.registry.devices.get(d.id))?.location).toBe('9号楼东');

    // rotating answers another secret, which the broker accepts
    await tableRow(page, d.name).getByRole('button', { name: '重置密钥' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click();
    const rotated = await page.locator('[data-test=device-secret]').innerText();
    expect(rotated).not.toBe(secret);
    await new Promise((r) => setTimeout(r, 300)); // the broker's credential cache (TW_MQTT_AUTH_CACHE_MS = 200 here)
    expect(await connects(d.id, rotated)).toBe(true);
    expect(await connects(d.id, secret)).toBe(false);
    await page.locator('.el-dialog', { hasText: '新的接入密钥' }).getByRole('button', { name: '关闭', exact: true }).click();
  });

  it('edits and disables a device', async () => {
    // its own device, registered through the API the dialog uses (the board's list then holds it too)
    const d = nextDevice();
    const renamed = d.name.replace('测试梯', '测试客梯');
    await (await apiSession(stack.base, 'admin')).post('/devices', { ...d, kind: 'elevator', location: '9号楼东', unitId: 'U1', lastMaintenanceOn: null, inspectionValidUntil: null });
    const page = await devicePage();
    await tableRow(page, d.name).getByRole('button', { name: '编辑' }).click();
    // the form holds the whole record (read from the device file), not only the list's columns
    await expect.poll(() => field(page, '安装位置').locator('input').inputValue()).toBe('9号楼东');
    await field(page, '名称').locator('input').fill(renamed);
    await page.locator('[data-test=dialog-save]').click();
    await expect.poll(() => tableRow(page, renamed).count()).toBe(1);
    await tableRow(page, renamed).getByRole('button', { name: '停用' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click();
    await expect.poll(() => tableRow(page, renamed).innerText()).toContain('已停用');
    expect(await stack.registry.devices.get(d.id)).toMatchObject({ name: renamed, location: '9号楼东', enabled: false });
  });

  it('imports nothing from an .xlsx with a bad row, and shows the row and its error', async () => {
    const file = await sheet([
      ['EL-10', '电梯', '31103101002019070010', '10号梯', '10号楼', 'U1', 10],
      ['EL-11', '电梯', '123', '11号梯', '11号楼', 'U1', 10],
    ]);
    const page = await devicePage();
    await page.getByRole('button', { name: '批量导入' }).click();
    await page.locator('[data-test=import-file] input[type=file]').setInputFiles({ name: 'devices.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: file });
    await page.locator('.el-dialog', { hasText: '批量导入' }).getByRole('button', { name: '批量导入' }).click();
    const errors = page.locator('[data-test=import-errors] .el-table__body tr');
    await expect.poll(() => errors.count()).toBe(1);
    expect(await errors.first().innerText()).toMatch(/^3\s+注册代码/);
    await shot(page, 'dashboard-registry-import');
    // the good row of the file was not written either
    await expect(stack.registry.devices.get('EL-10')).rejects.toThrow(/not found/);
    expect(await unresolved(page)).toEqual([]);
  });

  it('lets an inspector read the registry but not change it', async () => {
    const page = await browser.page();
    await signIn(page, stack.base, 'insp1');
    await page.goto(`${stack.base}/registry/units`);
    await expect.poll(() => page.locator('[data-test=registry-table] .el-table__body tr').count()).toBe(2);
    expect(await page.locator('[data-test=registry-add]').count()).toBe(0);
    expect(await page.getByText('只读：仅管理员可修改登记信息').count()).toBe(1);
  });
});
