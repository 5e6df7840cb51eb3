import { demoSecret } from '../crypto/secrets.js';
import type { DemoContext } from './context.js';
import type { DemoUnit, DemoUser } from './types.js';

/** The demo password of a login: derived from the seed, so the demo loader can print it. */
export const demoPassword = (seed: number, username: string) => `demo-${demoSecret(seed, 'user', username).slice(0, 10)}`;

/** One admin, `inspectors` inspectors, and the first unit's safety officer as a unit login. */
export function demoUsers(ctx: DemoContext, units: DemoUnit[], inspectors: number): DemoUser[] {
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
  ];
}
