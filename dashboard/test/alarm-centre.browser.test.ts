import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { Page } from 'playwright-core';
import { createAlerts } from '@tianwang/alerts';
import { startFakeAliyun, type FakeAliyun } from '@tianwang/alerts/testing';
import { eventTopic, telemetryTopic } from '@tianwang/core/topics';
import { launch, shot, unresolved, type Browser } from './browser/chromium.js';
import { signIn } from './browser/session.js';
import { DEVICE_SECRET, startStack, type Stack } from './browser/stack.js';
import { SECRET } from './helpers/world.js';

/**
 * The sky-net loop in the browser (issue #16, "Done when"), every part real: a terminal publishes a trapped-passenger
 * event (GB/T 24478 code 11) over MQTT → broker → uplink stream → alerts (rule, alarm, BullMQ escalation, the Aliyun
 * SDK against the local endpoint) → registry → the dashboard's alarm feed (SSE) → Chromium. The inspector watches the
 * alarm centre; the unit's officer acknowledges with the SMS link and reports the fix with a photo on a phone; the
 * inspector sends it back once, then accepts it.
 */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
let stack: Stack;
let aliyun: FakeAliyun;
let desk: Browser;
let phone: Browser;
let dataDir: string;
/** every page a test opened, closed after it (each test signs in on pages of its own) */
const pages: Page[] = [];

beforeAll(async () => {
  aliyun = await startFakeAliyun();
  dataDir = await mkdtemp(join(tmpdir(), 'tw-alarm-data-'));
  stack = await startStack({
    env: {
      TW_DATA_DIR: dataDir, TW_SMS_PROVIDER: 'aliyun', TW_ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId, TW_ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret,
      TW_ALIYUN_ENDPOINT: aliyun.url, TW_QUIET_HOURS: '00:00-00:01',
    },
    // receipts asked every 300 ms instead of every minute; stages keep their real minutes (the countdown shows them)
    extra: async (config, registry) => {
      const alerts = createAlerts(config, { registry, masterSecret: SECRET, tuning: { blockMs: 200, receiptPollMs: 300, calendarEveryMs: 0 } });
      await alerts.start();
      return alerts;
    },
  });
  [desk, phone] = [await launch(), await launch({ width: 390, height: 844 })];
}, 180_000);
afterAll(async () => {
  await desk?.close();
  await phone?.close();
  await stack?.close();
  await aliyun?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const state = (p: Page) => p.locator('[data-test=detail-state]').innerText();
const steps = (p: Page) => p.locator('[data-test=detail-steps]').innerText();
/** set before a step and read after it: still there = the page was not reloaded */
/** screenshots once nothing moves (tags and toasts fade in) */
const still = async (p: Page, name: string) => {
  await expect.poll(() => p.evaluate(() => (globalThis as unknown as { document: { getAnimations(): unknown[] } }).document.getAnimations().length)).toBe(0);
  await shot(p, name);
};
/** the terminal of a device, connected for one test (the MQTT session ends with it) */
const terminal = async (id: string): Promise<MqttClient> => {
  const c = await mqtt.connectAsync(stack.mqttUrl, { clientId: id, username: id, password: DEVICE_SECRET, reconnectPeriod: 0 });
  onTestFinished(() => c.endAsync(true));
  return c;
};
const open = async (b: Browser): Promise<Page> => {
  const p = await b.page();
  pages.push(p);
  return p;
};
/** a named step of a scenario: a failure says which step it was in */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error) err.message = `step «${name}»: ${err.message}`;
    throw err;
  }
}
/** the alarms that exist now (the list may still be loading), to tell a new one from them */
const existing = async () => new Set((await stack.registry.db.query<{ id: string }>('SELECT id::text AS id FROM alarms')).map((r) => r.id));
/** insp1 signed in on the page, its live feed connected (the list learns of new alarms through it), in the alarm
 * centre; answers the alarms that exist before the test raises its own */
async function alarmCentre(inspector: Page): Promise<Set<string>> {
  await signIn(inspector, stack.base, 'insp1');
  await expect.poll(() => inspector.locator('[data-test=live-state]').getAttribute('class')).toContain('open');
  await inspector.getByRole('menuitem', { name: /报警中心/ }).click();
  await inspector.waitForURL(/\/alarms$/);
  await expect.poll(() => inspector.locator('[data-test=alarm-total]').innerText()).toMatch(/\d+ \/ \d+/);
  return existing();
}
const ids = async (p: Page) => new Set(await p.locator('a[data-alarm]').evaluateAll((as) => as.map((a) => (a as unknown as { dataset: { alarm: string } }).dataset.alarm)));
const mark = (p: Page) => p.evaluate(() => ((globalThis as unknown as { twMark: number }).twMark = 42));
const marked = (p: Page) => p.evaluate(() => (globalThis as unknown as { twMark?: number }).twMark);

// a CSP violation or a page error fails the test that caused it
beforeEach(() => {
  desk.problems.length = 0;
  phone.problems.length = 0;
});
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
  expect([...desk.problems, ...phone.problems]).toEqual([]);
});

describe('the alarm centre in Chromium', () => {
  // one loop, one test: each step acts on the alarm and the pages the steps before it left
  it('trapped passenger → SMS → acknowledgement → fix → verification, live on the inspector\'s page throughout', async () => {
    const device = await terminal('EL-1');
    const inspector = await open(desk);
    // the officer's SMS of this test only (another test's alarms text the same officer)
    const since = aliyun.received.length;
    const mine = () => aliyun.received.slice(since);
    const toOfficer = (r: { to: string }) => r.to.endsWith('13800000001');

    const alarmId = await step('shows a trapped passenger published over MQTT in the inspector\'s alarm centre within 2 s, with a toast and the menu badge', async () => {
      const before = await alarmCentre(inspector);

      // the last minutes of telemetry before the fault: the detail's chart shows them
      const start = Date.now() - 5 * 60_000;
      for (let i = 0; i < 10; i++) {
        const reading = { ts: start + i * 30_000, floor: 1 + (i % 6), direction: i % 2 ? 'up' : 'stop', speed: i % 2 ? 1.5 : 0, door: 'closed', doorZone: i % 2 === 0, passenger: true, mode: 1, power: 'mains', runCount: 5000 + i, runHours: 321.5, load: 35 };
        await device.publishAsync(telemetryTopic('elevator', 'EL-1'), JSON.stringify(reading), { qos: 1 });
      }
      const t0 = Date.now();
      await device.publishAsync(eventTopic('elevator', 'EL-1'), JSON.stringify({ ts: t0, code: '11', state: 'raised' }), { qos: 1 });
      // the newest row first
      const row = inspector.locator('a[data-alarm]').first();
      await expect.poll(async () => before.has((await row.getAttribute('data-alarm', { timeout: 100 }).catch(() => null)) ?? ''), { timeout: 5000, interval: 20 }).toBe(false);
      const ms = Date.now() - t0;
      console.log(`trapped passenger: in the alarm centre ${ms} ms after the MQTT publish`);
      expect(ms).toBeLessThan(2000);
      const id = Number(await row.getAttribute('data-alarm'));
      expect(await inspector.locator('.alarm-table .el-table__body tr').first().innerText()).toMatch(/待确认[\s\S]*紧急[\s\S]*1号梯[\s\S]*阳光花园/);
      await expect.poll(() => inspector.locator('.alarm-toast').innerText()).toContain('新报警');
      await expect.poll(() => inspector.locator('[data-test=alarm-badge]').innerText()).toBe('1');
      await still(inspector, 'alarm-list');
      return id;
    });

    await step('shows the SMS stages on the timeline with delivery receipts and the countdown to the next stage', async () => {
      await inspector.locator(`a[data-alarm="${alarmId}"]`).click();
      await inspector.waitForURL(new RegExp(`/alarms/${alarmId}$`));
      expect(await state(inspector)).toBe('待确认');
      // a trapped passenger: the officer and the maintenance company at once (alerts' plan), the principal later
      const officer = inspector.locator('.sms[data-stage=officer]');
      await expect.poll(() => officer.innerText(), { timeout: 10_000 }).toMatch(/安全管理员[\s\S]*\+86\*\*\*\*0001[\s\S]*aliyun/);
      await expect.poll(() => inspector.locator('.sms[data-stage=maintenance]').count()).toBe(1);
      expect(await inspector.locator('[data-test=countdown]').innerText()).toMatch(/\d\d:\d\d 后升级/);
      expect(await inspector.locator('[data-test=next-stage]').innerText()).toContain('主要负责人');
      // the operator's receipt: delivered
      const sms = mine().find(toOfficer);
      expect(sms?.params?.link).toBeTruthy();
      aliyun.setReceipt(sms!.messageId, 3);
      await expect.poll(() => officer.getAttribute('data-status'), { timeout: 10_000 }).toBe('delivered');
      expect(await officer.innerText()).toContain('已送达');
      // the maintenance company's message fails at the operator: the timeline says so with the operator's code
      for (const r of mine().filter((x) => x !== sms)) aliyun.setReceipt(r.messageId, 2, 'MOBILE_ACCOUNT_ABNORMAL');
      const maintenance = inspector.locator('.sms[data-stage=maintenance]');
      await expect.poll(() => maintenance.getAttribute('data-status'), { timeout: 10_000 }).toBe('failed');
      expect(await maintenance.innerText()).toContain('发送失败');
      // nothing in flight any more: from here on the page changes only through live events
      await expect.poll(() => inspector.locator('.sms[data-status=sent], .sms[data-status=queued], .sms[data-status=sending]').count(), { timeout: 10_000 }).toBe(0);
      // what raised it, and the telemetry chart around it
      expect(await inspector.locator('[data-test=trigger]').innerText()).toContain('11');
      await expect.poll(async () => Number(await inspector.locator('[data-test=alarm-chart] [data-field=speed]').getAttribute('data-count')), { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    });

    await step('shows the acknowledgement through the SMS link, who and how, without a reload', async () => {
      await mark(inspector);
      const link = mine().find(toOfficer)!.params!.link!;
      const ack = await open(phone);
      await ack.goto(link);
      await ack.getByRole('button', { name: /确认收到/ }).click();
      await expect.poll(() => ack.locator('[role=status]').innerText()).toContain('已确认收到');
      // live: the page reads the alarm on its SSE event (it has nothing in flight to poll for, and was not reloaded)
      await expect.poll(() => state(inspector), { timeout: 3000 }).toBe('已确认');
      expect(await steps(inspector)).toMatch(/安全管理员 阳光花园安全员 \+86\*\*\*\*0001 于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 通过短信链接确认/);
      expect(await inspector.locator('[data-test=next-stage]').count()).toBe(0);
      expect(await marked(inspector)).toBe(42);
    });

    const unit = await open(phone);
    await step('lets the unit report the fix with a photo on a phone; a file that is not an image is refused with the server\'s reason', async () => {
      await signIn(unit, stack.base, 'unit1');
      await unit.goto(`${stack.base}/alarms`);
      await expect.poll(() => unit.locator(`a.card[data-alarm="${alarmId}"]`).innerText()).toContain('已确认');
      await still(unit, 'alarm-phone');
      await unit.locator(`a.card[data-alarm="${alarmId}"]`).click();
      await unit.waitForURL(new RegExp(`/alarms/${alarmId}$`));
      await unit.locator('[data-test=photo-input]').setInputFiles({ name: 'not-a-photo.png', mimeType: 'image/png', buffer: Buffer.from('plain text, not a PNG') });
      await expect.poll(() => unit.locator('.photo-error').innerText()).toContain('只能上传 JPEG、PNG 或 WebP 图片');
      await unit.locator('[data-test=photo-input]').setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: PNG });
      await unit.locator('[data-test=rectify]').scrollIntoViewIfNeeded();
      await still(unit, 'alarm-phone-detail');
      await expect.poll(() => unit.locator('[data-test=photos] img').count()).toBe(1);
      await unit.locator('[data-test=rectify-note]').fill('维保人员 20 分钟到场，乘客已安全救出，更换门锁回路继电器');
      await unit.locator('[data-test=rectify-submit]').click();
      await expect.poll(() => state(unit)).toBe('已整改待核查');
      // the inspector's page follows, with the photo as stored (its SHA-256 in the title)
      await expect.poll(() => state(inspector), { timeout: 5000 }).toBe('已整改待核查');
      await expect.poll(() => inspector.locator('[data-test=photos] img').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
      expect(await inspector.locator('[data-test=photos] a').getAttribute('title')).toMatch(/SHA-256 [0-9a-f]{64}/);
      expect(await marked(inspector)).toBe(42);
      await inspector.locator('.main').evaluate((m) => ((m as unknown as { scrollTop: number }).scrollTop = 0));
      await still(inspector, 'alarm-detail');
    });

    await step('sends a rejected fix back to the unit with a new SMS, then closes the alarm on the accepted one', async () => {
      // the officer's SMS so far (the maintenance company's contact mobile receives the trapped-passenger SMS too)
      const before = mine().filter(toOfficer).length;
      await inspector.locator('[data-test=verify-reject-open]').click();
      await inspector.locator('[data-test=reject-reason]').fill('照片未显示门锁回路，请补拍');
      await inspector.locator('[data-test=verify-reject]').click();
      await expect.poll(() => state(inspector)).toBe('已确认');
      // back with the unit, live on its phone, and a new SMS to its officer (stage rework-1)
      await expect.poll(() => state(unit), { timeout: 5000 }).toBe('已确认');
      expect(await steps(unit)).toContain('整改退回 1 次');
      await expect.poll(() => mine().filter(toOfficer).length, { timeout: 10_000 }).toBe(before + 1);
      await expect.poll(() => inspector.locator('.sms[data-stage="rework-1"]').count(), { timeout: 10_000 }).toBe(1);

      await unit.locator('[data-test=rectify-note]').fill('已补拍门锁回路照片，继电器型号已登记');
      await unit.locator('[data-test=rectify-submit]').click();
      await expect.poll(() => state(inspector), { timeout: 5000 }).toBe('已整改待核查');
      await inspector.locator('[data-test=verify-accept]').click();
      await expect.poll(() => state(inspector)).toBe('已关闭');
      expect(await steps(inspector)).toMatch(/insp1 于 .* 核查通过/);
      await expect.poll(() => state(unit), { timeout: 5000 }).toBe('已关闭');
      expect(await inspector.locator('[data-test=verify]').innerText()).toMatch(/退回[\s\S]*照片未显示门锁回路[\s\S]*通过/);
      expect(await marked(inspector)).toBe(42);
      await expect.poll(() => inspector.locator('[data-test=alarm-badge]').count()).toBe(0);
      expect(await unresolved(inspector)).toEqual([]);
    });
  }, 180_000);

  it('acknowledges a new alarm in bulk from the list (inspectors); an acknowledged row can no longer be ticked', async () => {
    // its own terminal and alarm (EL-2, 东方医院, in insp1's district), whatever the other test left in the list
    const device = await terminal('EL-2');
    const inspector = await open(desk);
    const before = await alarmCentre(inspector);
    await device.publishAsync(eventTopic('elevator', 'EL-2'), JSON.stringify({ ts: Date.now(), code: '11', state: 'raised' }), { qos: 1 });
    await expect.poll(async () => [...(await ids(inspector))].filter((id) => !before.has(id)).length, { timeout: 5000 }).toBe(1);
    const [id] = [...(await ids(inspector))].filter((x) => !before.has(x));
    const row = inspector.locator('.alarm-table .el-table__body tr', { has: inspector.locator(`a[data-alarm="${id}"]`) });
    await expect.poll(() => row.locator('[data-test=alarm-state]').innerText()).toBe('待确认');
    expect(await row.locator('.el-checkbox.is-disabled').count()).toBe(0);
    await row.locator('.el-checkbox').click();
    await inspector.locator('[data-test=bulk-ack]').click();
    await inspector.locator('.el-message', { hasText: '已确认 1 条，跳过 0 条' }).waitFor();
    await expect.poll(() => row.locator('[data-test=alarm-state]').innerText()).toBe('已确认');
    await expect.poll(() => row.locator('[data-test=alarm-handled]').innerText()).toMatch(/insp1 于 .* 通过工作台确认/);
    // only open rows can be ticked
    await expect.poll(() => row.locator('.el-checkbox.is-disabled').count()).toBe(1);
    await expect.poll(() => inspector.locator('[data-test=alarm-badge]').count(), { timeout: 5000 }).toBe(0);
  });
});
