import type { DeviceKind } from '../schemas/device-kind.js';

export interface District {
  id: string;
  name: string;
  kind: 'district' | 'grid';
  parentId: string | null;
}

export interface Unit {
  id: string;
  creditCode: string;
  name: string;
  address: string;
  districtId: string;
  safetyOfficerName: string;
  safetyOfficerPhone: string;
  principalName: string;
  principalPhone: string;
}

export interface MaintenanceCompany {
  id: string;
  name: string;
  creditCode: string | null;
  contactName: string;
  contactPhone: string;
  emergencyPhone: string;
}

export interface ElevatorRated {
  ratedSpeed: number;
  ratedLoad: number;
  floors: number;
}
export interface BoilerRated {
  ratedPressure: number;
  ratedCapacity: number;
  safetyValveSet: number;
}

export interface Device {
  id: string;
  kind: DeviceKind;
  registrationCode: string;
  name: string;
  location: string;
  unitId: string;
  maintenanceCompanyId: string | null;
  model: string;
  rated: Partial<ElevatorRated & BoilerRated>;
  telemetryIntervalS: number;
  /** 'YYYY-MM-DD' */
  lastMaintenanceOn: string | null;
  /** 'YYYY-MM-DD' */
  inspectionValidUntil: string | null;
  enabled: boolean;
}

/** What the broker needs to authenticate a device, and ingest to tag its points. */
export interface DeviceAuth {
  id: string;
  kind: DeviceKind;
  enabled: boolean;
  credentialHash: string | null;
  unitId: string;
  districtId: string;
}

export interface Kitchen {
  id: string;
  name: string;
  licenceNo: string;
  address: string;
  districtId: string;
  riskClass: 'A' | 'B' | 'C' | 'D';
  contactName: string;
  contactPhone: string;
  businessHours: string;
  publicViewing: boolean;
  /** the using unit that runs this kitchen (a canteen), if any: it is then in that unit's scope (migration 0004) */
  unitId?: string | null;
}

export type CameraArea = 'cold_dish' | 'raw' | 'cooking' | 'dishwashing' | 'storage' | 'other';

export interface Camera {
  id: string;
  kitchenId: string;
  area: CameraArea;
  name: string;
  mode: 'push' | 'pull';
  sourceUrlSealed: string | null;
  publishCredentialHash: string | null;
  recordingEnabled: boolean;
  recordingHours: string | null;
  enabled: boolean;
}

export type Role = 'admin' | 'inspector' | 'unit' | 'maintenance';
export const ROLES: readonly Role[] = ['admin', 'inspector', 'unit', 'maintenance'];

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  phone: string | null;
  districtId: string | null;
  unitId: string | null;
  /** role maintenance: the company whose elevators the user sees (migration 0004) */
  maintenanceCompanyId: string | null;
  enabled: boolean;
}

export type AuditVia = 'dashboard' | 'sms_link' | 'automatic' | 'api' | 'cli';
export type ActorType = 'user' | 'contact' | 'system' | 'device';

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  actorType: ActorType;
  action: string;
  subjectType: string;
  subjectId: string;
  via: AuditVia;
  detail: Record<string, unknown>;
}
