import type { Camera, District, Kitchen, MaintenanceCompany, Unit } from '../registry/types.js';
import type { NewDevice } from '../registry/queries/devices.js';
import type { NewUser } from '../registry/queries/users.js';
import type { UNIT_KINDS } from './names.js';

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
/** a demo login: a registry user with its plaintext password (demo only; the registry stores its hash) */
export type DemoUser = Omit<NewUser, 'enabled'>;

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

/** A unit while the district is generated: its profile decides how many elevators and whether a boiler. */
export type DemoUnit = Unit & { profile: (typeof UNIT_KINDS)[number] };
