import { NotFoundError } from '../../errors/index.js';
import { hashPassword, verifyPassword } from '../../crypto/secrets.js';
import { one, type Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRow, camelRows } from '../rows.js';
import type { Role, User } from '../types.js';

const COLUMNS = 'id, username, display_name, role, phone, district_id, unit_id, enabled';

export interface NewUser extends Omit<User, 'enabled'> {
  enabled?: boolean;
  password: string;
}

export function userQueries(db: Queryable) {
  return {
    async upsert(u: NewUser): Promise<void> {
      assertRegistryId('user id', u.id);
      const hash = await hashPassword(u.password);
      await db.query(
        `INSERT INTO users (${COLUMNS}, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, display_name = EXCLUDED.display_name, role = EXCLUDED.role,
           phone = EXCLUDED.phone, district_id = EXCLUDED.district_id, unit_id = EXCLUDED.unit_id, enabled = EXCLUDED.enabled,
           password_hash = EXCLUDED.password_hash`,
        [u.id, u.username, u.displayName, u.role, u.phone, u.districtId, u.unitId, u.enabled ?? true, hash],
      );
    },
    async get(id: string): Promise<User> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`user ${id}`);
      return camelRow<User>(row);
    },
    async list(filter: { role?: Role; districtId?: string } = {}): Promise<User[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM users WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR district_id = $2) ORDER BY username`,
        [filter.role ?? null, filter.districtId ?? null],
      );
      return camelRows<User>(rows);
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

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
