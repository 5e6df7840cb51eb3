import { demoSecret } from '../crypto/secrets.js';
import type { Camera, District, Kitchen, MaintenanceCompany, Unit } from '../registry/types.js';
import type { NewDevice } from '../registry/queries/devices.js';
import type { Role } from '../registry/types.js';
import { makeCreditCode } from './credit-code.js';
import { BOILER_MODELS, CAMERA_AREAS, CANTEENS, ELEVATOR_MODELS, ESTATES, GIVEN, MAINTENANCE, RESTAURANTS, ROADS, SURNAMES, UNIT_KINDS } from './names.js';
import { SeededRandom } from './random.js';

export interface DemoSizes {
  units: number;
  elevators: number;
  boilers: number;
  maintenanceCompanies: number;
  kitchens: number;
  inspectors: number;
}

export const DEFAULT_DEMO_SIZES: DemoSizes = { units: 40, elevators: 200, boilers: 20, maintenanceCompanies: 5, kitchens: 30, inspectors: 5 };

export interface DemoDevice extends NewDevice {
  /** plaintext secret, derived from the seed (demo only; the registry stores its hash) */
  secret: string;
}
export interface DemoCamera extends Omit<Camera, 'sourceUrlSealed' | 'publishCredentialHash'> {
  secret: string;
  /** pull cameras: the RTSP URL the simulator serves (sealed when loaded) */
  sourceUrl: string | null;
}
export interface DemoUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  phone: string | null;
  districtId: string | null;
  unitId: string | null;
  /** role maintenance: the company whose elevators the user sees */
  maintenanceCompanyId?: string | null;
  password: string;
}

export interface DemoDistrict {
  seed: number;
  districts: District[];
  units: Unit[];
  maintenanceCompanies: MaintenanceCompany[];
  devices: DemoDevice[];
  kitchens: Kitchen[];
  cameras: DemoCamera[];
  users: DemoUser[];
}

const REGION = '310115'; // a fictitious district's 6-digit administrative code
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A believable district, the same for the same seed and day: 40 using units with safety officers and
 * principals, 200 elevators and 20 boilers among them, 5 maintenance companies, 30 kitchens with 1–3
 * cameras (every sixth a canteen run by a using unit, the first by unit1's). Users: 1 admin, 5 inspectors, unit1
 * (a unit's safety officer) and maint1 (the first maintenance company's dispatcher). Some maintenance is overdue
 * and some certificates expire soon, so the calendar rules have something to find. Phone numbers are in a
 * fictitious range.
 */
export function generateDemoDistrict(seed = 1, options: { sizes?: Partial<DemoSizes>; today?: string } = {}): DemoDistrict {
  const sizes = { ...DEFAULT_DEMO_SIZES, ...options.sizes };
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const rnd = new SeededRandom(seed);
  const person = () => rnd.pick(SURNAMES) + rnd.pick(GIVEN);
  const phone = () => `+86139${rnd.digits(8)}`;

  const districts: District[] = [
    { id: 'D-310115', name: '示范区市场监督管理局', kind: 'district', parentId: null },
    ...[1, 2, 3, 4].map((g) => ({ id: `G-${g}`, name: `第${'一二三四'[g - 1]}网格`, kind: 'grid' as const, parentId: 'D-310115' })),
  ];

  const maintenanceCompanies: MaintenanceCompany[] = Array.from({ length: sizes.maintenanceCompanies }, (_, i) => ({
    id: `M-${pad(i + 1, 2)}`,
    name: `${MAINTENANCE[i % MAINTENANCE.length]}有限公司`,
    creditCode: makeCreditCode(REGION, `MA${rnd.digits(6)}${pad(i, 1).slice(-1)}`),
    contactName: person(),
    contactPhone: phone(),
    emergencyPhone: `+86400${rnd.digits(7)}`,
  }));

  const units: (Unit & { profile: (typeof UNIT_KINDS)[number] })[] = Array.from({ length: sizes.units }, (_, i) => {
    const profile = UNIT_KINDS[i % UNIT_KINDS.length] as (typeof UNIT_KINDS)[number];
    const estate = ESTATES[i % ESTATES.length] as string;
    const name = `${estate}${profile.suffix}${i >= ESTATES.length ? `（${Math.floor(i / ESTATES.length) + 1}期）` : ''}`;
    return {
      id: `U-${pad(i + 1, 3)}`,
      creditCode: makeCreditCode(REGION, `MA${rnd.digits(6)}${rnd.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`),
      name,
      address: `示范区${rnd.pick(ROADS)}${rnd.int(1, 999)}号`,
      districtId: `G-${(i % 4) + 1}`,
      safetyOfficerName: person(),
      safetyOfficerPhone: phone(),
      principalName: person(),
      principalPhone: phone(),
      profile,
    };
  });

  // Spread elevators over units by their profile's weight; boilers go to units whose profile has one.
  const devices: DemoDevice[] = [];
  for (let n = 0; n < sizes.elevators; n++) {
    const unit = units[n % units.length]!;
    const id = `EL-${pad(n + 1, 5)}`;
    const year = rnd.int(2008, 2024);
    const floors = rnd.pick([6, 11, 18, 26, 33]);
    const maintAge = rnd.chance(0.12) ? rnd.int(16, 40) : rnd.int(0, 14); // ~12% overdue (> 15 days)
    const inspDays = rnd.chance(0.08) ? rnd.int(-30, 29) : rnd.int(31, 360); // ~8% expired or expiring
    devices.push({
      id,
      kind: 'elevator',
      registrationCode: `3110${REGION}${year}${pad(n + 1, 6)}`,
      name: `${Math.floor(n / units.length) + 1}号电梯`,
      location: `${rnd.int(1, 12)}号楼${rnd.pick(['东', '西', '南', '北', ''])}单元`,
      unitId: unit.id,
      maintenanceCompanyId: maintenanceCompanies[n % maintenanceCompanies.length]!.id,
      model: rnd.pick(ELEVATOR_MODELS),
      rated: { ratedSpeed: floors > 18 ? 2.5 : floors > 11 ? 1.75 : 1.0, ratedLoad: rnd.pick([800, 1000, 1350]), floors },
      telemetryIntervalS: 10,
      lastMaintenanceOn: addDays(today, -maintAge),
      inspectionValidUntil: addDays(today, inspDays),
      secret: demoSecret(seed, 'device', id),
    });
  }
  const boilerUnits = units.filter((u) => u.profile.boiler >= 0.4);
  for (let n = 0; n < sizes.boilers; n++) {
    const unit = boilerUnits[n % boilerUnits.length] ?? units[n % units.length]!;
    const id = `BL-${pad(n + 1, 4)}`;
    const model = rnd.pick(BOILER_MODELS);
    const ratedPressure = model.includes('0.7') ? 0.7 : model.includes('1.0') ? 1.0 : 1.25;
    devices.push({
      id,
      kind: 'boiler',
      registrationCode: `1000${REGION}${rnd.int(2010, 2024)}${pad(n + 1, 6)}`,
      name: `${(n % 2) + 1}号锅炉`,
      location: '锅炉房',
      unitId: unit.id,
      maintenanceCompanyId: null,
      model,
      rated: { ratedPressure, ratedCapacity: rnd.pick([1, 2, 4]), safetyValveSet: Math.round(ratedPressure * 1.04 * 100) / 100 },
      telemetryIntervalS: 10,
      lastMaintenanceOn: addDays(today, -rnd.int(0, 20)),
      inspectionValidUntil: addDays(today, rnd.chance(0.1) ? rnd.int(-10, 29) : rnd.int(31, 360)),
      secret: demoSecret(seed, 'device', id),
    });
  }

  const kitchens: Kitchen[] = [];
  const cameras: DemoCamera[] = [];
  for (let k = 0; k < sizes.kitchens; k++) {
    const canteen = k % 6 === 5;
    const id = `K-${pad(k + 1, 3)}`;
    // a canteen is run by a using unit (the first by unit1's): it is in that unit's scope and its grid
    const owner = canteen ? units[Math.floor(k / 6) % units.length] : undefined;
    const name = canteen ? `${rnd.pick(ESTATES)}${CANTEENS[k % CANTEENS.length]}` : `${rnd.pick(ESTATES)}${RESTAURANTS[k % RESTAURANTS.length]}`;
    kitchens.push({
      id,
      name,
      licenceNo: `JY1${REGION}${rnd.digits(7)}`,
      address: `示范区${rnd.pick(ROADS)}${rnd.int(1, 999)}号`,
      districtId: owner?.districtId ?? `G-${(k % 4) + 1}`,
      riskClass: rnd.pick(['A', 'B', 'B', 'C', 'C', 'D'] as const),
      contactName: person(),
      contactPhone: phone(),
      businessHours: canteen ? '06:00-19:00' : rnd.pick(['09:00-21:00', '10:00-22:00', '06:30-14:00']),
      publicViewing: !canteen && rnd.chance(0.7),
      unitId: owner?.id ?? null,
    });
    const count = rnd.int(1, 3);
    for (let c = 0; c < count; c++) {
      const camId = `CAM-${pad(k + 1, 3)}-${c + 1}`;
      const area = CAMERA_AREAS[c % CAMERA_AREAS.length]!;
      const pull = rnd.chance(0.2);
      const secret = demoSecret(seed, 'camera', camId);
      cameras.push({
        id: camId,
        kitchenId: id,
        area: area.area,
        name: area.zh,
        mode: pull ? 'pull' : 'push',
        // a pull camera's RTSP URL carries its password, as real ones do: it is stored sealed, never shown
        sourceUrl: pull ? `rtsp://${camId}:${secret}@127.0.0.1:8554/${camId}` : null,
        recordingEnabled: true,
        recordingHours: null,
        enabled: true,
        secret,
      });
    }
  }

  const password = (username: string) => `demo-${demoSecret(seed, 'user', username).slice(0, 10)}`;
  const users: DemoUser[] = [
    { id: 'user-admin', username: 'admin', displayName: '系统管理员', role: 'admin', phone: null, districtId: 'D-310115', unitId: null, password: password('admin') },
    ...Array.from({ length: sizes.inspectors }, (_, i) => ({
      id: `user-inspector-${i + 1}`,
      username: `inspector${i + 1}`,
      displayName: `${person()}（监管人员）`,
      role: 'inspector' as const,
      phone: phone(),
      districtId: 'D-310115',
      unitId: null,
      password: password(`inspector${i + 1}`),
    })),
    { id: 'user-unit-1', username: 'unit1', displayName: `${units[0]!.name}安全管理员`, role: 'unit', phone: units[0]!.safetyOfficerPhone, districtId: null, unitId: units[0]!.id, password: password('unit1') },
    // the first maintenance company's dispatcher: sees the elevators it maintains (every fifth one)
    {
      id: 'user-maint-1', username: 'maint1', displayName: `${maintenanceCompanies[0]!.name}维保调度`, role: 'maintenance', phone: maintenanceCompanies[0]!.contactPhone,
      districtId: null, unitId: null, maintenanceCompanyId: maintenanceCompanies[0]!.id, password: password('maint1'),
    },
  ];

  return {
    seed,
    districts,
    units: units.map(({ profile: _, ...u }) => u),
    maintenanceCompanies,
    devices,
    kitchens,
    cameras,
    users,
  };
}
