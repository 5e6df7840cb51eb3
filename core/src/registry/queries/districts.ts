import type { Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRows } from '../rows.js';
import type { District } from '../types.js';

export function districtQueries(db: Queryable) {
  return {
    async upsert(d: District): Promise<void> {
      assertRegistryId('district id', d.id);
      await db.query(
        `INSERT INTO districts (id, name, kind, parent_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id`,
        [d.id, d.name, d.kind, d.parentId],
      );
    },
    async list(): Promise<District[]> {
      return camelRows<District>(await db.query('SELECT id, name, kind, parent_id FROM districts ORDER BY id'));
    },
  };
}
