import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { InjectOptions } from 'fastify';
import { verifySecret } from '@tianwang/core/crypto';
import { makeCreditCode } from '@tianwang/core/demo';
import { freePort } from '@tianwang/core/testing';
import { openSse } from './helpers/sse.js';
import { PASSWORD, login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let admin: Login;
let base: string;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeAll(async () => {
  const port = await freePort();
  w = await startWorld({ env: { TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port) } });
  await w.dashboard.start();
  base = `http://127.0.0.1:${port}`;
  admin = await login(w.dashboard, 'admin');
});
afterAll(async () => w?.close());

const call = (s: Login, method: InjectOptions['method'], url: string, payload?: unknown) =>
  w.dashboard.app.inject({ method, url, headers: s.headers(method !== 'GET'), ...(payload !== undefined ? { payload: payload as object } : {}) });
const audit = (type: string, id: string) => w.registry.audit.forSubject(type, id);

async function workbook(header: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('x');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
const upload = (kind: string, body: Buffer) => w.dashboard.app.inject({ method: 'POST', url: `/api/v1/import/${kind}`, headers: { ...admin.headers(true), 'content-type': XLSX }, payload: body });

describe('registry management', () => {
  it('creates and edits a unit with E.164 contacts; every change audited with before and after', async () => {
    const code = makeCreditCode('310115', 'MA1234567');
    const bad = await call(admin, 'POST', '/api/v1/units', { id: 'U9', creditCode: code, name: '新单位', districtId: 'G1', safetyOfficerName: '甲', safetyOfficerPhone: '13800000000', principalName: '乙', principalPhone: '+8613800000002' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('E.164');
    const wrongCheck = await call(admin, 'POST', '/api/v1/units', { id: 'U9', creditCode: `${code.slice(0, 17)}${code.endsWith('0') ? '1' : '0'}`, name: '新单位', districtId: 'G1', safetyOfficerName: '甲', safetyOfficerPhone: '+8613800000001', principalName: '乙', principalPhone: '+8613800000002' });
    expect(wrongCheck.statusCode).toBe(400);
    const created = await call(admin, 'POST', '/api/v1/units', { id: 'U9', creditCode: code, name: '新单位', districtId: 'G1', safetyOfficerName: '甲', safetyOfficerPhone: '+8613800000001', principalName: '乙', principalPhone: '+8613800000002' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'U9', name: '新单位', districtName: '东一网格', address: '', devices: 0 });
    expect((await call(admin, 'POST', '/api/v1/units', { id: 'U9', creditCode: makeCreditCode('310115', 'MA7654321'), name: 'x', districtId: 'G1', safetyOfficerName: '甲', safetyOfficerPhone: '+8613800000001', principalName: '乙', principalPhone: '+8613800000002' })).json().code).toBe('TW_CONFLICT');
    const edited = await call(admin, 'PATCH', '/api/v1/units/U9', { name: '新单位（更名）', safetyOfficerPhone: '+8613900000009' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ name: '新单位（更名）', safetyOfficerPhone: '+8613900000009', creditCode: code });
    const trail = await audit('unit', 'U9');
    expect(trail.map((e) => e.action)).toEqual(['unit.created', 'unit.updated']);
    expect(trail[1]).toMatchObject({ actor: 'user:admin', actorType: 'user', via: 'dashboard' });
    expect(trail[1]!.detail).toMatchObject({ before: { name: '新单位', safetyOfficerPhone: '+8613800000001' }, after: { name: '新单位（更名）', safetyOfficerPhone: '+8613900000009' } });
    expect((await call(admin, 'PATCH', '/api/v1/units/U404', { name: 'x' })).statusCode).toBe(404);
    const insp = await login(w.dashboard, 'insp1');
    expect((await call(insp, 'PATCH', '/api/v1/units/U1', { name: 'x' })).statusCode).toBe(403);
    expect((await call(insp, 'GET', '/api/v1/units/U9')).json().name).toBe('新单位（更名）');
  });

  it('registers a device and shows its secret once; rotation answers a new one; disabling is audited', async () => {
    const res = await call(admin, 'POST', '/api/v1/devices', { id: 'EL-NEW', kind: 'elevator', registrationCode: '31103101002019079999', name: '新梯', unitId: 'U1', lastMaintenanceOn: null, inspectionValidUntil: null, rated: { floors: 12 } });
    expect(res.statusCode).toBe(201);
    const { device, secret } = res.json();
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(device).toMatchObject({ id: 'EL-NEW', kind: 'elevator', enabled: true, telemetryIntervalS: 10, rated: { floors: 12 } });
    expect(JSON.stringify(device)).not.toContain('credential_hash');
    expect(verifySecret(secret, (await w.registry.devices.getAuth('EL-NEW'))?.credentialHash)).toBe(true);
    expect((await call(admin, 'POST', '/api/v1/devices', { id: 'EL-BAD', kind: 'elevator', registrationCode: '123', name: 'x', unitId: 'U1', lastMaintenanceOn: null, inspectionValidUntil: null })).statusCode).toBe(400);
    const rotated = await call(admin, 'POST', '/api/v1/devices/EL-NEW/credential');
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).not.toBe(secret);
    expect(verifySecret(secret, (await w.registry.devices.getAuth('EL-NEW'))?.credentialHash)).toBe(false);
    expect(verifySecret(rotated.json().secret, (await w.registry.devices.getAuth('EL-NEW'))?.credentialHash)).toBe(true);
    const disabled = await call(admin, 'PATCH', '/api/v1/devices/EL-NEW', { enabled: false });
    expect(disabled.json().enabled).toBe(false);
    const trail = await audit('device', 'EL-NEW');
    expect(trail.map((e) => e.action)).toEqual(['device.created', 'device.credential_rotated', 'device.disabled']);
    expect(trail[2]!.detail).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
    for (const e of trail) expect(JSON.stringify(e.detail)).not.toMatch(/s256\$|credentialHash/);
  });

  it('kitchens, cameras (push secret once, pull URL sealed and never shown) and maintenance companies', async () => {
    expect((await call(admin, 'POST', '/api/v1/kitchens', { id: 'K9', name: '新食堂', licenceNo: 'JY9', districtId: 'G1', unitId: 'U1', contactPhone: '+8613800000003' })).statusCode).toBe(201);
    const push = await call(admin, 'POST', '/api/v1/cameras', { id: 'CAM-9', kitchenId: 'K9', area: 'cooking', mode: 'push' });
    expect(push.statusCode).toBe(201);
    expect(push.json().secret).toMatch(/^[0-9a-f]{32}$/);
    expect(push.json().camera).toMatchObject({ id: 'CAM-9', kitchenName: '新食堂', hasPublishCredential: true, hasSource: false });
    const pull = await call(admin, 'POST', '/api/v1/cameras', { id: 'CAM-10', kitchenId: 'K9', area: 'raw', mode: 'pull', sourceUrl: 'rtsp://cam:pa55word@10.0.0.9/stream' });
    expect(pull.json()).toMatchObject({ secret: null, camera: { hasSource: true } });
    expect((await call(admin, 'POST', '/api/v1/cameras', { id: 'CAM-11', kitchenId: 'K9', area: 'raw', mode: 'pull' })).statusCode).toBe(400);
    expect(JSON.stringify((await call(admin, 'GET', '/api/v1/cameras?kitchenId=K9')).json())).not.toContain('pa55word');
    expect(JSON.stringify(await audit('camera', 'CAM-10'))).not.toContain('pa55word');
    const unit1 = await login(w.dashboard, 'unit1');
    expect((await call(unit1, 'GET', '/api/v1/cameras')).json().items.map((c: { id: string }) => c.id)).toEqual(['CAM-1', 'CAM-10', 'CAM-9']);
    expect((await call(admin, 'POST', '/api/v1/maintenance-companies', { id: 'M9', name: '新维保', emergencyPhone: '4001234567' })).statusCode).toBe(400);
    expect((await call(admin, 'POST', '/api/v1/maintenance-companies', { id: 'M9', name: '新维保', emergencyPhone: '+864001234567' })).statusCode).toBe(201);
  });

  it('users: disabling one revokes its sessions and ends its live stream; a role change revokes too', async () => {
    const created = await call(admin, 'POST', '/api/v1/users', { id: 'u-new', username: 'newbie', displayName: '新人', role: 'inspector', districtId: 'D1', password: 'a-long-password-1' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'newbie', role: 'inspector', enabled: true });
    expect(JSON.stringify(created.json())).not.toContain('scrypt');
    expect((await call(admin, 'POST', '/api/v1/users', { id: 'u-x', username: 'unitless', displayName: 'x', role: 'unit', password: 'a-long-password-1' })).statusCode).toBe(400);
    const s = await login(w.dashboard, 'newbie', 'a-long-password-1');
    const stream = await openSse(`${base}/api/v1/live`, s.headers());
    await stream.waitFor((e) => e.event === 'ready');
    expect((await call(admin, 'PATCH', '/api/v1/users/u-new', { enabled: false })).json().enabled).toBe(false);
    expect((await stream.waitFor((e) => e.event === 'end')).data).toEqual({ code: 'TW_UNAUTHENTICATED' });
    await stream.ended;
    expect((await call(s, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await w.dashboard.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'newbie', password: 'a-long-password-1' } })).statusCode).toBe(401);
    await call(admin, 'PATCH', '/api/v1/users/u-new', { enabled: true });
    const again = await login(w.dashboard, 'newbie', 'a-long-password-1');
    await call(admin, 'PATCH', '/api/v1/users/u-new', { districtId: 'D2' });
    expect((await call(again, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await audit('user', 'u-new')).map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.disabled', 'user.enabled', 'user.updated']));
    expect((await call(admin, 'PATCH', '/api/v1/users/admin', { enabled: false })).statusCode).toBe(403);
    const reset = await call(admin, 'POST', '/api/v1/users/u-new/password', { password: 'another-password-2' });
    expect(reset.statusCode).toBe(204);
    await login(w.dashboard, 'newbie', 'another-password-2');
    expect((await w.dashboard.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'newbie', password: PASSWORD } })).statusCode).toBe(401);
  });
});

describe('bulk import', () => {
  const unitHeader = ['编号', '统一社会信用代码', '名称', '地址', '辖区编号', '安全管理员', '安全管理员手机', '主要负责人', '负责人手机'];
  const unitRow = (id: string, tail: string, phone = '+8613800000011') => [id, makeCreditCode('310115', `MA${tail}`), `单位${id}`, '路1号', 'G2', '甲', phone, '乙', '+8613800000012'];

  it('imports nothing when any row is wrong, and says which rows and columns', async () => {
    const body = await workbook(unitHeader, [unitRow('UI-1', '1000001'), unitRow('UI-2', '1000002', '13800000011'), [...unitRow('UI-3', '1000003').slice(0, 4), 'G404', ...unitRow('UI-3', '1000003').slice(5)], unitRow('UI-1', '1000004')]);
    const res = await upload('units', body);
    expect(res.statusCode).toBe(400);
    const err = res.json();
    expect(err.code).toBe('TW_PAYLOAD_INVALID');
    expect(err.errors).toEqual([
      { row: 3, column: '安全管理员手机', message: 'an E.164 phone number, e.g. +8613800000000' },
      { row: 4, column: '辖区编号', message: 'no district G404' },
      { row: 5, column: '编号', message: 'the same as row 2' },
    ]);
    expect(await w.registry.db.query(`SELECT id FROM units WHERE id IN ('UI-1', 'UI-2', 'UI-3')`)).toEqual([]);
  });

  it('a row the database refuses undoes the whole import', async () => {
    // the second row reuses an existing unit's credit code: only the registry's unique index can tell
    const code = makeCreditCode('310115', 'MA5550001');
    await w.registry.units.upsert({ id: 'U-TAKEN', creditCode: code, name: '已有单位', address: '', districtId: 'G2', safetyOfficerName: '甲', safetyOfficerPhone: '+8613800000001', principalName: '乙', principalPhone: '+8613800000002' });
    const taken = [...unitRow('UI-6', '1000006')];
    taken[1] = code;
    const res = await upload('units', await workbook(unitHeader, [unitRow('UI-5', '1000005'), taken]));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ row: 3, column: '', message: 'already used by another record (units_credit_code_key)' }]);
    expect(await w.registry.db.query(`SELECT id FROM units WHERE id IN ('UI-5', 'UI-6')`)).toEqual([]);
  });

  it('imports every row in one go, devices with their secrets once', async () => {
    // units of its own (the tests above write none, and check that their own rows are not there)
    const units = await upload('units', await workbook(unitHeader, [unitRow('UI-8', '1000008'), unitRow('UI-9', '1000009')]));
    expect(units.statusCode).toBe(200);
    expect(units.json()).toEqual({ imported: 2, created: 2, updated: 0, credentials: [] });
    const header = ['编号', '类型', '注册代码', '名称', '位置', '使用单位编号', '维保单位编号', '层站数', '检验有效期至'];
    const devices = await upload('devices', await workbook(header, [
      ['EL-I1', '电梯', '31103101002019071001', '1号梯', '1栋', 'UI-8', 'M1', 18, new Date(Date.UTC(2027, 4, 31))],
      ['BL-I1', '锅炉', 'GL-I-1', '1号炉', '锅炉房', 'UI-9', null, null, null],
    ]));
    expect(devices.statusCode).toBe(200);
    const r = devices.json();
    expect(r).toMatchObject({ imported: 2, created: 2, updated: 0 });
    expect(r.credentials.map((c: { id: string }) => c.id)).toEqual(['EL-I1', 'BL-I1']);
    expect(verifySecret(r.credentials[0].secret, (await w.registry.devices.getAuth('EL-I1'))?.credentialHash)).toBe(true);
    expect(await w.registry.devices.get('EL-I1')).toMatchObject({ kind: 'elevator', rated: { floors: 18 }, inspectionValidUntil: '2027-05-31', maintenanceCompanyId: 'M1' });
    // importing again updates, keeps the credentials
    const again = await upload('devices', await workbook(['编号', '类型', '注册代码', '名称', '使用单位编号'], [['EL-I1', 'elevator', '31103101002019071001', '1号梯（改）', 'UI-8']]));
    expect(again.json()).toMatchObject({ imported: 1, created: 0, updated: 1, credentials: [] });
    expect(verifySecret(r.credentials[0].secret, (await w.registry.devices.getAuth('EL-I1'))?.credentialHash)).toBe(true);
    expect((await audit('device', 'EL-I1')).map((e) => e.action)).toEqual(['device.imported', 'device.imported']);
    expect((await upload('devices', await workbook(['编号', '颜色'], [['x', 'red']]))).json().errors).toEqual([{ row: 1, column: '颜色', message: 'unknown column' }]);
    expect((await upload('devices', Buffer.from('not a workbook'))).json().message).toBe('the body is not an .xlsx workbook');
    const template = await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/import/devices/template', headers: admin.headers() });
    expect(template.headers['content-type']).toBe(XLSX);
  });
});

describe('OpenAPI', () => {
  it('serves the document to signed-in callers and the Swagger UI to admins only', async () => {
    const insp = await login(w.dashboard, 'insp1');
    expect((await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode).toBe(401);
    const doc = (await call(insp, 'GET', '/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/auth/login', '/api/v1/me', '/api/v1/devices', '/api/v1/devices/{id}', '/api/v1/devices/{id}/history', '/api/v1/units', '/api/v1/live', '/api/v1/import/{kind}']) expect(Object.keys(doc.paths)).toContain(path);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/a/') || p === '/healthz')).toBe(false);
    expect(doc.paths['/api/v1/devices'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'sort', 'order', 'format', 'q', 'kind', 'districtId', 'online', 'alarm', 'overdue']));
    expect(doc.paths['/api/v1/devices/{id}'].get.responses['200'].content['application/json'].schema.properties.device).toBeDefined();
    expect((await w.dashboard.app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(401);
    expect((await call(insp, 'GET', '/api/docs/')).statusCode).toBe(403);
    const ui = await call(admin, 'GET', '/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
    expect(ui.headers['content-security-policy']).toContain("script-src 'self'");
    expect(ui.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect((await call(admin, 'GET', '/api/docs/json')).json().openapi).toBe('3.1.0');
  });
});
