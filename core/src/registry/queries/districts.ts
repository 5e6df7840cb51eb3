import { NotFoundError } from '../../errors/index.js';
import { one, type Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRow, camelRows } from '../rows.js';
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
    async get(id: string): Promise<District> {
      const row = await one<Record<string, unknown>>(db, 'SELECT id, name, kind, parent_id FROM districts WHERE id = $1', [id]);
      if (!row) throw new NotFoundError(`district ${id}`);
      return camelRow<District>(row);
    },
    async list(): Promise<District[]> {
      return camelRows<District>(await db.query('SELECT id, name, kind, parent_id FROM districts ORDER BY id'));
    },
    /**
     * A node and every node under it (district → grids → …), walked with a recursive CTE. UNION (not UNION ALL)
     * drops rows already seen, so a cycle in bad data ends the walk instead of looping. Unknown id: [].
     */
    async subtree(rootId: string): Promise<District[]> {
      const rows = await db.query<Record<string, unknown>>(
        `WITH RECURSIVE tree AS (
           SELECT id, name, kind, parent_id FROM districts WHERE id = $1
           UNION
           SELECT d.id, d.name, d.kind, d.parent_id FROM districts d JOIN tree t ON d.parent_id = t.id
         )
         SELECT id, name, kind, parent_id FROM tree ORDER BY id`,
        [rootId],
      );
      return camelRows<District>(rows);
    },
  };
}
