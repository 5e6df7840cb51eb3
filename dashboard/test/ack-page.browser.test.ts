import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { createAckLink, createAlarmService } from '@tianwang/alerts';
import { loadConfig } from '@tianwang/core/config';
import { deriveKey } from '@tianwang/core/crypto';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { freePort, startRedis, type RedisServer } from '@tianwang/core/testing';
import { createDashboard, type Dashboard } from '../src/index.js';

const SECRET = 'browser-test-secret-0123456789abcdef0123';
let redis: RedisServer;
let registry: Registry;
let dashboard: Dashboard;
let context: BrowserContext;
let profile: string;
let base: string;

beforeAll(async () => {
  redis = await startRedis();
  registry = await openRegistry();
  await registry.districts.upsert({ id: 'D1', name: '示范区', kind: 'district', parentId: null });
  await registry.units.upsert({ id: 'U1', creditCode: '91310000MA1FL0AB2C', name: '阳光花园物业', address: '', districtId: 'D1', safetyOfficerName: '张安全', safetyOfficerPhone: '13800000001', principalName: '李负责', principalPhone: '13800000002' });
  await registry.devices.upsert({
    id: 'EL-0001', kind: 'elevator', registrationCode: '31104403002019001234', name: '3号楼1号梯', location: '3号楼东侧', unitId: 'U1', maintenanceCompanyId: null, model: '',
    rated: { ratedSpeed: 1.75 }, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig({ TW_REDIS_URL: redis.url, TW_KEY_PREFIX: 'browser', TW_SECRET_KEY: SECRET, TW_PUBLIC_URL: base, TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port) });
  dashboard = createDashboard(config, { registry, masterSecret: SECRET });
  await dashboard.start();
  profile = await mkdtemp(join(tmpdir(), 'tw-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
  });
}, 120_000);
afterAll(async () => {
  await context?.close();
  await dashboard?.stop();
  await registry?.close();
  await redis?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('acknowledgement page in Chromium (phone-sized)', () => {
  it('renders styled without violating its CSP, acknowledges, then takes the rectification note', async () => {
    const svc = createAlarmService(registry);
    const r = await svc.record({ action: 'raise', type: 'fault:11', severity: 'critical', title: { zh: '困人', en: 'trapped passengers' }, at: Date.now() }, { type: 'device', id: 'EL-0001', unitId: 'U1' }, 1);
    if (r.action !== 'raise') throw new Error('no alarm');
    const link = await createAckLink(registry, deriveKey(SECRET, 'sms-link'), base, { alarmIds: [r.alarm.id], stage: 'officer', recipient: '安全管理员 张安全 138****0001' }, 3_600_000);
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text());
    });
    await page.goto(link);
    await expect.poll(() => page.locator('h1').first().innerText()).toContain('困人');
    // the inline style applied (its nonce matched the CSP)
    // runs in the page: the DOM global exists there, not in this (node) typecheck
    expect(await page.locator('header').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe('rgb(199, 0, 11)');
    if (process.env.TW_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.TW_SCREENSHOT_DIR, 'alerts-ack-page.png'), fullPage: true });

    await page.getByRole('button', { name: /确认收到/ }).click();
    await expect.poll(() => page.locator('[role=status]').innerText()).toContain('已确认收到');
    expect(page.url()).toBe(`${link}?done=ack`);
    expect(await page.getByRole('button', { name: /确认收到/ }).count()).toBe(0);

    await page.getByLabel(/整改情况/).fill('维保单位20分钟到场，乘客已安全救出，电梯检修后恢复运行');
    await page.getByRole('button', { name: /反馈整改/ }).click();
    await expect.poll(() => page.locator('[role=status]').innerText()).toContain('整改情况已提交');
    if (process.env.TW_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.TW_SCREENSHOT_DIR, 'alerts-ack-page-done.png'), fullPage: true });
    const after = await svc.get(r.alarm.id);
    expect(after).toMatchObject({ status: 'rectified', acknowledgedVia: 'sms_link', acknowledgedBy: '安全管理员 张安全 138****0001' });
    expect(violations).toEqual([]);
  });
});
