import { NotFoundError } from '../../errors/index.js';
import { one, type Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRow, camelRows } from '../rows.js';
import type { MaintenanceCompany, Unit } from '../types.js';

const UNIT_COLUMNS = 'id, credit_code, name, address, district_id, safety_officer_name, safety_officer_phone, principal_name, principal_phone';
const COMPANY_COLUMNS = 'id, name, credit_code, contact_name, contact_phone, emergency_phone';

export function unitQueries(db: Queryable) {
  return {
    async upsert(u: Unit): Promise<void> {
      assertRegistryId('unit id', u.id);
      await db.query(
        `INSERT INTO units (${UNIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET credit_code = EXCLUDED.credit_code, name = EXCLUDED.name, address = EXCLUDED.address,
           district_id = EXCLUDED.district_id, safety_officer_name = EXCLUDED.safety_officer_name,
           safety_officer_phone = EXCLUDED.safety_officer_phone, principal_name = EXCLUDED.principal_name,
           principal_phone = EXCLUDED.principal_phone, updated_at = now()`,
        [u.id, u.creditCode, u.name, u.address, u.districtId, u.safetyOfficerName, u.safetyOfficerPhone, u.principalName, u.principalPhone],
      );
    },
    async get(id: string): Promise<Unit> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${UNIT_COLUMNS} FROM units WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`unit ${id}`);
      return camelRow<Unit>(row);
    },
    async list(filter: { districtId?: string } = {}): Promise<Unit[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${UNIT_COLUMNS} FROM units WHERE ($1::text IS NULL OR district_id = $1) ORDER BY name`,
        [filter.districtId ?? null],
      );
      return camelRows<Unit>(rows);
    },
    async upsertMaintenanceCompany(c: MaintenanceCompany): Promise<void> {
      assertRegistryId('maintenance company id', c.id);
      await db.query(
        `INSERT INTO maintenance_companies (${COMPANY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, credit_code = EXCLUDED.credit_code, contact_name = EXCLUDED.contact_name,
           contact_phone = EXCLUDED.contact_phone, emergency_phone = EXCLUDED.emergency_phone`,
        [c.id, c.name, c.creditCode, c.contactName, c.contactPhone, c.emergencyPhone],
      );
    },
    async getMaintenanceCompany(id: string): Promise<MaintenanceCompany> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COMPANY_COLUMNS} FROM maintenance_companies WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`maintenance company ${id}`);
      return camelRow<MaintenanceCompany>(row);
    },
    async listMaintenanceCompanies(): Promise<MaintenanceCompany[]> {
      return camelRows<MaintenanceCompany>(await db.query(`SELECT ${COMPANY_COLUMNS} FROM maintenance_companies ORDER BY name`));
    },
  };
}
