import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from '@tianwang/core/crypto';
import { migrate, notificationQueries, type Registry } from '@tianwang/core/registry';
import { REGISTRY_BACKENDS } from './helpers/registry-backends.js';

/**
 * One contract suite, run against every backend: embedded PGlite and a real PostgreSQL server (Debian's).
 */

/** An elevator of U1 maintained by M1, last maintained 2026-11-01, with the secret s3cret-s3cret-s3cret. */
const elevator = (id: string) => ({
  id, kind: 'elevator' as const, registrationCode: `3110310100201907${id.slice(-4)}`, name: '1号梯', location: '1栋', unitId: 'U1',
  maintenanceCompanyId: 'M1', model: 'GeN2', rated: { ratedSpeed: 1.75, ratedLoad: 1000, floors: 18 }, telemetryIntervalS: 10,
  lastMaintenanceOn: '2026-11-01', inspectionValidUntil: '2027-03-31', credentialHash: hashSecret('s3cret-s3cret-s3cret'),
});

describe.each(REGISTRY_BACKENDS)('registry contract (%s)', (_name, open) => {
  let registry: Registry;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ registry, cleanup } = await open());
    await registry.districts.upsert({ id: 'D1', name: '示范区', kind: 'district', parentId: null });
    await registry.units.upsert({
      id: 'U1', creditCode: '91310000MA1FL0AB2C', name: '幸福小区物业', address: '幸福路 1 号', districtId: 'D1',
      safetyOfficerName: '张安全', safetyOfficerPhone: '+8613800000001', principalName: '李负责', principalPhone: '+8613800000002',
    });
    await registry.units.upsertMaintenanceCompany({ id: 'M1', name: '快修电梯', creditCode: null, contactName: '王', contactPhone: '1', emergencyPhone: '+8640000000' });
    // the elevator the calendar and alarm tests read; the tests that write a device write their own
    await registry.devices.upsert(elevator('EL-0001'));
  }, 60_000);
  afterAll(async () => cleanup?.());

  /** An open alarm of its own for the test that asks (a fresh type each time: one active alarm per subject and type). */
  let alarms = 0;
  const openAlarm = async () =>
    (await registry.db.query<{ id: number }>(`INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, title) VALUES ('device', 'EL-0001', 'U1', $1, 'major', 'x') RETURNING id`, [`test:${++alarms}`]))[0]!;

  it('migrations are idempotent', async () => {
    expect(await migrate(registry.db)).toEqual([]);
  });

  it('refuses a malformed credit code', async () => {
    await expect(
      registry.units.upsert({ id: 'U2', creditCode: 'not-a-code', name: 'x', address: '', districtId: 'D1', safetyOfficerName: 'a', safetyOfficerPhone: '1', principalName: 'b', principalPhone: '2' }),
    ).rejects.toThrow();
  });

  it('stores a device and reads it back with dates as YYYY-MM-DD', async () => {
    await registry.devices.upsert(elevator('EL-0003'));
    const d = await registry.devices.get('EL-0003');
    expect(d).toMatchObject({ kind: 'elevator', lastMaintenanceOn: '2026-11-01', inspectionValidUntil: '2027-03-31', enabled: true });
    expect(d.rated.ratedSpeed).toBe(1.75);
    const auth = await registry.devices.getAuth('EL-0003');
    expect(auth).toMatchObject({ id: 'EL-0003', kind: 'elevator', unitId: 'U1', districtId: 'D1', enabled: true });
    expect(verifySecret('s3cret-s3cret-s3cret', auth?.credentialHash)).toBe(true);
    expect(verifySecret('wrong', auth?.credentialHash)).toBe(false);
    expect(await registry.devices.getAuth('EL-9999')).toBeUndefined();
    const ctx = await registry.devices.context('EL-0003');
    expect(ctx).toMatchObject({ unitName: '幸福小区物业', safetyOfficerPhone: '+8613800000001', maintenanceEmergencyPhone: '+8640000000' });
  });

  it('an elevator needs a 20-digit registration code', async () => {
    await expect(
      registry.devices.upsert({ id: 'EL-0002', kind: 'elevator', registrationCode: '123', name: 'x', location: '', unitId: 'U1', maintenanceCompanyId: null, model: '', rated: {}, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null }),
    ).rejects.toThrow();
  });

  it('disabling a device and rotating its credential show in the auth lookup', async () => {
    await registry.devices.upsert(elevator('EL-0004'));
    await registry.devices.setEnabled('EL-0004', false);
    expect((await registry.devices.getAuth('EL-0004'))?.enabled).toBe(false);
    await registry.devices.setEnabled('EL-0004', true);
    await registry.devices.setCredential('EL-0004', hashSecret('new-secret-new-secret'));
    const auth = await registry.devices.getAuth('EL-0004');
    expect(verifySecret('s3cret-s3cret-s3cret', auth?.credentialHash)).toBe(false);
    expect(verifySecret('new-secret-new-secret', auth?.credentialHash)).toBe(true);
  });

  it('calendar query finds overdue maintenance and expiring inspection', async () => {
    const due = await registry.devices.listCalendarDue('2026-11-22', 15, 30);
    expect(due.map((d) => d.id)).toContain('EL-0001'); // last maintenance 21 days ago
    const notDue = await registry.devices.listCalendarDue('2026-11-10', 15, 30);
    expect(notDue.map((d) => d.id)).not.toContain('EL-0001');
  });

  it('keeps one active alarm per subject and type', async () => {
    const insert = () =>
      registry.db.query(`INSERT INTO alarms (subject_type, subject_id, unit_id, type, severity, title) VALUES ('device', 'EL-0001', 'U1', 'fault:11', 'critical', '困人')`);
    await insert();
    await expect(insert()).rejects.toThrow();
    await registry.db.query(`UPDATE alarms SET status = 'closed', closed_at = now() WHERE subject_id = 'EL-0001'`);
    await insert(); // a new one is fine once the first is closed
  });

  it('sends each (alarm, stage, recipient) at most once', async () => {
    const alarm = await openAlarm();
    const insert = () =>
      registry.db.query(`INSERT INTO notifications (alarm_id, stage, recipient_phone, template) VALUES ($1, 'officer', '+8613800000001', 'alarm')`, [alarm.id]);
    await insert();
    await expect(insert()).rejects.toThrow();
  });

  it('a claim is taken back only once it is older than the interruption timeout', async () => {
    const alarm = await openAlarm();
    const q = notificationQueries(registry.db);
    const id = (await q.createOnce({ alarmId: alarm.id, stage: 'principal', recipientName: 'p', recipientPhone: '+8613800000002', template: 'alarm', params: {}, body: 'b', locale: 'zh-CN' }))!;
    const [claimed] = await q.claim([id]);
    expect(claimed!.claimedAt).toBeInstanceOf(Date);
    expect(await q.reclaimInterrupted(60_000)).toEqual([]);
    await registry.db.query(`UPDATE notifications SET claimed_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
    expect((await q.reclaimInterrupted(60_000)).map((n) => [n.id, n.status])).toEqual([[id, 'queued']]);
    expect(await q.reclaimInterrupted(60_000)).toEqual([]);
  });

  it('the audit log is append-only', async () => {
    await registry.audit.append({ actor: 'system', actorType: 'system', action: 'alarm.open', subjectType: 'alarm', subjectId: '1', via: 'automatic', detail: { a: 1 } });
    const entries = await registry.audit.forSubject('alarm', '1');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'system', via: 'automatic', detail: { a: 1 } });
    await expect(registry.db.query('UPDATE audit_log SET actor = $1', ['mallory'])).rejects.toThrow(/append-only/);
    await expect(registry.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('authenticates users by scrypt hash; wrong password and unknown user look alike', async () => {
    await registry.users.upsert({ id: 'u-insp', username: 'inspector1', displayName: '检查员一', role: 'inspector', phone: null, districtId: 'D1', unitId: null, password: 'correct horse battery' });
    const [row] = await registry.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE id = 'u-insp'`);
    expect(row!.password_hash).toMatch(/^scrypt\$/);
    expect(row!.password_hash).not.toContain('correct horse');
    expect(await registry.users.authenticate('inspector1', 'correct horse battery')).toMatchObject({ id: 'u-insp', role: 'inspector' });
    expect(await registry.users.authenticate('inspector1', 'wrong')).toBeUndefined();
    expect(await registry.users.authenticate('nobody', 'wrong')).toBeUndefined();
  });

  it('a unit user must belong to a unit', async () => {
    await expect(
      registry.users.upsert({ id: 'u-x', username: 'unit-x', displayName: 'x', role: 'unit', phone: null, districtId: null, unitId: null, password: 'pw-pw-pw-pw' }),
    ).rejects.toThrow();
  });

  it('kitchens and cameras: a pull camera needs a sealed source URL', async () => {
    await registry.kitchens.upsert({ id: 'K1', name: '老王面馆', licenceNo: 'JY13101010000001', address: '', districtId: 'D1', riskClass: 'B', contactName: '', contactPhone: '', businessHours: '09:00-22:00', publicViewing: true });
    await registry.kitchens.upsertCamera({ id: 'CAM-1', kitchenId: 'K1', area: 'cooking', name: '烹饪区', mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret('x'), recordingEnabled: true, recordingHours: null, enabled: true });
    expect((await registry.kitchens.listCameras({ kitchenId: 'K1' })).map((c) => c.id)).toEqual(['CAM-1']);
    await expect(
      registry.kitchens.upsertCamera({ id: 'CAM-2', kitchenId: 'K1', area: 'raw', name: '', mode: 'pull', sourceUrlSealed: null, publishCredentialHash: null, recordingEnabled: true, recordingHours: null, enabled: true }),
    ).rejects.toThrow();
  });

  // A registry id is a key, not free text: it becomes an InfluxDB tag, a Redis key, a log field (ids.ts).
  it.each(['new\nline', 'cr\rhere', 'nul\u0000', 'tab\there', 'del\u007f', 'c1\u0085', 'sep\u2028', 'back\\slash', ''])(
    'refuses the id %j for every kind of record, with TW_ID_INVALID, and stores nothing',
    async (bad) => {
      const unit = { creditCode: '91310000MA1FL0AB3C', name: 'x', address: '', districtId: 'D1', safetyOfficerName: 'a', safetyOfficerPhone: '1', principalName: 'b', principalPhone: '2' };
      const attempts = [
        registry.districts.upsert({ id: bad, name: 'x', kind: 'grid', parentId: 'D1' }),
        registry.units.upsert({ id: bad, ...unit }),
        registry.units.upsertMaintenanceCompany({ id: bad, name: 'x', creditCode: null, contactName: '', contactPhone: '', emergencyPhone: '1' }),
        registry.kitchens.upsert({ id: bad, name: 'x', licenceNo: `L-${bad}`, address: '', districtId: 'D1', riskClass: 'B', contactName: '', contactPhone: '', businessHours: '09:00-22:00', publicViewing: false }),
        registry.users.upsert({ id: bad, username: 'idtest', displayName: 'x', role: 'inspector', phone: null, districtId: null, unitId: null, password: 'pw-pw-pw-pw' }),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ code: 'TW_ID_INVALID', status: 400 });
      // and the database refuses it too, whoever writes (migration 0004); NUL cannot even be sent to PostgreSQL
      if (!bad.includes('\u0000')) {
        await expect(registry.db.query(`INSERT INTO districts (id, name, kind) VALUES ($1, 'x', 'grid')`, [bad])).rejects.toThrow(/districts_id_is_key/);
        await expect(registry.db.query(`INSERT INTO maintenance_companies (id, name, emergency_phone) VALUES ($1, 'x', '1')`, [bad])).rejects.toThrow(/maintenance_companies_id_is_key/);
      }
      expect((await registry.districts.list()).map((d) => d.id)).not.toContain(bad);
    },
  );

  it('takes ids with spaces, punctuation and any script', async () => {
    for (const id of ['徐汇 区-1', 'grid 3, north', 'a=b "c" \'d\'', '🛗 G-7']) {
      await registry.districts.upsert({ id, name: id, kind: 'grid', parentId: 'D1' });
      await registry.units.upsertMaintenanceCompany({ id, name: 'x', creditCode: null, contactName: '', contactPhone: '', emergencyPhone: '1' });
    }
    expect((await registry.districts.list()).map((d) => d.id)).toEqual(expect.arrayContaining(['D1', '徐汇 区-1', 'grid 3, north', 'a=b "c" \'d\'', '🛗 G-7']));
  });
});
