import { generateSecret, hashSecret } from '../crypto/secrets.js';
import type { District, MaintenanceCompany, NewDevice, Registry, Unit } from '../registry/index.js';

/** A device of the test world: an id and kind, anything else of its registry row may be given. */
export type TestDevice = Pick<NewDevice, 'id' | 'kind'> & Partial<Omit<NewDevice, 'id' | 'kind'>>;

export interface TestWorldOptions {
  /** fields of the district D1 to change (its name) */
  district?: Partial<Omit<District, 'id' | 'kind' | 'parentId'>>;
  /** fields of the unit U1 to change (its name, its contacts' phones, its district: D1 or one of `more.areas`) */
  unit?: Partial<Omit<Unit, 'id'>>;
  /** a maintenance company M1 (its devices name it with maintenanceCompanyId: 'M1') */
  maintenanceCompany?: Partial<Omit<MaintenanceCompany, 'id'>>;
  /**
   * Further rows for a world with something out of scope (the dashboard's two districts), each kind seeded right
   * after its D1/U1/M1 and before the devices: districts and grids (a grid after its parent), units, companies.
   */
  more?: { areas?: District[]; units?: Unit[]; maintenanceCompanies?: MaintenanceCompany[] };
  /** devices, in U1 unless they name another unit */
  devices?: TestDevice[];
}

export interface TestWorld {
  /** each device's plaintext secret (the registry holds its hash), for devices given without a credentialHash */
  secrets: Record<string, string>;
}

/**
 * The one seeded test world (docs/development.md, "Test helpers"): district D1, unit U1 in it, optionally the
 * maintenance company M1, and the given devices in U1, each with a fresh secret. Services' tests add what is theirs
 * (users, kitchens) on top; the dashboard's two-district scope world (dashboard/test/helpers/world.ts) is this one
 * with `more` rows, U1 in a grid of D1, and devices in other units.
 */
export async function seedTestWorld(registry: Registry, o: TestWorldOptions = {}): Promise<TestWorld> {
  await registry.districts.upsert({ id: 'D1', name: '示范区', ...o.district, kind: 'district', parentId: null });
  for (const a of o.more?.areas ?? []) await registry.districts.upsert(a);
  await registry.units.upsert({
    id: 'U1', creditCode: '91310000MA1FL0AB2C', name: '幸福小区物业', address: '幸福路 1 号', districtId: 'D1',
    safetyOfficerName: '张安全', safetyOfficerPhone: '+8613800000001', principalName: '李负责', principalPhone: '+8613800000002', ...o.unit,
  });
  for (const u of o.more?.units ?? []) await registry.units.upsert(u);
  if (o.maintenanceCompany) {
    await registry.units.upsertMaintenanceCompany({ id: 'M1', name: '快修电梯', creditCode: null, contactName: '王', contactPhone: '+8613900000001', emergencyPhone: '+864001234567', ...o.maintenanceCompany });
  }
  for (const m of o.more?.maintenanceCompanies ?? []) await registry.units.upsertMaintenanceCompany(m);
  const secrets: Record<string, string> = {};
  for (const [i, d] of (o.devices ?? []).entries()) {
    let credentialHash = d.credentialHash;
    if (credentialHash === undefined) {
      secrets[d.id] = generateSecret();
      credentialHash = hashSecret(secrets[d.id]!);
    }
    const n = String(i + 1).padStart(2, '0');
    await registry.devices.upsert({
      registrationCode: d.kind === 'elevator' ? `311031010020190700${n}` : `B${i + 1}`, name: d.id, location: '', unitId: 'U1', maintenanceCompanyId: null,
      model: '', rated: {}, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null, enabled: true, ...d, credentialHash,
    });
  }
  return { secrets };
}
