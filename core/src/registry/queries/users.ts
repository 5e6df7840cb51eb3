import { NotFoundError } from '../../errors/index.js';
import { hashPassword, verifyPassword } from '../../crypto/secrets.js';
import { one, type Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRow, camelRows } from '../rows.js';
import type { Role, User } from '../types.js';

const COLUMNS = 'id, username, display_name, role, phone, district_id, unit_id, maintenance_company_id, enabled';

export interface NewUser extends Omit<User, 'enabled' | 'maintenanceCompanyId'> {
  enabled?: boolean;
  maintenanceCompanyId?: string | null;
  password: string;
}

/** What an administrator may change about a user (the password has its own call). */
export type UserPatch = Partial<Pick<User, 'displayName' | 'role' | 'phone' | 'districtId' | 'unitId' | 'maintenanceCompanyId' | 'enabled'>>;

const PATCH_COLUMNS: Record<keyof UserPatch, string> = {
  displayName: 'display_name',
  role: 'role',
  phone: 'phone',
  districtId: 'district_id',
  unitId: 'unit_id',
  maintenanceCompanyId: 'maintenance_company_id',
  enabled: 'enabled',
};

export function userQueries(db: Queryable) {
  return {
    async upsert(u: NewUser): Promise<void> {
      assertRegistryId('user id', u.id);
      const hash = await hashPassword(u.password);
      await db.query(
        `INSERT INTO users (${COLUMNS}, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, display_name = EXCLUDED.display_name, role = EXCLUDED.role,
           phone = EXCLUDED.phone, district_id = EXCLUDED.district_id, unit_id = EXCLUDED.unit_id,
           maintenance_company_id = EXCLUDED.maintenance_company_id, enabled = EXCLUDED.enabled, password_hash = EXCLUDED.password_hash`,
        [u.id, u.username, u.displayName, u.role, u.phone, u.districtId, u.unitId, u.maintenanceCompanyId ?? null, u.enabled ?? true, hash],
      );
    },
    /** Creates a user; a taken id or username is the caller's conflict (unique violation). */
    async create(u: NewUser): Promise<void> {
      const hash = await hashPassword(u.password);
      await db.query(`INSERT INTO users (${COLUMNS}, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
        u.id, u.username, u.displayName, u.role, u.phone, u.districtId, u.unitId, u.maintenanceCompanyId ?? null, u.enabled ?? true, hash,
      ]);
    },
    async get(id: string): Promise<User> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`user ${id}`);
      return camelRow<User>(row);
    },
    async find(id: string): Promise<User | undefined> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return row ? camelRow<User>(row) : undefined;
    },
    async list(filter: { role?: Role; districtId?: string } = {}): Promise<User[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM users WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR district_id = $2) ORDER BY username`,
        [filter.role ?? null, filter.districtId ?? null],
      );
      return camelRows<User>(rows);
    },
    /** Applies a patch; returns the user after it (NotFoundError when there is no such user). */
    async update(id: string, patch: UserPatch): Promise<User> {
      const sets: string[] = [];
      const params: unknown[] = [id];
      for (const [k, col] of Object.entries(PATCH_COLUMNS) as [keyof UserPatch, string][]) {
        if (patch[k] === undefined) continue;
        params.push(patch[k]);
        sets.push(`${col} = $${params.length}`);
      }
      if (!sets.length) return this.get(id);
      const row = await one<Record<string, unknown>>(db, `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, params);
      if (!row) throw new NotFoundError(`user ${id}`);
      return camelRow<User>(row);
    },
    /** Sets a new password and records when (sessions issued before it are revoked by the dashboard). */
    async setPassword(id: string, password: string): Promise<void> {
      const hash = await hashPassword(password);
      const rows = await db.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1 RETURNING id', [id, hash]);
      if (!rows.length) throw new NotFoundError(`user ${id}`);
    },
    /** Whether `password` is the user's current one (a disabled or unknown user: false, in similar time). */
    async checkPassword(id: string, password: string): Promise<boolean> {
      const row = await one<{ password_hash: string; enabled: boolean }>(db, 'SELECT password_hash, enabled FROM users WHERE id = $1', [id]);
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      return ok && !!row?.enabled;
    },
    /** Checks a login. Unknown user and wrong password look the same to the caller (and take similar time). */
    async authenticate(username: string, password: string): Promise<User | undefined> {
      const row = await one<Record<string, unknown> & { password_hash: string }>(
        db,
        `SELECT ${COLUMNS}, password_hash FROM users WHERE username = $1`,
        [username],
      );
      // verify against a dummy hash when the user is unknown, so timing does not reveal which usernames exist
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok || !row.enabled) return undefined;
      await db.query('UPDATE users SET last_login_at = now() WHERE id = $1', [row.id]);
      const { password_hash: _, ...rest } = row;
      return camelRow<User>(rest);
    },
  };
}

// a well-formed scrypt hash of nothing anyone can type: verifying against it costs what a real check costs
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
