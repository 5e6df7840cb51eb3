import { describe, expect, it } from 'vitest';
import { verifySecret } from '../src/crypto/secrets.js';
import { openRegistry } from '../src/registry/index.js';
import { seedTestWorld } from '../src/testing/index.js';

describe('seedTestWorld', () => {
  it('makes D1, U1 and the devices in U1 with secrets the registry checks; a given row field wins', async () => {
    const registry = await openRegistry();
    try {
      const { secrets } = await seedTestWorld(registry, {
        unit: { safetyOfficerPhone: '+8613800009999' },
        maintenanceCompany: {},
        devices: [{ id: 'EL-1', kind: 'elevator', maintenanceCompanyId: 'M1', rated: { floors: 9 } }, { id: 'BL-1', kind: 'boiler', credentialHash: null }],
      });
      expect(Object.keys(secrets)).toEqual(['EL-1']); // a device given a credential hash (none) gets no secret
      const el = await registry.devices.getAuth('EL-1');
      expect(el).toMatchObject({ unitId: 'U1', districtId: 'D1', enabled: true });
      expect(verifySecret(secrets['EL-1']!, el!.credentialHash)).toBe(true);
      const ctx = await registry.devices.context('EL-1');
      expect(ctx).toMatchObject({ safetyOfficerPhone: '+8613800009999', maintenanceCompanyName: '快修电梯', rated: { floors: 9 } });
      expect((await registry.devices.getAuth('BL-1'))?.credentialHash).toBeNull();
    } finally {
      await registry.close();
    }
  });

  it('seeds further areas, units and companies before the devices, so that a device may be in any of them', async () => {
    const registry = await openRegistry();
    try {
      await seedTestWorld(registry, {
        district: { name: '东区' },
        more: {
          areas: [{ id: 'G1', name: '东一网格', kind: 'grid', parentId: 'D1' }, { id: 'D2', name: '西区', kind: 'district', parentId: null }],
          units: [{ id: 'U2', creditCode: '91310000MA1FL0AB3A', name: '西城商场', address: '', districtId: 'D2', safetyOfficerName: '', safetyOfficerPhone: '+8613800000003', principalName: '', principalPhone: '+8613800000004' }],
          maintenanceCompanies: [{ id: 'M2', name: '安达电梯', creditCode: null, contactName: '赵', contactPhone: '+8613900000002', emergencyPhone: '+864007654321' }],
        },
        unit: { districtId: 'G1' },
        devices: [{ id: 'EL-1', kind: 'elevator' }, { id: 'EL-2', kind: 'elevator', unitId: 'U2', maintenanceCompanyId: 'M2' }],
      });
      expect((await registry.districts.list()).map((d) => [d.id, d.name])).toEqual(expect.arrayContaining([['D1', '东区'], ['G1', '东一网格'], ['D2', '西区']]));
      expect(await registry.devices.context('EL-1')).toMatchObject({ unitId: 'U1', districtId: 'G1' });
      expect(await registry.devices.context('EL-2')).toMatchObject({ unitId: 'U2', districtId: 'D2', maintenanceCompanyName: '安达电梯' });
    } finally {
      await registry.close();
    }
  });
});
