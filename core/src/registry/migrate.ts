import { UnexpectedError } from '../errors/index.js';
import type { Db } from './db.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

// Any fixed number: several processes starting at once take turns migrating (PostgreSQL advisory lock).
const LOCK_ID = 7_240_311;

/** Applies the migrations not yet applied, each in its own transaction. Returns the versions applied. */
export async function migrate(db: Db, migrations: Migration[] = MIGRATIONS): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    const done = new Set((await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        // one statement list per migration; runs inside the locked transaction
        for (const statement of splitStatements(m.sql)) await tx.query(statement);
      } catch (err) {
        throw new UnexpectedError('TW_MIGRATION_FAILED', `migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
  });
  return applied;
}

/** Splits SQL on semicolons outside quotes and $$-bodies (migrations are ours, so this small lexer suffices). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  let inQuote = false;
  let inComment = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (inComment) {
      if (c === '\n') inComment = false;
      continue;
    }
    if (!inQuote && !inDollar && c === '-' && next === '-') {
      inComment = true;
      continue;
    }
    if (!inQuote && c === '$' && next === '$') {
      inDollar = !inDollar;
      current += '$$';
      i++;
      continue;
    }
    if (!inDollar && c === "'") inQuote = !inQuote;
    if (c === ';' && !inQuote && !inDollar) {
      if (current.trim()) out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
