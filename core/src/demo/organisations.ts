import type { District, MaintenanceCompany } from '../registry/types.js';
import { makeCreditCode } from './credit-code.js';
import { pad, REGION, type DemoContext } from './context.js';
import { ESTATES, MAINTENANCE, ROADS, UNIT_KINDS } from './names.js';
import type { DemoUnit } from './types.js';

/** The market supervision bureau and its four grids. */
export function demoDistricts(): District[] {
  return [
    { id: 'D-310115', name: '示范区市场监督管理局', kind: 'district', parentId: null },
    ...[1, 2, 3, 4].map((g) => ({ id: `G-${g}`, name: `第${'一二三四'[g - 1]}网格`, kind: 'grid' as const, parentId: 'D-310115' })),
  ];
}

export function demoMaintenanceCompanies(ctx: DemoContext, count: number): MaintenanceCompany[] {
  const { rnd } = ctx;
  return Array.from({ length: count }, (_, i) => ({
    id: `M-${pad(i + 1, 2)}`,
    name: `${MAINTENANCE[i % MAINTENANCE.length]}有限公司`,
    creditCode: makeCreditCode(REGION, `MA${rnd.digits(6)}${pad(i, 1).slice(-1)}`),
    contactName: ctx.person(),
    contactPhone: ctx.phone(),
    emergencyPhone: `+86400${rnd.digits(7)}`,
  }));
}

/** Using units in turn by profile (estate, hospital, school…), spread over the four grids. */
export function demoUnits(ctx: DemoContext, count: number): DemoUnit[] {
  const { rnd } = ctx;
  return Array.from({ length: count }, (_, i) => {
    const profile = UNIT_KINDS[i % UNIT_KINDS.length] as (typeof UNIT_KINDS)[number];
    const estate = ESTATES[i % ESTATES.length] as string;
    const name = `${estate}${profile.suffix}${i >= ESTATES.length ? `（${Math.floor(i / ESTATES.length) + 1}期）` : ''}`;
    return {
      id: `U-${pad(i + 1, 3)}`,
      creditCode: makeCreditCode(REGION, `MA${rnd.digits(6)}${rnd.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`),
      name,
      address: `示范区${rnd.pick(ROADS)}${rnd.int(1, 999)}号`,
      districtId: `G-${(i % 4) + 1}`,
      safetyOfficerName: ctx.person(),
      safetyOfficerPhone: ctx.phone(),
      principalName: ctx.person(),
      principalPhone: ctx.phone(),
      profile,
    };
  });
}
