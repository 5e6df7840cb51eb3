import { describe, expect, it } from 'vitest';
import { demoContext } from '../src/demo/context.js';
import { boilerRating, demoBoilers, demoElevators, ratedSpeedFor } from '../src/demo/devices.js';
import { demoKitchens, isCanteen } from '../src/demo/kitchens.js';
import { demoMaintenanceCompanies, demoUnits } from '../src/demo/organisations.js';
import { demoUsers } from '../src/demo/users.js';

const today = '2026-11-22';

describe('demo district parts', () => {
  it('rated speed follows the floors; boiler ratings follow the model name', () => {
    expect([6, 11, 18, 26].map(ratedSpeedFor)).toEqual([1.0, 1.0, 1.75, 2.5]);
    expect(boilerRating('WNS2-1.25-Y(Q)')).toEqual({ ratedPressure: 1.25, safetyValveSet: 1.3 });
    expect(boilerRating('LSS0.5-0.7-Y')).toEqual({ ratedPressure: 0.7, safetyValveSet: 0.73 });
  });

  it('elevators go round the units and companies; boilers only to units whose profile has one', () => {
    const ctx = demoContext(5, today);
    const companies = demoMaintenanceCompanies(ctx, 2);
    const units = demoUnits(ctx, 6);
    const elevators = demoElevators(ctx, units, companies, 12);
    expect(elevators.map((e) => e.unitId)).toEqual([...units, ...units].map((u) => u.id));
    expect(new Set(elevators.map((e) => e.maintenanceCompanyId))).toEqual(new Set(companies.map((c) => c.id)));
    for (const e of elevators) expect(e.rated.ratedSpeed).toBe(ratedSpeedFor(e.rated.floors as number));
    const boilerUnits = new Set(units.filter((u) => u.profile.boiler >= 0.4).map((u) => u.id));
    const boilers = demoBoilers(ctx, units, 4);
    if (boilerUnits.size) for (const b of boilers) expect(boilerUnits.has(b.unitId)).toBe(true);
    expect(boilers.every((b) => b.kind === 'boiler' && b.maintenanceCompanyId === null)).toBe(true);
  });

  it('canteens keep daytime hours, are never public and are run by a using unit in its grid; every kitchen has 1–3 cameras', () => {
    const ctx = demoContext(9, today);
    const units = demoUnits(ctx, 4);
    const { kitchens, cameras } = demoKitchens(ctx, 12, units);
    kitchens.forEach((k, i) => {
      if (isCanteen(i)) {
        expect(k).toMatchObject({ businessHours: '06:00-19:00', publicViewing: false });
        const owner = units.find((u) => u.id === k.unitId);
        expect(owner?.districtId).toBe(k.districtId);
      } else expect(k.unitId).toBeNull();
      const own = cameras.filter((c) => c.kitchenId === k.id);
      expect(own.length).toBeGreaterThanOrEqual(1);
      expect(own.length).toBeLessThanOrEqual(3);
    });
    for (const c of cameras) expect(c.sourceUrl === null).toBe(c.mode === 'push');
  });

  it('one admin, the inspectors asked for, the first unit\'s officer as the unit login and the first company\'s dispatcher', () => {
    const ctx = demoContext(2, today);
    const companies = demoMaintenanceCompanies(ctx, 2);
    const units = demoUnits(ctx, 3);
    const users = demoUsers(ctx, units, companies, 4);
    expect(users.map((u) => u.role)).toEqual(['admin', 'inspector', 'inspector', 'inspector', 'inspector', 'unit', 'maintenance']);
    expect(users.at(-2)).toMatchObject({ unitId: units[0]!.id, phone: units[0]!.safetyOfficerPhone });
    expect(users.at(-1)).toMatchObject({ maintenanceCompanyId: companies[0]!.id, phone: companies[0]!.contactPhone });
    expect(new Set(users.map((u) => u.password)).size).toBe(users.length);
  });
});
