import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '@tianwang/core/registry';
import { REGISTRY_BACKENDS } from './helpers/registry-backends.js';

/** Migration 0004 (the dashboard workbench), on both backends: roles, district tree walk, records. */
describe.each(REGISTRY_BACKENDS)('registry workbench additions (%s)', (_name, open) => {
  let registry: Registry;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ registry, cleanup } = await open());
    await registry.districts.upsert({ id: 'D1', name: '示范区', kind: 'district', parentId: null });
    await registry.districts.upsert({ id: 'G1', name: '一网格', kind: 'grid', parentId: 'D1' });
    await registry.districts.upsert({ id: 'G1a', name: '一网格甲片', kind: 'grid', parentId: 'G1' });
    await registry.districts.upsert({ id: 'D2', name: '邻区', kind: 'district', parentId: null });
    await registry.units.upsert({
      id: 'U1', creditCode: '91310000MA1FL0AB2C', name: '幸福小区物业', address: '', districtId: 'G1a',
      safetyOfficerName: '张', safetyOfficerPhone: '+8613800000001', principalName: '李', principalPhone: '+8613800000002',
    });
    await registry.units.upsertMaintenanceCompany({ id: 'M1', name: '快修电梯', creditCode: null, contactName: '王', contactPhone: '', emergencyPhone: '+8640000000' });
    await registry.devices.upsert({
      id: 'EL-1', kind: 'elevator', registrationCode: '31103101002019070001', name: '1号梯', location: '', unitId: 'U1', maintenanceCompanyId: 'M1',
      model: '', rated: {}, telemetryIntervalS: 10, lastMaintenanceOn: '2026-01-10', inspectionValidUntil: '2026-06-01',
    });
  }, 60_000);
  afterAll(async () => cleanup?.());

  it('walks the district tree under a node, grids of grids included', async () => {
    expect((await registry.districts.subtree('D1')).map((d) => d.id)).toEqual(['D1', 'G1', 'G1a']);
    expect((await registry.districts.subtree('G1')).map((d) => d.id)).toEqual(['G1', 'G1a']);
    expect((await registry.districts.subtree('D2')).map((d) => d.id)).toEqual(['D2']);
    expect(await registry.districts.subtree('nope')).toEqual([]);
  });

  it('a maintenance user must name a company; other roles are refused', async () => {
    const base = { displayName: '维保', phone: null, districtId: null, unitId: null, password: 'pw-0123456789' };
    await expect(registry.users.create({ ...base, id: 'm0', username: 'maint0', role: 'maintenance' })).rejects.toThrow();
    await registry.users.create({ ...base, id: 'm1', username: 'maint9', role: 'maintenance', maintenanceCompanyId: 'M1' });
    expect(await registry.users.get('m1')).toMatchObject({ role: 'maintenance', maintenanceCompanyId: 'M1', enabled: true });
    await expect(registry.users.create({ ...base, id: 'x', username: 'xx1', role: 'boss' as 'admin' })).rejects.toThrow();
  });

  it('changes a password and records when', async () => {
    const before = (await registry.db.query<{ at: Date }>('SELECT password_changed_at AS at FROM users WHERE id = $1', ['m1']))[0]!.at;
    await registry.users.setPassword('m1', 'another-password');
    expect(await registry.users.checkPassword('m1', 'another-password')).toBe(true);
    expect(await registry.users.checkPassword('m1', 'pw-0123456789')).toBe(false);
    const after = (await registry.db.query<{ at: Date }>('SELECT password_changed_at AS at FROM users WHERE id = $1', ['m1']))[0]!.at;
    expect(new Date(after).getTime()).toBeGreaterThanOrEqual(new Date(before).getTime());
    const u = await registry.users.update('m1', { enabled: false, displayName: '停用' });
    expect(u).toMatchObject({ enabled: false, displayName: '停用' });
    expect(await registry.users.checkPassword('m1', 'another-password')).toBe(false);
  });

  it('a maintenance record moves the last maintenance date forward, never back', async () => {
    const r = await registry.records.addMaintenance({ deviceId: 'EL-1', doneOn: '2026-02-01', companyId: 'M1', technician: '赵师傅', items: ['曳引机', '门锁回路'], note: '', createdBy: 'user:m1' });
    expect(r).toMatchObject({ deviceId: 'EL-1', doneOn: '2026-02-01', items: ['曳引机', '门锁回路'] });
    expect((await registry.devices.get('EL-1')).lastMaintenanceOn).toBe('2026-02-01');
    await registry.records.addMaintenance({ deviceId: 'EL-1', doneOn: '2026-01-20', companyId: 'M1', technician: '赵师傅', items: [], note: '补录', createdBy: 'user:m1' });
    expect((await registry.devices.get('EL-1')).lastMaintenanceOn).toBe('2026-02-01');
    await expect(registry.records.addMaintenance({ deviceId: 'EL-404', doneOn: '2026-02-01', companyId: null, technician: 'x', items: [], note: '', createdBy: 'x' })).rejects.toThrow(/not found/);
  });

  it('an inspection sets the certificate validity: next due on a pass, the inspection day on a failure', async () => {
    await registry.records.addInspection({ deviceId: 'EL-1', inspectedOn: '2026-05-20', result: 'pass', nextDue: '2027-05-19', reportNo: 'DT-2026-001', note: '', createdBy: 'user:i1' });
    expect((await registry.devices.get('EL-1')).inspectionValidUntil).toBe('2027-05-19');
    const failed = await registry.records.addInspection({ deviceId: 'EL-1', inspectedOn: '2026-07-01', result: 'fail', nextDue: '2026-08-01', reportNo: 'DT-2026-002', note: '制动器', createdBy: 'user:i1' });
    expect(failed).toMatchObject({ result: 'fail', inspectedOn: '2026-07-01', nextDue: '2026-08-01' });
    expect((await registry.devices.get('EL-1')).inspectionValidUntil).toBe('2026-07-01');
  });

  it('a kitchen may belong to a using unit', async () => {
    await registry.kitchens.upsert({
      id: 'K1', name: '食堂', licenceNo: 'JY1', address: '', districtId: 'G1a', riskClass: 'B', contactName: '', contactPhone: '', businessHours: '06:00-19:00', publicViewing: false, unitId: 'U1',
    });
    expect((await registry.kitchens.get('K1')).unitId).toBe('U1');
  });
});
