import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, type Alarm, type Registry } from '@tianwang/core/registry';
import { seedTestWorld } from '@tianwang/core/testing';
import { maintenanceSmsPhone, recipientsOf } from '../src/escalation/recipients.js';

describe('the maintenance company SMS goes to a number that receives SMS', () => {
  it('prefers the emergency line when it is a mobile, else the contact mobile', () => {
    expect(maintenanceSmsPhone('+8613700000007', '+8613900000001')).toBe('+8613700000007');
    // a 400 service number, an 800 number and a Shanghai landline take calls, no SMS
    expect(maintenanceSmsPhone('+864001234567', '+8613900000001')).toBe('+8613900000001');
    expect(maintenanceSmsPhone('8008201234', '13900000001')).toBe('13900000001');
    expect(maintenanceSmsPhone('+86 21 5555 1234', '+8613900000001')).toBe('+8613900000001');
    expect(maintenanceSmsPhone('021-55551234', '+8613900000001')).toBe('+8613900000001');
    // a foreign E.164 number is taken as it is (Twilio delivers it)
    expect(maintenanceSmsPhone('+447700900123', '+8613900000001')).toBe('+447700900123');
    expect(maintenanceSmsPhone('+864001234567', '+862155551234')).toBeUndefined();
    expect(maintenanceSmsPhone(null, null)).toBeUndefined();
  });

  describe('from the registry (PGlite)', () => {
    let registry: Registry;
    beforeAll(async () => {
      registry = await openRegistry();
      // the test world's company has a 400 emergency line, as the demo's companies do
      await seedTestWorld(registry, { maintenanceCompany: {}, devices: [{ id: 'EL-1', kind: 'elevator', maintenanceCompanyId: 'M1' }] });
    });
    afterAll(() => registry.close());

    it("sends a trapped passenger's maintenance stage to the company's contact mobile, not its 400 line", async () => {
      const alarm = { subjectType: 'device', subjectId: 'EL-1' } as Alarm;
      expect(await recipientsOf(registry, alarm, 'maintenance')).toEqual([{ name: '快修电梯', phone: '+8613900000001' }]);
    });
  });
});
