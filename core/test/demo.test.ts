import { describe, expect, it } from 'vitest';
import { deriveKey, SecretBox, verifySecret, demoSecret } from '@tianwang/core/crypto';
import { generateDemoDistrict, isValidCreditCode, loadDemoDistrict, makeCreditCode, creditCodeCheckChar } from '@tianwang/core/demo';
import { openRegistry } from '@tianwang/core/registry';

describe('demo district', () => {
  const today = '2026-11-22';

  it('is deterministic for a seed and differs between seeds', () => {
    expect(JSON.stringify(generateDemoDistrict(7, { today }))).toBe(JSON.stringify(generateDemoDistrict(7, { today })));
    expect(JSON.stringify(generateDemoDistrict(8, { today }))).not.toBe(JSON.stringify(generateDemoDistrict(7, { today })));
  });

  it('has the documented size and well-formed identities', () => {
    const d = generateDemoDistrict(1, { today });
    expect(d.units).toHaveLength(40);
    expect(d.devices.filter((x) => x.kind === 'elevator')).toHaveLength(200);
    expect(d.devices.filter((x) => x.kind === 'boiler')).toHaveLength(20);
    expect(d.maintenanceCompanies).toHaveLength(5);
    expect(d.kitchens).toHaveLength(30);
    expect(d.cameras.length).toBeGreaterThanOrEqual(30);
    expect(d.cameras.length).toBeLessThanOrEqual(90);
    expect(d.users.filter((u) => u.role === 'inspector')).toHaveLength(5);
    expect(d.users.filter((u) => u.role === 'admin')).toHaveLength(1);
    for (const u of d.units) expect(isValidCreditCode(u.creditCode), u.creditCode).toBe(true);
    for (const e of d.devices.filter((x) => x.kind === 'elevator')) expect(e.registrationCode).toMatch(/^\d{20}$/);
    expect(new Set(d.units.map((u) => u.creditCode)).size).toBe(40);
    // the calendar rules have something to find
    expect(d.devices.some((x) => x.lastMaintenanceOn! < '2026-11-07')).toBe(true);
    expect(d.devices.some((x) => x.inspectionValidUntil! < '2026-12-22')).toBe(true);
    expect(d.cameras.some((c) => c.mode === 'pull')).toBe(true);
    expect(d.kitchens.some((k) => k.publicViewing)).toBe(true);
  });

  it('computes GB 32100 check characters', () => {
    // a published example code: 91350100M000100Y43
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
    expect(isValidCreditCode(makeCreditCode('310115', 'MA1234567'))).toBe(true);
  });

  it('loads into the registry idempotently, storing only hashes and sealed URLs', async () => {
    const registry = await openRegistry();
    try {
      const demo = generateDemoDistrict(3, { today });
      const master = 'x'.repeat(40);
      const first = await loadDemoDistrict(registry, demo, { masterSecret: master });
      expect(first).toMatchObject({ units: 40, devices: 220, kitchens: 30, users: 8 });
      await loadDemoDistrict(registry, demo, { masterSecret: master });
      expect(await registry.devices.count()).toBe(220);
      const auth = await registry.devices.getAuth('EL-00001');
      expect(verifySecret(demoSecret(3, 'device', 'EL-00001'), auth?.credentialHash)).toBe(true);
      const pull = demo.cameras.find((c) => c.mode === 'pull')!;
      const stored = await registry.kitchens.getCamera(pull.id);
      expect(stored.sourceUrlSealed).not.toContain('rtsp://');
      expect(new SecretBox(deriveKey(master, 'camera-url')).open(stored.sourceUrlSealed!)).toBe(pull.sourceUrl);
      const admin = demo.users.find((u) => u.role === 'admin')!;
      expect(await registry.users.authenticate('admin', admin.password)).toMatchObject({ role: 'admin' });
      // the maintenance dispatcher sees its company's elevators; the first canteen is unit1's
      const maint = demo.users.find((u) => u.role === 'maintenance')!;
      expect(await registry.users.authenticate('maint1', maint.password)).toMatchObject({ role: 'maintenance', maintenanceCompanyId: 'M-01' });
      expect(demo.devices.filter((x) => x.maintenanceCompanyId === 'M-01').length).toBeGreaterThan(10);
      const unit1 = demo.users.find((u) => u.username === 'unit1')!;
      expect(demo.kitchens.filter((k) => k.unitId === unit1.unitId)).toHaveLength(1);
      expect((await registry.kitchens.list()).filter((k) => k.unitId === unit1.unitId)).toHaveLength(1);
    } finally {
      await registry.close();
    }
  }, 60_000);
});
