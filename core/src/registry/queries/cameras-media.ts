import { one, type Queryable } from '../db.js';
import { camelRow, camelRows } from '../rows.js';

/** A still picture taken from a live camera as spot-check evidence (table `snapshots`, migration 0001). */
export interface Snapshot {
  id: number;
  cameraId: string;
  takenAt: Date;
  takenBy: string | null;
  /** file path relative to the data folder */
  path: string;
  sha256: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

export type NewSnapshot = Omit<Snapshot, 'id'>;

const COLUMNS = 'id, camera_id, taken_at, taken_by, path, sha256, bytes, width, height';

/** Snapshots (and, later, other camera media) written by streams/. */
export function cameraMediaQueries(db: Queryable) {
  return {
    async insertSnapshot(s: NewSnapshot): Promise<Snapshot> {
      const row = await one<Record<string, unknown>>(
        db,
        `INSERT INTO snapshots (camera_id, taken_at, taken_by, path, sha256, bytes, width, height)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [s.cameraId, s.takenAt, s.takenBy, s.path, s.sha256, s.bytes, s.width, s.height],
      );
      return toSnapshot(row as Record<string, unknown>);
    },
    async getSnapshot(id: number): Promise<Snapshot | undefined> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM snapshots WHERE id = $1`, [id]);
      return row ? toSnapshot(row) : undefined;
    },
    async listSnapshots(cameraId: string, limit = 50): Promise<Snapshot[]> {
      const rows = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM snapshots WHERE camera_id = $1 ORDER BY taken_at DESC LIMIT $2`, [cameraId, limit]);
      return camelRows<Snapshot>(rows).map((s) => ({ ...s, id: Number(s.id) }));
    },
  };
}

function toSnapshot(row: Record<string, unknown>): Snapshot {
  const s = camelRow<Snapshot>(row);
  // bigserial comes back as a string from node-postgres
  return { ...s, id: Number(s.id), takenAt: new Date(s.takenAt) };
}
