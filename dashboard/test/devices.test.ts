import { waitFor } from '@tianwang/core/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createAlarmService } from '@tianwang/alerts/actions';
import { login, startWorld, type Login, type World } from './helpers/world.js';
import { xlsxRows } from './helpers/xlsx.js';

let w: World;
let admin: Login;
let insp1: Login;
let unit1: Login;
let maint1: Login;

beforeAll(async () => {
  w = await startWorld();
  // a few more devices in U2 for paging
  for (let n = 4; n <= 9; n++) {
    await w.registry.devices.upsert({
      id: `EL-${n}`, kind: 'elevator', registrationCode: `3110310100201907000${n}`, name: `${n}号梯`, location: `${n}号楼`, unitId: 'U2', maintenanceCompanyId: 'M2',
      model: '', rated: {}, telemetryIntervalS: 10, lastMaintenanceOn: new Date().toISOString().slice(0, 10), inspectionValidUntil: '2099-01-01',
    });
  }
  const alarms = createAlarmService(w.registry);
  await alarms.record({ action: 'raise', type: 'fault:11', severity: 'critical', title: { zh: '困人', en: 'trapped' }, at: Date.now() }, { type: 'device', id: 'EL-2', unitId: 'U2' }, 1);
  [admin, insp1, unit1, maint1] = (await Promise.all(['admin', 'insp1', 'unit1', 'maint1'].map((u) => login(w.dashboard, u)))) as [Login, Login, Login, Login];
  await w.dashboard.api.live.refreshSoon();
  // the board re-reads the registry (the devices and the alarm added after start)
  await waitFor(() => w.dashboard.api.live.board.size >= 10 && w.dashboard.api.live.board.get('EL-2')?.activeAlarms === 1, { timeoutMs: 10_000, what: 'the board loaded with the alarm on EL-2' });
});
afterAll(async () => w?.close());

const get = (s: Login, url: string) => w.dashboard.app.inject({ method: 'GET', url, headers: s.headers() });
const ids = (res: LightMyRequestResponse) => (res.json().items as { id: string }[]).map((d) => d.id);

const sheet = xlsxRows;

describe('board list', () => {
  it('lists the board rows in scope with their registry facts and calendar marks', async () => {
    const res = await get(insp1, '/api/v1/devices?limit=100');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(9);
    const el1 = body.items.find((d: { id: string }) => d.id === 'EL-1');
    expect(el1).toMatchObject({
      kind: 'elevator', registrationCode: '31103101002019070001', unitId: 'U1', unitName: '阳光花园', districtId: 'G1', districtName: '东一网格', maintenanceCompanyId: 'M1',
      online: null, telemetry: null, activeEvents: [], activeAlarms: 0, maintenanceOverdue: true, inspectionExpiring: false, inspectionExpired: false,
    });
    expect(body.items.find((d: { id: string }) => d.id === 'EL-2').activeAlarms).toBe(1);
    expect(ids(await get(unit1, '/api/v1/devices'))).toEqual(['BL-1', 'EL-1']);
    expect(ids(await get(maint1, '/api/v1/devices'))).toEqual(['EL-1', 'EL-3']);
    expect((await get(admin, '/api/v1/devices')).json().total).toBe(10);
  });

  it('filters by text, kind, district node, unit, alarm and overdue', async () => {
    expect(ids(await get(insp1, '/api/v1/devices?q=%E9%98%B3%E5%85%89'))).toEqual(['BL-1', 'EL-1']); // 阳光 (unit name)
    expect(ids(await get(insp1, '/api/v1/devices?q=9070005'))).toEqual(['EL-5']);
    expect(ids(await get(insp1, '/api/v1/devices?kind=boiler'))).toEqual(['BL-1']);
    expect(ids(await get(admin, '/api/v1/devices?districtId=G1'))).toEqual(['BL-1', 'EL-1']);
    expect((await get(admin, '/api/v1/devices?districtId=D1')).json().total).toBe(9);
    expect(ids(await get(admin, '/api/v1/devices?unitId=U3'))).toEqual(['EL-3']);
    expect(ids(await get(admin, '/api/v1/devices?alarm=true'))).toEqual(['EL-2']);
    expect(ids(await get(admin, '/api/v1/devices?overdue=true'))).toEqual(['EL-1', 'EL-2', 'EL-3']);
    expect((await get(admin, '/api/v1/devices?online=true')).json().total).toBe(0);
    // a district outside the caller's scope filters to nothing (it does not widen the scope)
    expect((await get(insp1, '/api/v1/devices?districtId=D2')).json().total).toBe(0);
    expect((await get(admin, '/api/v1/devices?kind=tractor')).json().code).toBe('TW_PAYLOAD_INVALID');
  });

  it('pages with an opaque cursor in any sort order, never repeating or skipping a row', async () => {
    for (const [sort, order] of [['id', 'asc'], ['name', 'desc'], ['unitName', 'asc'], ['activeAlarms', 'desc']] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: LightMyRequestResponse = await get(admin, `/api/v1/devices?limit=3&sort=${sort}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode).toBe(200);
        seen.push(...ids(res));
        cursor = res.json().nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(10);
      expect(new Set(seen).size).toBe(10);
      const all = ids(await get(admin, `/api/v1/devices?limit=100&sort=${sort}&order=${order}`));
      expect(seen).toEqual(all);
    }
    expect(ids(await get(admin, '/api/v1/devices?sort=name&order=desc&limit=2'))).toEqual(['EL-9', 'EL-8']);
    const first = (await get(admin, '/api/v1/devices?limit=2')).json();
    const wrongSort = await get(admin, `/api/v1/devices?limit=2&sort=name&cursor=${first.nextCursor}`);
    expect(wrongSort.statusCode).toBe(400);
    expect((await get(admin, '/api/v1/devices?cursor=garbage')).json().code).toBe('TW_PAYLOAD_INVALID');
  });

  // the board reads its scope from memory in pages of up to 5,000 (one request for a district); SQL lists stay at 1,000
  it('takes pages of up to 5,000 devices, and refuses more; other lists keep their 1,000', async () => {
    const page = await get(admin, '/api/v1/devices?limit=5000');
    expect([page.statusCode, page.json().items.length, page.json().nextCursor]).toEqual([200, page.json().total, null]);
    expect((await get(admin, '/api/v1/devices?limit=5001')).json().code).toBe('TW_PAYLOAD_INVALID');
    expect((await get(admin, '/api/v1/units?limit=1000')).statusCode).toBe(200);
    expect((await get(admin, '/api/v1/units?limit=1001')).json().code).toBe('TW_PAYLOAD_INVALID');
  });

  it('exports the same filtered, scoped rows as .xlsx with Chinese headers, all pages', async () => {
    const rows = await sheet(await get(insp1, '/api/v1/devices?format=xlsx&limit=2&kind=elevator'));
    expect(rows[0]!.slice(0, 7)).toEqual(['设备编号', '类型', '注册代码', '名称', '位置', '使用单位', '辖区']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['EL-1', 'EL-2', 'EL-4', 'EL-5', 'EL-6', 'EL-7', 'EL-8', 'EL-9']);
    expect(rows[1]!.slice(1, 7)).toEqual(['电梯', '31103101002019070001', '1号梯', '1号楼', '阳光花园', '东一网格']);
    const unitRows = await sheet(await get(unit1, '/api/v1/devices?format=xlsx'));
    expect(unitRows.slice(1).map((r) => r[0])).toEqual(['BL-1', 'EL-1']);
  });

  it('counts the board in scope', async () => {
    expect((await get(insp1, '/api/v1/board/summary')).json()).toEqual({ devices: 9, online: 0, onlineRate: 0, inAlarm: 1, maintenanceOverdue: 2, inspectionExpiring: 0, inspectionExpired: 0 });
    expect((await get(maint1, '/api/v1/board/summary')).json()).toMatchObject({ devices: 2, inAlarm: 0, maintenanceOverdue: 2 });
  });
});

describe('device file', () => {
  it('answers identity, unit with contacts, maintenance company, live row and counts', async () => {
    const res = await get(unit1, '/api/v1/devices/EL-1');
    expect(res.statusCode).toBe(200);
    const f = res.json();
    expect(f.device).toMatchObject({ id: 'EL-1', kind: 'elevator', model: 'GeN2', rated: { ratedSpeed: 1.75, ratedLoad: 1000, floors: 18 }, lastMaintenanceOn: '2020-01-01', enabled: true });
    expect(f.unit).toMatchObject({ id: 'U1', name: '阳光花园', districtName: '东一网格', safetyOfficerPhone: '+8613800000001' });
    expect(f.maintenanceCompany).toMatchObject({ id: 'M1', name: '快修电梯', emergencyPhone: '+864001234567' });
    expect(f.live).toMatchObject({ id: 'EL-1', maintenanceOverdue: true });
    expect(f.counts).toEqual({ activeAlarms: 0, alarms: 0, notifications: 0, maintenanceRecords: 0, inspectionRecords: 0 });
    expect((await get(unit1, '/api/v1/devices/EL-2')).statusCode).toBe(404);
    expect((await get(unit1, '/api/v1/devices/EL-404')).json()).toEqual({ code: 'TW_NOT_FOUND', message: 'device EL-404 not found' });
    expect((await get(unit1, '/api/v1/devices/EL-2')).json()).toEqual({ code: 'TW_NOT_FOUND', message: 'device EL-2 not found' });
  });

  it('a maintenance record resets the 15-day rule on the board; inspections set the validity; both audited', async () => {
    // EL-1 as seeded again afterwards (passed or failed), for the tests that read it: no records, maintenance overdue
    onTestFinished(async () => {
      await w.registry.db.query(`DELETE FROM maintenance_records WHERE device_id = 'EL-1'`);
      await w.registry.db.query(`DELETE FROM inspection_records WHERE device_id = 'EL-1'`);
      await w.registry.db.query(`UPDATE devices SET last_maintenance_on = '2020-01-01', inspection_valid_until = '2099-01-01' WHERE id = 'EL-1'`);
      await w.dashboard.api.live.refreshSoon();
      await waitFor(() => w.dashboard.api.live.board.get('EL-1')?.maintenanceOverdue, { timeoutMs: 10_000, what: 'EL-1 overdue again on the board' });
    });
    const today = new Date().toISOString().slice(0, 10);
    const post = (s: Login, url: string, payload: unknown) => w.dashboard.app.inject({ method: 'POST', url, headers: s.headers(true), payload: payload as object });
    const m = await post(maint1, '/api/v1/devices/EL-1/maintenance', { doneOn: today, technician: '赵师傅', items: ['曳引机', '门锁回路'] });
    expect(m.statusCode).toBe(201);
    expect(m.json()).toMatchObject({ deviceId: 'EL-1', doneOn: today, companyId: 'M1', technician: '赵师傅', items: ['曳引机', '门锁回路'], createdBy: 'user:maint1' });
    expect((await post(maint1, '/api/v1/devices/EL-1/maintenance', { doneOn: today, technician: 'x', companyId: 'M2' })).statusCode).toBe(403);
    expect((await post(maint1, '/api/v1/devices/EL-2/maintenance', { doneOn: today, technician: 'x' })).statusCode).toBe(404);
    expect((await post(insp1, '/api/v1/devices/EL-1/maintenance', { doneOn: today, technician: 'x' })).statusCode).toBe(403);
    expect((await post(admin, '/api/v1/devices/EL-1/maintenance', { doneOn: '2999-01-01', technician: 'x' })).statusCode).toBe(400);
    await waitFor(() => !w.dashboard.api.live.board.get('EL-1')?.maintenanceOverdue, { timeoutMs: 10_000, what: 'EL-1 no longer overdue on the board' });
    expect(w.dashboard.api.live.board.get('EL-1')?.maintenanceOverdue).toBe(false);
    const list = (await get(unit1, '/api/v1/devices/EL-1/maintenance')).json();
    expect(list.items.map((r: { technician: string }) => r.technician)).toEqual(['赵师傅']);

    const i = await post(insp1, '/api/v1/devices/EL-1/inspections', { inspectedOn: today, result: 'pass', nextDue: '2030-06-30', reportNo: 'DT-1' });
    expect(i.statusCode).toBe(201);
    expect((await post(insp1, '/api/v1/devices/EL-1/inspections', { inspectedOn: today, result: 'pass' })).statusCode).toBe(400);
    expect((await post(unit1, '/api/v1/devices/EL-1/inspections', { inspectedOn: today, result: 'pass', nextDue: '2030-06-30' })).statusCode).toBe(403);
    expect((await get(unit1, '/api/v1/devices/EL-1')).json().device.inspectionValidUntil).toBe('2030-06-30');
    // the newest two (the audit log is append-only: a retry finds the first attempt's entries after them)
    const audit = (await get(insp1, '/api/v1/devices/EL-1/audit')).json().items.slice(0, 2);
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['device.inspection_recorded', 'device.maintenance_recorded']);
    expect(audit[1]).toMatchObject({ actor: 'user:maint1', via: 'dashboard', detail: { before: { lastMaintenanceOn: '2020-01-01' }, after: { lastMaintenanceOn: today } } });
    expect((await get(unit1, '/api/v1/devices/EL-1/audit')).statusCode).toBe(403);
    const rows = await sheet(await get(unit1, '/api/v1/devices/EL-1/maintenance?format=xlsx'));
    expect(rows[1]!.slice(0, 4)).toEqual([today, 'M1', '赵师傅', '曳引机、门锁回路']);
  });

  it('alarm history and SMS with masked phone numbers', async () => {
    const [alarm] = await w.registry.db.query<{ id: number }>(`SELECT id::int AS id FROM alarms WHERE subject_id = 'EL-2'`);
    await w.registry.db.query(`INSERT INTO notifications (alarm_id, stage, recipient_name, recipient_phone, template, body) VALUES ($1, 'officer', '东方医院安全员', '+8613812345678', 'alarm', 'x')`, [alarm!.id]);
    const alarms = (await get(insp1, '/api/v1/devices/EL-2/alarms')).json();
    expect(alarms.items).toHaveLength(1);
    expect(alarms.items[0]).toMatchObject({ type: 'fault:11', title: '困人', status: 'open', severity: 'critical' });
    const sms = (await get(insp1, '/api/v1/devices/EL-2/notifications')).json();
    expect(sms.items[0]).toMatchObject({ alarmTitle: '困人', stage: 'officer', recipientName: '东方医院安全员', status: 'queued' });
    expect(sms.items[0].recipientPhone).not.toContain('12345678');
    expect(sms.items[0].recipientPhone).toMatch(/\*{4}/);
    expect((await get(unit1, '/api/v1/devices/EL-2/notifications')).statusCode).toBe(404);
  });
});
