import pg from 'pg';
import type { Db, Queryable } from './db.js';

// Return DATE columns as 'YYYY-MM-DD' strings (as PGlite does), not as local-midnight Date objects.
pg.types.setTypeParser(1082, (v: string) => v);
// BIGINT (count(*), bigserial) as number: our values stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** A pool against a PostgreSQL server. */
export async function openPostgres(url: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client that loses its server emits 'error' on the pool; without a listener it would crash the process.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  let closed = false;
  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      const res = await pool.query(sql, params);
      return res.rows as T[];
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      // The pool listens for 'error' only on idle clients. A checked-out client whose server goes away between two
      // statements (a PostgreSQL restart) emits 'error' itself, and without a listener Node ends the process; the
      // statement that follows fails anyway, so noting the error is enough. A broken client is destroyed on release.
      let broken: Error | undefined;
      const onError = (err: Error) => (broken ??= err);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn({ query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[] });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken ??= e));
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken ?? false);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
