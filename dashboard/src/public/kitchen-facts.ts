import type { Queryable } from '@tianwang/core/registry';

/**
 * What the public may know about a kitchen (阳光厨房 / 外卖放心点): its name, licence number, address, business hours,
 * district, the latest online inspection and a rating derived from the inspections. Never: ids of the registry
 * (the kitchen is named by its random public code), cameras, contacts, inspectors' records or evidence.
 */
export interface PublicKitchen {
  code: string;
  name: string;
  licenceNo: string;
  address: string;
  businessHours: string;
  district: string;
  publicViewing: boolean;
  /** internal: the live grant needs it; never rendered */
  id: string;
}

export interface Inspection {
  result: 'pass' | 'fail';
  recordedAt: Date;
  /** a failed check's rectification: still open, or closed after the re-check */
  rectification: 'open' | 'closed' | null;
}

/**
 * Rating over the recorded online inspections of the last 12 months (docs/dashboard.md "Public kitchen pages"):
 * A 优秀 all passed; B 良好 some failed, every one rectified and closed; C 一般 a rectification is still open;
 * none recorded: not rated.
 */
export type Rating = 'A' | 'B' | 'C' | null;

const COLUMNS = `k.id, k.public_code, k.name, k.licence_no, k.address, k.business_hours, k.public_viewing,
  coalesce(p.name || ' ', '') || d.name AS district`;
const FROM = 'FROM kitchens k JOIN districts d ON d.id = k.district_id LEFT JOIN districts p ON p.id = d.parent_id';
const toKitchen = (r: Record<string, unknown>): PublicKitchen => ({
  id: r.id as string, code: r.public_code as string, name: r.name as string, licenceNo: r.licence_no as string, address: r.address as string,
  businessHours: r.business_hours as string, district: r.district as string, publicViewing: Boolean(r.public_viewing),
});

export async function kitchenByCode(db: Queryable, code: string): Promise<PublicKitchen | undefined> {
  if (!/^[0-9a-f]{8}$/.test(code)) return undefined;
  const [r] = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} ${FROM} WHERE k.public_code = $1`, [code]);
  return r ? toKitchen(r) : undefined;
}

export async function inspections(db: Queryable, kitchenId: string): Promise<{ latest: Inspection | null; rating: Rating }> {
  const rows = await db.query<{ result: 'pass' | 'fail'; recorded_at: unknown; status: string }>(
    `SELECT result, recorded_at, status FROM spot_checks WHERE kitchen_id = $1 AND recorded_at IS NOT NULL AND recorded_at > now() - interval '12 months' ORDER BY recorded_at DESC`, [kitchenId]);
  if (!rows.length) return { latest: null, rating: null };
  const r = rows[0]!;
  const open = (s: string) => s === 'rectifying' || s === 'replied';
  const latest: Inspection = { result: r.result, recordedAt: new Date(String(r.recorded_at instanceof Date ? r.recorded_at.toISOString() : r.recorded_at)), rectification: r.result === 'fail' ? (open(r.status) ? 'open' : 'closed') : null };
  const rating: Rating = rows.some((x) => open(x.status)) ? 'C' : rows.some((x) => x.result === 'fail') ? 'B' : 'A';
  return { latest, rating };
}

export interface DistrictOption {
  id: string;
  name: string;
}

/** top-level districts (the list's filter) */
export const districts = (db: Queryable) => db.query<DistrictOption>('SELECT id, name FROM districts WHERE parent_id IS NULL ORDER BY name');

/** kitchens by district (its whole tree) and name, alphabetically; at most `limit` */
export async function searchKitchens(db: Queryable, f: { district?: string | undefined; q?: string | undefined; limit: number }): Promise<PublicKitchen[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.district) {
    params.push(f.district);
    where.push(`k.district_id IN (WITH RECURSIVE t(id) AS (SELECT id FROM districts WHERE id = $${params.length} UNION SELECT d2.id FROM districts d2 JOIN t ON d2.parent_id = t.id) SELECT id FROM t)`);
  }
  if (f.q) {
    params.push(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(k.name ILIKE $${params.length} OR k.address ILIKE $${params.length})`);
  }
  params.push(f.limit);
  const rows = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY k.name, k.public_code LIMIT $${params.length}`, params);
  return rows.map(toKitchen);
}
