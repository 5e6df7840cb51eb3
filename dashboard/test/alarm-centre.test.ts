import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { alertsKeys, createAlarmService } from '@tianwang/alerts/actions';
import { login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let dataDir: string;
let admin: Login, insp1: Login, insp2: Login, unit1: Login, maint1: Login;
let el1: number, el3: number, cam3: number, bl1: number;

// the smallest valid PNG header is enough for the type check; the bytes are kept as they are
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest-of-a-png-file')]);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tw-alarm-centre-'));
  w = await startWorld({ env: { TW_DATA_DIR: dataDir, TW_ESCALATE_PRINCIPAL_MIN: '15', TW_ESCALATE_INSPECTOR_MIN: '60' } });
  [admin, insp1, insp2, unit1, maint1] = (await Promise.all(['admin', 'insp1', 'insp2', 'unit1', 'maint1'].map((u) => login(w.dashboard, u)))) as [Login, Login, Login, Login, Login];
});
// every test starts from the same four alarms (the loop closes one, bulk acknowledgement acknowledges two): the
// alarms of the test before, and what hangs on them (SMS, comments, photos, verifications), are gone
beforeEach(async () => {
  await w.registry.db.query('TRUNCATE alarms CASCADE');
  const svc = createAlarmService(w.registry);
  const raise = async (type: string, severity: 'critical' | 'major' | 'minor' | 'warning', subject: { type: 'device' | 'camera'; id: string; unitId?: string; kitchenId?: string }, at: number) =>
    (await svc.record({ action: 'raise', type, severity, title: { zh: type, en: type }, detail: { code: 11, floor: 3 }, at }, subject, 1)) as { alarm: { id: number } };
  const t0 = Date.parse('2026-11-01T08:00:00Z');
  el1 = (await raise('fault:11', 'critical', { type: 'device', id: 'EL-1', unitId: 'U1' }, t0)).alarm.id;
  el3 = (await raise('fault:11', 'critical', { type: 'device', id: 'EL-3', unitId: 'U3' }, t0 + 60_000)).alarm.id;
  cam3 = (await raise('no_hat', 'major', { type: 'camera', id: 'CAM-3', kitchenId: 'K3' }, t0 + 120_000)).alarm.id;
  bl1 = (await raise('overpressure', 'major', { type: 'device', id: 'BL-1', unitId: 'U1' }, t0 + 180_000)).alarm.id;
  await svc.record({ action: 'clear', type: 'overpressure', severity: 'major', title: { zh: '', en: '' }, at: t0 + 240_000 }, { type: 'device', id: 'BL-1', unitId: 'U1' }, 1);
});
afterAll(async () => {
  await w?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const get = (s: Login, url: string) => w.dashboard.app.inject({ method: 'GET', url, headers: s.headers() });
const send = (s: Login, method: 'POST' | 'PUT', url: string, payload?: unknown, csrf = true) =>
  w.dashboard.app.inject({ method, url, headers: s.headers(csrf), ...(payload === undefined ? {} : { payload: payload as object }) });
const ids = async (s: Login, q = '') => ((await get(s, `/api/v1/alarms${q}`)).json().items as { id: number }[]).map((a) => a.id).sort((a, b) => a - b);

describe('alarm centre list', () => {
  it('lists the alarms in each role’s scope, with the states users know', async () => {
    expect(await ids(admin)).toEqual([el1, el3, cam3, bl1].sort((a, b) => a - b));
    expect(await ids(insp1)).toEqual([el1, bl1]);
    expect(await ids(insp2)).toEqual([el3, cam3]);
    expect(await ids(unit1)).toEqual([el1, bl1]);
    expect(await ids(maint1)).toEqual([el1, el3]);
    const items = (await get(admin, '/api/v1/alarms')).json().items as { id: number; state: string; kind: string; unitName: string | null; districtName: string | null; closedBy: string | null; closedVia: string | null }[];
    expect(items.find((a) => a.id === bl1)).toMatchObject({ state: 'auto_cleared', kind: 'boiler', unitName: '阳光花园', districtName: '东一网格', closedBy: 'system', closedVia: 'automatic' });
    expect(items.find((a) => a.id === cam3)).toMatchObject({ state: 'open', kind: 'camera', districtName: '西一网格' });
  });

  it('filters by state, severity, type, kind, unit, district node, company and time range', async () => {
    expect(await ids(admin, '?state=auto_cleared')).toEqual([bl1]);
    expect(await ids(admin, '?state=open&severity=major')).toEqual([cam3]);
    expect(await ids(admin, '?type=fault%3A11')).toEqual([el1, el3]);
    expect(await ids(admin, '?kind=camera')).toEqual([cam3]);
    expect(await ids(admin, '?kind=boiler')).toEqual([bl1]);
    expect(await ids(admin, '?unitId=U3')).toEqual([el3]);
    expect(await ids(admin, '?districtId=D2')).toEqual([el3, cam3]);
    expect(await ids(admin, '?companyId=M1')).toEqual([el1, el3]);
    expect(await ids(admin, '?from=2026-11-01T08:01:00Z&to=2026-11-01T08:03:00Z')).toEqual([el3, cam3]);
    // a district outside the caller's scope narrows to nothing, never widens
    expect(await ids(insp1, '?districtId=D2')).toEqual([]);
    expect((await get(admin, '/api/v1/alarms?state=sleeping')).statusCode).toBe(400);
  });

  it('exports the filtered rows in scope as .xlsx with Chinese headers and states', async () => {
    const res = await get(insp1, '/api/v1/alarms?format=xlsx');
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows[0]!.slice(0, 3)).toEqual(['编号', '状态', '级别']);
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual([el1, bl1].sort());
    expect(rows.find((r) => r[0] === bl1)![1]).toBe('自动恢复');
  });

  it('counts the active alarms in scope for the menu', async () => {
    expect((await get(insp2, '/api/v1/alarms/counter')).json()).toEqual({ open: 2, acknowledged: 0, rectified: 0, active: 2, critical: 1 });
    expect((await get(unit1, '/api/v1/alarms/counter')).json()).toMatchObject({ open: 1, active: 1 });
  });
});

describe('alarm detail and the loop', () => {
  it('answers 404 out of scope on every alarm route, 401 without a session, 403 without the CSRF token', async () => {
    const png = (s: Login, csrf = true) => w.dashboard.app.inject({ method: 'POST', url: `/api/v1/alarms/${el3}/photos`, headers: { ...s.headers(csrf), 'content-type': 'image/png' }, payload: PNG });
    const routes = [
      () => get(insp1, `/api/v1/alarms/${el3}`),
      () => get(insp1, `/api/v1/alarms/${el3}/photos/1`),
      () => send(insp1, 'POST', `/api/v1/alarms/${el3}/acknowledge`),
      () => send(insp1, 'POST', `/api/v1/alarms/${el3}/comments`, { body: 'x' }),
      () => send(insp1, 'PUT', `/api/v1/alarms/${el3}/assignee`, { userId: null }),
      () => send(insp1, 'POST', `/api/v1/alarms/${el3}/verification`, { verdict: 'accepted' }),
      () => send(unit1, 'POST', `/api/v1/alarms/${el3}/rectification`, { note: 'fixed' }),
      () => png(unit1),
    ];
    for (const r of routes) expect((await r()).json().code).toBe('TW_NOT_FOUND');
    expect((await get(insp1, `/api/v1/alarms/999999`)).statusCode).toBe(404);
    expect((await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/alarms/${el1}` })).statusCode).toBe(401);
    for (const res of [
      await send(unit1, 'POST', `/api/v1/alarms/${el1}/acknowledge`, undefined, false),
      await send(insp1, 'POST', '/api/v1/alarms/acknowledge', { ids: [el1] }, false),
      await send(unit1, 'POST', `/api/v1/alarms/${el1}/comments`, { body: 'x' }, false),
      await send(unit1, 'PUT', `/api/v1/alarms/${el1}/assignee`, { userId: null }, false),
      await send(unit1, 'POST', `/api/v1/alarms/${el1}/rectification`, { note: 'x' }, false),
      await send(insp1, 'POST', `/api/v1/alarms/${el1}/verification`, { verdict: 'accepted' }, false),
      await png(admin, false),
    ])
      expect([res.statusCode, res.json().code]).toEqual([403, 'TW_CSRF_INVALID']);
    // roles: a unit user neither bulk-acknowledges nor verifies
    expect((await send(unit1, 'POST', '/api/v1/alarms/acknowledge', { ids: [el1] })).statusCode).toBe(403);
    expect((await send(unit1, 'POST', `/api/v1/alarms/${el1}/verification`, { verdict: 'accepted' })).statusCode).toBe(403);
  });

  it('shows what raised it and the escalation timeline with masked numbers and the next stage due', async () => {
    await w.registry.db.query(
      `INSERT INTO notifications (alarm_id, stage, recipient_name, recipient_phone, template, status, provider, provider_message_id, sent_at) VALUES ($1, 'officer', '安全员', '+8613800000001', 'alarm', 'sent', 'aliyun', 'BIZ-1', now())`,
      [el1],
    );
    const d = (await get(unit1, `/api/v1/alarms/${el1}`)).json();
    expect(d.trigger).toMatchObject({ code: 11, floor: 3 });
    expect(d.timeline).toEqual([expect.objectContaining({ stage: 'officer', recipientRole: '安全管理员', recipientPhone: '+86****0001', provider: 'aliyun', providerMessageId: 'BIZ-1', status: 'sent' })]);
    expect(d.nextStage).toEqual({ stage: 'principal', recipientRole: '主要负责人', dueAt: '2026-11-01T08:15:00.000Z' });
    expect(d.steps.map((s: { action: string }) => s.action)).toEqual(['alarm.raised']);
  });

  it('acknowledge, comment, assign, report the fix with a photo, reject back to the unit with a new SMS, accept and close', async () => {
    const ack = await send(unit1, 'POST', `/api/v1/alarms/${el1}/acknowledge`);
    expect(ack.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'user:unit1', acknowledgedVia: 'dashboard' });
    expect((await send(unit1, 'POST', `/api/v1/alarms/${el1}/acknowledge`)).json().code).toBe('TW_CONFLICT');
    expect((await get(unit1, `/api/v1/alarms/${el1}`)).json().nextStage).toBeNull();

    expect((await send(insp1, 'POST', `/api/v1/alarms/${el1}/comments`, { body: '请尽快处理' })).statusCode).toBe(201);
    expect((await send(unit1, 'PUT', `/api/v1/alarms/${el1}/assignee`, { userId: 'maint1' })).json().assigneeId).toBe('maint1');
    // a user who cannot see the alarm cannot be assigned (answered like an unknown user)
    expect((await send(unit1, 'PUT', `/api/v1/alarms/${el1}/assignee`, { userId: 'insp2' })).statusCode).toBe(404);

    expect((await send(unit1, 'POST', `/api/v1/alarms/${el1}/rectification`, { note: '已更换门锁' })).json().state).toBe('rectified');
    const up = (type: string, body: Buffer) => w.dashboard.app.inject({ method: 'POST', url: `/api/v1/alarms/${el1}/photos`, headers: { ...unit1.headers(true), 'content-type': type }, payload: body });
    expect((await up('image/jpeg', PNG)).statusCode).toBe(415); // declared jpeg, content png
    expect((await up('image/gif', Buffer.from('GIF89a'))).statusCode).toBe(415);
    expect((await up('image/png', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]))).statusCode).toBe(413);
    const photo = await up('image/png', PNG);
    expect(photo.statusCode).toBe(201);
    const sha = createHash('sha256').update(PNG).digest('hex');
    expect(photo.json()).toMatchObject({ sha256: sha, contentType: 'image/png', bytes: PNG.length, uploadedBy: 'user:unit1' });
    const img = await get(insp1, photo.json().url);
    expect(img.statusCode).toBe(200);
    expect(createHash('sha256').update(img.rawPayload).digest('hex')).toBe(sha);

    expect((await send(insp1, 'POST', `/api/v1/alarms/${el1}/verification`, { verdict: 'rejected' })).statusCode).toBe(400);
    const rejected = (await send(insp1, 'POST', `/api/v1/alarms/${el1}/verification`, { verdict: 'rejected', reason: '照片不清楚' })).json();
    expect(rejected).toMatchObject({ state: 'acknowledged', reworkCount: 1, rectifiedAt: null });
    // the new SMS goes through the escalation queue contract (the alerts workers send it)
    const redis = new Redis(w.redis.url);
    try {
      const job = await redis.hgetall(`${alertsKeys(w.config.common.keyPrefix).bullPrefix}:alerts-escalation:${el1}-rework-1`);
      expect(job.name).toBe('rework');
      expect(JSON.parse(job.data!)).toEqual({ alarmId: el1, round: 1, reason: '照片不清楚' });
    } finally {
      redis.disconnect();
    }
    expect((await send(insp1, 'POST', `/api/v1/alarms/${el1}/verification`, { verdict: 'accepted' })).json().code).toBe('TW_CONFLICT');
    await send(unit1, 'POST', `/api/v1/alarms/${el1}/rectification`, { note: '已重新更换并拍照' });
    const closed = (await send(insp1, 'POST', `/api/v1/alarms/${el1}/verification`, { verdict: 'accepted' })).json();
    expect(closed).toMatchObject({ state: 'closed', outcome: 'resolved', verifiedBy: 'user:insp1', closedBy: 'user:insp1' });

    const d = (await get(unit1, `/api/v1/alarms/${el1}`)).json();
    expect(d.comments.map((c: { body: string }) => c.body)).toEqual(['请尽快处理']);
    expect(d.verifications.map((v: { verdict: string; reason: string }) => [v.verdict, v.reason])).toEqual([['rejected', '照片不清楚'], ['accepted', '']]);
    expect(d.steps.map((s: { action: string }) => s.action)).toEqual([
      'alarm.raised', 'alarm.acknowledged', 'alarm.commented', 'alarm.assigned', 'alarm.rectified', 'alarm.photo_added', 'alarm.rectification_rejected', 'alarm.rectified', 'alarm.verified',
    ]);
  });

  it('bulk-acknowledges for inspectors, skipping what is out of scope or not open', async () => {
    const res = await send(insp2, 'POST', '/api/v1/alarms/acknowledge', { ids: [el3, cam3, el1, 424242] });
    expect(res.json()).toEqual({ acknowledged: [el3, cam3], skipped: [el1, 424242] });
    expect((await get(insp2, '/api/v1/alarms/counter')).json()).toMatchObject({ open: 0, acknowledged: 2 });
  });
});
