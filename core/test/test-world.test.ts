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
});
