import { z } from 'zod';

/** A row of the live board (GET /api/v1/devices, and what a live `device` event patches). docs/dashboard.md */
export const BoardRowSchema = z.object({
  id: z.string(),
  kind: z.enum(['elevator', 'boiler']),
  registrationCode: z.string(),
  name: z.string(),
  location: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  districtId: z.string(),
  districtName: z.string(),
  maintenanceCompanyId: z.string().nullable(),
  enabled: z.boolean(),
  online: z.boolean().nullable().meta({ description: 'null: no status or presence seen yet' }),
  onlineSince: z.number().nullable().meta({ description: 'ms: the last online↔offline change; null unknown' }),
  lastSeen: z.number().nullable().meta({ description: 'ms: the latest message from the device' }),
  telemetry: z.record(z.string(), z.unknown()).nullable().meta({ description: "the latest telemetry, named as core's payload schemas name it" }),
  telemetryTs: z.number().nullable(),
  activeEvents: z.array(z.string()).meta({ description: 'fault/event codes currently raised, e.g. ["11"]' }),
  activeAlarms: z.number().int(),
  maintenanceOverdue: z.boolean().meta({ description: 'elevator: last maintenance more than 15 days ago (TSG T5002)' }),
  inspectionExpiring: z.boolean().meta({ description: 'inspection certificate expires within 30 days' }),
  inspectionExpired: z.boolean(),
});
export type BoardRow = z.output<typeof BoardRowSchema>;

/** The registry's part of a row, read by registry-rows.ts. */
export interface RegistryRow {
  id: string;
  kind: 'elevator' | 'boiler';
  registrationCode: string;
  name: string;
  location: string;
  unitId: string;
  unitName: string;
  districtId: string;
  districtName: string;
  maintenanceCompanyId: string | null;
  enabled: boolean;
  lastMaintenanceOn: string | null;
  inspectionValidUntil: string | null;
  activeAlarms: number;
}

export const REGISTRY_FIELDS = ['kind', 'registrationCode', 'name', 'location', 'unitId', 'unitName', 'districtId', 'districtName', 'maintenanceCompanyId', 'enabled', 'activeAlarms'] as const;

const MAINTENANCE_MAX_DAYS = 15;
const INSPECTION_WARN_DAYS = 30;
const dayNumber = (isoDay: string) => Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / 86_400_000);

/** The calendar marks of a device on `today` (YYYY-MM-DD, local): the same rules as alerts' calendar rules. */
export function calendarMarks(r: Pick<RegistryRow, 'kind' | 'lastMaintenanceOn' | 'inspectionValidUntil'>, today: string): Pick<BoardRow, 'maintenanceOverdue' | 'inspectionExpiring' | 'inspectionExpired'> {
  const t = dayNumber(today);
  const left = r.inspectionValidUntil ? dayNumber(r.inspectionValidUntil) - t : undefined;
  return {
    maintenanceOverdue: r.kind === 'elevator' && !!r.lastMaintenanceOn && t - dayNumber(r.lastMaintenanceOn) > MAINTENANCE_MAX_DAYS,
    inspectionExpired: left !== undefined && left < 0,
    inspectionExpiring: left !== undefined && left >= 0 && left <= INSPECTION_WARN_DAYS,
  };
}

/** Today's date in a time zone, YYYY-MM-DD. */
export function localDay(timeZone: string, at = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** A new device's row: its registry facts and calendar marks, nothing seen of it yet. */
export function emptyRow(r: RegistryRow, marks: ReturnType<typeof calendarMarks>): BoardRow {
  return {
    id: r.id, kind: r.kind, registrationCode: r.registrationCode, name: r.name, location: r.location, unitId: r.unitId, unitName: r.unitName,
    districtId: r.districtId, districtName: r.districtName, maintenanceCompanyId: r.maintenanceCompanyId, enabled: r.enabled,
    online: null, onlineSince: null, lastSeen: null, telemetry: null, telemetryTs: null, activeEvents: [], activeAlarms: r.activeAlarms, ...marks,
  };
}
