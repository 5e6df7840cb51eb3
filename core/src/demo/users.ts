import { demoSecret } from '../crypto/secrets.js';
import type { MaintenanceCompany } from '../registry/types.js';
import type { DemoContext } from './context.js';
import type { DemoUnit, DemoUser } from './types.js';

/** The demo password of a login: derived from the seed, so the demo loader can print it. */
export const demoPassword = (seed: number, username: string) => `demo-${demoSecret(seed, 'user', username).slice(0, 10)}`;

/** One admin, `inspectors` inspectors, the first unit's safety officer as a unit login and the first maintenance company's dispatcher. */
export function demoUsers(ctx: DemoContext, units: DemoUnit[], companies: MaintenanceCompany[], inspectors: number): DemoUser[] {
  const password = (username: string) => demoPassword(ctx.seed, username);
  return [
    { id: 'user-admin', username: 'admin', displayName: '系统管理员', role: 'admin', phone: null, districtId: 'D-310115', unitId: null, password: password('admin') },
    ...Array.from({ length: inspectors }, (_, i) => ({
      id: `user-inspector-${i + 1}`,
      username: `inspector${i + 1}`,
      displayName: `${ctx.person()}（监管人员）`,
      role: 'inspector' as const,
      phone: ctx.phone(),
      districtId: 'D-310115',
      unitId: null,
      password: password(`inspector${i + 1}`),
    })),
    { id: 'user-unit-1', username: 'unit1', displayName: `${units[0]!.name}安全管理员`, role: 'unit', phone: units[0]!.safetyOfficerPhone, districtId: null, unitId: units[0]!.id, password: password('unit1') },
    // the first maintenance company's dispatcher: sees the elevators it maintains (every fifth one)
    {
      id: 'user-maint-1', username: 'maint1', displayName: `${companies[0]!.name}维保调度`, role: 'maintenance', phone: companies[0]!.contactPhone,
      districtId: null, unitId: null, maintenanceCompanyId: companies[0]!.id, password: password('maint1'),
    },
  ];
}
