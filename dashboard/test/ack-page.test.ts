import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createAckLink, createAlarmService, alertsKeys, QUEUES } from '@tianwang/alerts';
import { loadConfig } from '@tianwang/core/config';
import { deriveKey } from '@tianwang/core/crypto';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { createDashboard, type Dashboard } from '../src/index.js';

const SECRET = 'dashboard-test-secret-0123456789abcdef0123';
const key = deriveKey(SECRET, 'sms-link');
let redisServer: RedisServer;
let redis: Redis;
let registry: Registry;
let dashboard: Dashboard;
let queue: Queue;
const prefix = 'dashtest';

async function seed(r: Registry) {
  await r.districts.upsert({ id: 'D1', name: '示范区', kind: 'district', parentId: null });
  await r.units.upsert({ id: 'U1', creditCode: '91310000MA1FL0AB2C', name: '阳光花园物业', address: '', districtId: 'D1', safetyOfficerName: '张安全', safetyOfficerPhone: '13800000001', principalName: '李负责', principalPhone: '13800000002' });
  await r.devices.upsert({
    id: 'EL-0001', kind: 'elevator', registrationCode: '31104403002019001234', name: '3号楼1号梯', location: '3号楼东侧', unitId: 'U1', maintenanceCompanyId: null, model: '',
    rated: { ratedSpeed: 1.75 }, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
  });
}

async function openAlarm(type: string, title = '困人') {
  const svc = createAlarmService(registry);
  const r = await svc.record({ action: 'raise', type, severity: 'critical', title: { zh: title, en: 'trapped passengers' }, at: Date.now() }, { type: 'device', id: 'EL-0001', unitId: 'U1' }, 1);
  return r.action === 'raise' ? r.alarm : undefined;
}

const pathOf = (url: string) => new URL(url).pathname;
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  registry = await openRegistry();
  await seed(registry);
  const config = loadConfig({ TW_REDIS_URL: redisServer.url, TW_KEY_PREFIX: prefix, TW_SECRET_KEY: SECRET, TW_PUBLIC_URL: 'http://tw.test' });
  dashboard = createDashboard(config, { registry, masterSecret: SECRET });
  await dashboard.ready();
  queue = new Queue(QUEUES.escalation, { connection: redis, prefix: alertsKeys(prefix).bullPrefix });
});
afterAll(async () => {
  await queue?.close();
  await dashboard?.stop();
  redis?.disconnect();
  await registry?.close();
  await redisServer?.stop();
});

describe('acknowledgement page', () => {
  it('shows the alarm in plain words (zh-CN with English), with strict security headers', async () => {
    const alarm = (await openAlarm('fault:11'))!;
    const link = await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: '安全管理员 张安全 138****0001' }, 3_600_000);
    expect(link).toMatch(/^http:\/\/tw\.test\/a\/[A-Za-z0-9]{10}$/);
    const res = await dashboard.app.inject({ method: 'GET', url: pathOf(link) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    for (const text of ['困人', 'trapped passengers', '阳光花园物业', '3号楼1号梯', '31104403002019001234', '3号楼东侧', '待确认', '确认收到', 'Acknowledge', '反馈整改', '误报']) expect(res.body).toContain(text);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'; style-src 'nonce-[^']+'; img-src data:; form-action 'self'; frame-ancestors 'none'/);
    expect(res.body).toContain(`<style nonce="${/nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))![1]}">`);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toMatch(/<script|https?:\/\/(?!tw\.test)/);
  });

  it("on site: the maintenance company's link records its arrival once; another stage's link may not", async () => {
    const alarm = (await openAlarm('fault:07', '困人到场'))!;
    const form = (o: Record<string, string>) => ({ payload: new URLSearchParams(o).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const officer = pathOf(await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: '安全管理员 张安全 138****0001' }, 3_600_000));
    const officerPage = await dashboard.app.inject({ method: 'GET', url: officer });
    expect(officerPage.body).not.toContain('已到达现场');
    expect((await dashboard.app.inject({ method: 'POST', url: `${officer}/arrive`, ...form({ alarm: String(alarm.id), csrf: csrfOf(officerPage.body) }) })).statusCode).toBe(403);
    const maint = pathOf(await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'maintenance', recipient: '维保单位 快修 400****4567' }, 3_600_000));
    const page = await dashboard.app.inject({ method: 'GET', url: maint });
    expect(page.body).toContain('已到达现场');
    const ok = await dashboard.app.inject({ method: 'POST', url: `${maint}/arrive`, ...form({ alarm: String(alarm.id), csrf: csrfOf(page.body) }) });
    expect(ok.headers.location).toBe(`${maint}?done=arrive`);
    const a = await createAlarmService(registry).get(alarm.id);
    expect(a.arrivedBy).toBe('维保单位 快修 400****4567');
    expect(a.arrivedAt).toBeInstanceOf(Date);
    expect((await dashboard.app.inject({ method: 'GET', url: ok.headers.location as string })).body).not.toContain('已到达现场 <span');
    const again = await dashboard.app.inject({ method: 'POST', url: `${maint}/arrive`, ...form({ alarm: String(alarm.id), csrf: csrfOf(page.body) }) });
    expect(again.headers.location).toBe(`${maint}?done=`);
    const audit = await registry.db.query<{ action: string; via: string }>(`SELECT action, via FROM audit_log WHERE subject_type = 'alarm' AND subject_id = $1 AND action = 'alarm.arrived'`, [String(alarm.id)]);
    expect(audit).toEqual([{ action: 'alarm.arrived', via: 'sms_link' }]);
  });

  it('acknowledge: refuses a post without the form token or from another site; with it, acknowledges, stops the escalation and audits', async () => {
    const alarm = (await openAlarm('fault:05', '开门走车'))!;
    await queue.add('stage', { alarmId: alarm.id, stage: 'principal' }, { jobId: `${alarm.id}-principal`, delay: 60_000 });
    await queue.add('stage', { alarmId: alarm.id, stage: 'inspector' }, { jobId: `${alarm.id}-inspector`, delay: 120_000 });
    const path = pathOf(await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: '安全管理员 张安全 138****0001' }, 3_600_000));
    const page = await dashboard.app.inject({ method: 'GET', url: path });
    const csrf = csrfOf(page.body);
    const form = (o: Record<string, string>) => ({ payload: new URLSearchParams(o).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await dashboard.app.inject({ method: 'POST', url: `${path}/ack`, ...form({ alarm: String(alarm.id) }) })).statusCode).toBe(403);
    const cross = await dashboard.app.inject({ method: 'POST', url: `${path}/ack`, ...form({ alarm: String(alarm.id), csrf }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' } });
    expect(cross.statusCode).toBe(403);
    // a link covers only its own alarms
    expect((await dashboard.app.inject({ method: 'POST', url: `${path}/ack`, ...form({ alarm: String(alarm.id + 999), csrf }) })).statusCode).toBe(403);
    expect(await queue.getDelayedCount()).toBe(2);

    const ok = await dashboard.app.inject({ method: 'POST', url: `${path}/ack`, ...form({ alarm: String(alarm.id), csrf }) });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`${path}?done=ack`);
    expect(await queue.getDelayedCount()).toBe(0);
    const after = await dashboard.app.inject({ method: 'GET', url: ok.headers.location as string });
    expect(after.body).toContain('已确认收到');
    expect(after.body).toContain('已确认，待整改');
    expect(after.body).not.toContain('确认收到 <span class="en">Acknowledge</span></button>');

    // report the fix: a note is required
    expect((await dashboard.app.inject({ method: 'POST', url: `${path}/rectify`, ...form({ alarm: String(alarm.id), csrf, note: ' ' }) })).statusCode).toBe(400);
    const fixed = await dashboard.app.inject({ method: 'POST', url: `${path}/rectify`, ...form({ alarm: String(alarm.id), csrf, note: '维保单位到场，更换门锁回路，试运行正常' }) });
    expect(fixed.statusCode).toBe(303);
    const audit = await registry.audit.forSubject('alarm', String(alarm.id));
    expect(audit.map((e) => `${e.action}|${e.via}|${e.actor}|${e.actorType}`)).toEqual([
      'alarm.raised|automatic|system|system',
      'alarm.acknowledged|sms_link|安全管理员 张安全 138****0001|contact',
      'alarm.rectified|sms_link|安全管理员 张安全 138****0001|contact',
    ]);
    const shown = await dashboard.app.inject({ method: 'GET', url: path });
    expect(shown.body).toContain('维保单位到场，更换门锁回路，试运行正常');
  });

  it('false alarm closes the alarm with that outcome', async () => {
    const alarm = (await openAlarm('fault:09', '冲顶'))!;
    const path = pathOf(await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: 'x' }, 3_600_000));
    const csrf = csrfOf((await dashboard.app.inject({ method: 'GET', url: path })).body);
    const res = await dashboard.app.inject({ method: 'POST', url: `${path}/false-alarm`, payload: `alarm=${alarm.id}&csrf=${encodeURIComponent(csrf)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(303);
    const [row] = await registry.db.query<{ status: string; outcome: string; closed_via: string }>('SELECT status, outcome, closed_via FROM alarms WHERE id = $1', [alarm.id]);
    expect(row).toEqual({ status: 'closed', outcome: 'false_alarm', closed_via: 'sms_link' });
  });

  it('expired, forged and unknown links', async () => {
    const alarm = (await openAlarm('fault:10', '蹲底'))!;
    const expired = await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: 'x' }, 1000, Date.now() - 10_000);
    expect((await dashboard.app.inject({ method: 'GET', url: pathOf(expired) })).statusCode).toBe(410);
    const forged = await createAckLink(registry, deriveKey('another-secret-0123456789abcdef0123456', 'sms-link'), 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: 'x' }, 3_600_000);
    expect((await dashboard.app.inject({ method: 'GET', url: pathOf(forged) })).statusCode).toBe(404);
    expect((await dashboard.app.inject({ method: 'GET', url: '/a/NoSuchLink1' })).statusCode).toBe(404);
    expect((await dashboard.app.inject({ method: 'GET', url: '/a/..%2F..%2Fetc' })).statusCode).toBe(404);
  });

  it('healthz and metrics', async () => {
    expect((await dashboard.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    const metrics = async () => (await dashboard.app.inject({ method: 'GET', url: '/metrics' })).body;
    const acks = async () => Number(/dashboard_ack_actions_total\{action="ack",result="ok",service="dashboard"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
    const before = await acks();
    // an acknowledgement of its own through a link, counted once
    const alarm = (await openAlarm('fault:09', '轿厢意外移动'))!;
    const path = pathOf(await createAckLink(registry, key, 'http://tw.test', { alarmIds: [alarm.id], stage: 'officer', recipient: '安全管理员 张安全 138****0001' }, 3_600_000));
    const page = await dashboard.app.inject({ method: 'GET', url: path });
    const ack = await dashboard.app.inject({ method: 'POST', url: `${path}/ack`, payload: new URLSearchParams({ alarm: String(alarm.id), csrf: csrfOf(page.body) }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(ack.statusCode).toBe(303);
    expect(await acks()).toBe(before + 1);
    expect(await metrics()).toContain('dashboard_http_requests_total');
  });
});

describe('front page', () => {
  it('is the web app (or says it is not built), never registry data for anonymous eyes', async () => {
    const res = await dashboard.app.inject({ method: 'GET', url: '/' });
    expect([200, 503]).toContain(res.statusCode);
    expect(res.body).not.toMatch(/EL-\d|\+86/);
  });
});
