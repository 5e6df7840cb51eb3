import type { Queryable } from '../db.js';
import { NotFoundError } from '../../errors/index.js';
import { camelRow } from '../rows.js';

/** A maintenance visit (维保记录): at least one every 15 days per elevator (TSG T5002). */
export interface MaintenanceRecord {
  id: number;
  deviceId: string;
  /** 'YYYY-MM-DD' */
  doneOn: string;
  companyId: string | null;
  technician: string;
  items: string[];
  note: string;
  createdBy: string;
  createdAt: Date;
}

export type InspectionResult = 'pass' | 'conditional' | 'fail';

/** A periodic inspection (定期检验) by the inspection body, with its result and the next due date. */
export interface InspectionRecord {
  id: number;
  deviceId: string;
  inspectedOn: string;
  result: InspectionResult;
  nextDue: string | null;
  reportNo: string;
  note: string;
  createdBy: string;
  createdAt: Date;
}

export type NewMaintenanceRecord = Omit<MaintenanceRecord, 'id' | 'createdAt'>;
export type NewInspectionRecord = Omit<InspectionRecord, 'id' | 'createdAt'>;

const M_DATES = ['done_on'] as const;
const I_DATES = ['inspected_on', 'next_due'] as const;
export const MAINTENANCE_COLUMNS = 'id::int AS id, device_id, done_on, company_id, technician, items, note, created_by, created_at';
export const INSPECTION_COLUMNS = 'id::int AS id, device_id, inspected_on, result, next_due, report_no, note, created_by, created_at';
export const toMaintenanceRecord = (r: Record<string, unknown>) => camelRow<MaintenanceRecord>(r, M_DATES);
export const toInspectionRecord = (r: Record<string, unknown>) => camelRow<InspectionRecord>(r, I_DATES);

/**
 * Maintenance and inspection records. Adding one also moves the device's calendar dates, in the same
 * statement list (pass a transaction to keep them together with the audit entry):
 * - maintenance: devices.last_maintenance_on becomes the latest visit (a back-dated record never moves it back),
 *   which restarts the 15-day count of the alerts' maintenance_overdue rule;
 * - inspection: devices.inspection_valid_until becomes the next due date for a pass or conditional pass; a
 *   failed inspection leaves the device without a valid certificate (valid until the inspection day).
 */
export function recordQueries(db: Queryable) {
  return {
    async addMaintenance(r: NewMaintenanceRecord): Promise<MaintenanceRecord> {
      const updated = await db.query('UPDATE devices SET last_maintenance_on = GREATEST(last_maintenance_on, $2::date), updated_at = now() WHERE id = $1 RETURNING id', [r.deviceId, r.doneOn]);
      if (!updated.length) throw new NotFoundError(`device ${r.deviceId}`);
      const [row] = await db.query<Record<string, unknown>>(
        `INSERT INTO maintenance_records (device_id, done_on, company_id, technician, items, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${MAINTENANCE_COLUMNS}`,
        [r.deviceId, r.doneOn, r.companyId, r.technician, JSON.stringify(r.items), r.note, r.createdBy],
      );
      return toMaintenanceRecord(row as Record<string, unknown>);
    },
    async addInspection(r: NewInspectionRecord): Promise<InspectionRecord> {
      const validUntil = r.result === 'fail' ? r.inspectedOn : r.nextDue;
      const updated = await db.query('UPDATE devices SET inspection_valid_until = $2::date, updated_at = now() WHERE id = $1 RETURNING id', [r.deviceId, validUntil]);
      if (!updated.length) throw new NotFoundError(`device ${r.deviceId}`);
      const [row] = await db.query<Record<string, unknown>>(
        `INSERT INTO inspection_records (device_id, inspected_on, result, next_due, report_no, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${INSPECTION_COLUMNS}`,
        [r.deviceId, r.inspectedOn, r.result, r.nextDue, r.reportNo, r.note, r.createdBy],
      );
      return toInspectionRecord(row as Record<string, unknown>);
    },
  };
}
