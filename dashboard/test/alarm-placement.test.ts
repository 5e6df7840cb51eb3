import { makeCreditCode } from '@tianwang/core/demo';
import { alarmQueries } from '@tianwang/core/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startWorld, type Login, type World } from './helpers/world.js';

/**
 * An alarm's unit, district and kind are copied onto it (migration 0010-alarm-placement) so that the alarm centre's
 * filters are one index each. The copy must follow its subject: a device that changes unit (and so grid), a unit
 * moved to another grid, a kitchen handed to another unit or grid, a camera moved to another kitchen. Each move here
 * goes through the admin API, and the list filtered by the new place must hold the alarm, by the old one not, on
 * PGlite and PostgreSQL (the triggers are plpgsql on both).
 */
describe.each(['pglite', 'postgres'] as const)('alarm placement follows its subject (%s)', (backend) => {
  let w: World;
  let admin: Login;
  let n = 0;
  beforeAll(async () => {
    w = await startWorld({ backend });
    admin = await login(w.dashboard, 'admin');
  });
  afterAll(async () => w?.close());

  const fresh = (p: string) => `${p}-${backend === 'pglite' ? 'L' : 'P'}${++n}${Date.now() % 100_000}`;
  const patch = async (url: string, payload: object) => {
    const res = await w.dashboard.app.inject({ method: 'PATCH', url: `/api/v1${url}`, payload, headers: admin.headers(true) });
    expect(res.statusCode, res.body).toBe(200);
  };
  /** the ids of the alarms the list shows under a filter */
  const listed = async (q: Record<string, string>, as = admin) => {
    const res = await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/alarms?limit=1000&${new URLSearchParams(q).toString()}`, headers: as.headers() });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { total: number; items: { id: number; unitId: string | null; districtId: string | null }[] };
    // the count (written apart from the page for a unit's or a device's alarms: scopeSql.alarmsTwice) counts the same rows
    expect(body.total).toBe(body.items.length);
    return body.items;
  };
  const ids = async (q: Record<string, string>, as = admin) => (await listed(q, as)).map((a) => a.id);
  const raise = async (subjectType: 'device' | 'camera', subjectId: string, unitId: string | null = null) =>
    (await alarmQueries(w.registry.db).raise({ subjectType, subjectId, unitId, kitchenId: null, type: 'fault:11', severity: 'critical', title: '困人', at: new Date() })).alarm.id;
  const place = async (id: number) =>
    (await w.registry.db.query<{ unit_id: string | null; district_id: string | null; kind: string }>('SELECT unit_id, district_id, kind FROM alarms WHERE id = $1', [id]))[0];
  const elevator = async (id: string, unitId: string) => {
    const code = String(10_000_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15))).slice(0, 20);
    await w.registry.devices.upsert({
      id, kind: 'elevator', registrationCode: code, name: id, location: '', unitId, maintenanceCompanyId: 'M1', model: 'x',
      rated: { ratedSpeed: 1, ratedLoad: 800, floors: 6 }, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
    });
  };

  it('a new alarm is placed by its device, whatever unit the caller passed', async () => {
    const dev = fresh('EL');
    await elevator(dev, 'U2');
    const id = await raise('device', dev, 'U1');
    expect(await place(id)).toEqual({ unit_id: 'U2', district_id: 'G2', kind: 'elevator' });
  });

  it('a device moved to another unit takes its alarms to that unit and grid', async () => {
    const dev = fresh('EL');
    await elevator(dev, 'U2');
    const id = await raise('device', dev);
    expect(await ids({ unitId: 'U2' })).toContain(id);
    const [insp1, insp2] = [await login(w.dashboard, 'insp1'), await login(w.dashboard, 'insp2')];
    expect(await ids({}, insp1)).toContain(id);
    await patch(`/devices/${dev}`, { unitId: 'U3' });
    // the scope rests on the same columns: the alarm left D1's inspector for D2's
    expect(await ids({}, insp1)).not.toContain(id);
    expect(await ids({}, insp2)).toContain(id);
    expect(await ids({ unitId: 'U3' }, insp2)).toContain(id);
    expect(await ids({ unitId: 'U2' }, insp1)).not.toContain(id);
    expect(await place(id)).toEqual({ unit_id: 'U3', district_id: 'G3', kind: 'elevator' });
    expect(await ids({ unitId: 'U3' })).toContain(id);
    expect(await ids({ unitId: 'U2' })).not.toContain(id);
    expect(await ids({ districtId: 'G3', kind: 'elevator' })).toContain(id);
    expect(await ids({ districtId: 'D2' })).toContain(id);
    expect(await ids({ districtId: 'D1' })).not.toContain(id);
    // the filters and the row the list shows agree (the row's unit and district come from the joins)
    expect((await listed({ unitId: 'U3' })).find((a) => a.id === id)).toMatchObject({ unitId: 'U3', districtId: 'G3' });
  });

  it('a unit moved to another grid takes its devices\' alarms along', async () => {
    const unit = fresh('UM');
    await w.registry.units.upsert({
      id: unit, creditCode: makeCreditCode('310115', `MA1P${String(n).padStart(5, '0')}`), name: unit, address: '', districtId: 'G1', safetyOfficerName: '安全员', safetyOfficerPhone: '+8613800000001', principalName: '负责人', principalPhone: '+8613800000002',
    });
    const dev = fresh('EL');
    await elevator(dev, unit);
    const id = await raise('device', dev);
    expect(await ids({ districtId: 'G1' })).toContain(id);
    await patch(`/units/${unit}`, { districtId: 'G3' });
    expect(await place(id)).toEqual({ unit_id: unit, district_id: 'G3', kind: 'elevator' });
    expect(await ids({ districtId: 'G3' })).toContain(id);
    expect(await ids({ districtId: 'D1' })).not.toContain(id);
    expect(await ids({ unitId: unit, districtId: 'D2' })).toEqual([id]);
  });

  it('a kitchen handed to another unit and grid, and a camera moved to another kitchen, take the camera\'s alarms along', async () => {
    const k = fresh('KM');
    await w.registry.kitchens.upsert({ id: k, name: k, licenceNo: `JY${Date.now()}`, address: '', districtId: 'G1', riskClass: 'B', contactName: '', contactPhone: '', businessHours: '06:00-19:00', publicViewing: false, unitId: 'U1' });
    const cam = fresh('CAM');
    await w.registry.kitchens.upsertCamera({ id: cam, kitchenId: k, area: 'cooking', name: '烹饪区', mode: 'push', sourceUrlSealed: null, publishCredentialHash: null, recordingEnabled: true, recordingHours: null, enabled: true });
    const id = await raise('camera', cam);
    expect(await place(id)).toEqual({ unit_id: 'U1', district_id: 'G1', kind: 'camera' });
    expect(await ids({ unitId: 'U1', kind: 'camera' })).toContain(id);

    await patch(`/kitchens/${k}`, { unitId: 'U2', districtId: 'G2' });
    expect(await place(id)).toEqual({ unit_id: 'U2', district_id: 'G2', kind: 'camera' });
    expect(await ids({ unitId: 'U2' })).toContain(id);
    expect(await ids({ unitId: 'U1' })).not.toContain(id);

    await patch(`/cameras/${cam}`, { kitchenId: 'K3' });
    expect(await place(id)).toEqual({ unit_id: null, district_id: 'G3', kind: 'camera' });
    expect(await ids({ districtId: 'D2', kind: 'camera' })).toContain(id);
    expect(await ids({ districtId: 'D1' })).not.toContain(id);
    expect(await ids({ unitId: 'U2' })).not.toContain(id);
  });
});
