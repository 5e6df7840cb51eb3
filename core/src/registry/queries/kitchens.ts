import { NotFoundError } from '../../errors/index.js';
import { one, type Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRow, camelRows } from '../rows.js';
import type { Camera, Kitchen } from '../types.js';

const KITCHEN_COLUMNS = 'id, name, licence_no, address, district_id, risk_class, contact_name, contact_phone, business_hours, public_viewing, unit_id';
const CAMERA_COLUMNS = 'id, kitchen_id, area, name, mode, source_url_sealed, publish_credential_hash, recording_enabled, recording_hours, enabled';

export function kitchenQueries(db: Queryable) {
  return {
    async upsert(k: Kitchen): Promise<void> {
      assertRegistryId('kitchen id', k.id);
      await db.query(
        `INSERT INTO kitchens (${KITCHEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, licence_no = EXCLUDED.licence_no, address = EXCLUDED.address,
           district_id = EXCLUDED.district_id, risk_class = EXCLUDED.risk_class, contact_name = EXCLUDED.contact_name,
           contact_phone = EXCLUDED.contact_phone, business_hours = EXCLUDED.business_hours, public_viewing = EXCLUDED.public_viewing,
           unit_id = EXCLUDED.unit_id`,
        [k.id, k.name, k.licenceNo, k.address, k.districtId, k.riskClass, k.contactName, k.contactPhone, k.businessHours, k.publicViewing, k.unitId ?? null],
      );
    },
    async get(id: string): Promise<Kitchen> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${KITCHEN_COLUMNS} FROM kitchens WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`kitchen ${id}`);
      return camelRow<Kitchen>(row);
    },
    async list(filter: { districtId?: string } = {}): Promise<Kitchen[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${KITCHEN_COLUMNS} FROM kitchens WHERE ($1::text IS NULL OR district_id = $1) ORDER BY name`,
        [filter.districtId ?? null],
      );
      return camelRows<Kitchen>(rows);
    },
    async upsertCamera(c: Camera): Promise<void> {
      assertRegistryId('camera id', c.id);
      await db.query(
        `INSERT INTO cameras (${CAMERA_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET kitchen_id = EXCLUDED.kitchen_id, area = EXCLUDED.area, name = EXCLUDED.name, mode = EXCLUDED.mode,
           source_url_sealed = EXCLUDED.source_url_sealed, publish_credential_hash = EXCLUDED.publish_credential_hash,
           recording_enabled = EXCLUDED.recording_enabled, recording_hours = EXCLUDED.recording_hours, enabled = EXCLUDED.enabled`,
        [c.id, c.kitchenId, c.area, c.name, c.mode, c.sourceUrlSealed, c.publishCredentialHash, c.recordingEnabled, c.recordingHours, c.enabled],
      );
    },
    async getCamera(id: string): Promise<Camera> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${CAMERA_COLUMNS} FROM cameras WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`camera ${id}`);
      return camelRow<Camera>(row);
    },
    async listCameras(filter: { kitchenId?: string } = {}): Promise<Camera[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${CAMERA_COLUMNS} FROM cameras WHERE ($1::text IS NULL OR kitchen_id = $1) ORDER BY id`,
        [filter.kitchenId ?? null],
      );
      return camelRows<Camera>(rows);
    },
  };
}
