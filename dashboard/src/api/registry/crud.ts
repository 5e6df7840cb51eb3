import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '@tianwang/core/errors';
import { camelRow, type Queryable } from '@tianwang/core/registry';
import type { Scope } from '../../auth/scope.js';
import { SqlParams } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';

/** Columns never copied into an answer or an audit entry. */
const SECRET_COLUMNS = new Set(['credential_hash', 'password_hash', 'source_url_sealed', 'publish_credential_hash']);
const DATE_COLUMNS = ['last_maintenance_on', 'inspection_valid_until', 'done_on', 'inspected_on', 'next_due'];
const JSON_COLUMNS = new Set(['rated', 'items', 'detail']);

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A registry row as the API and the audit log show it: camelCase, dates as YYYY-MM-DD, no secrets. */
export function publicRow(row: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!SECRET_COLUMNS.has(k)) clean[k] = v instanceof Date ? v.toISOString() : v;
  return camelRow<Record<string, unknown>>(clean, DATE_COLUMNS);
}

/**
 * The fields of a validated body that a write may set: only the keys listed (the route's schema), so a column
 * name never comes from a request. Undefined values are left out (a PATCH changes what it names).
 */
export function pick<T extends Record<string, unknown>>(body: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (body[k] !== undefined) out[k] = body[k];
  return out;
}

function sqlValues(fields: Record<string, unknown>): { cols: string[]; values: unknown[] } {
  const cols = Object.keys(fields).map(snake);
  const values = Object.entries(fields).map(([k, v]) => (JSON_COLUMNS.has(snake(k)) ? JSON.stringify(v) : v));
  return { cols, values };
}

/** INSERT … RETURNING the row (camelCase fields in, the whole public row out). */
export async function insertRow(db: Queryable, table: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { cols, values } = sqlValues(fields);
  const [row] = await db.query<Record<string, unknown>>(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`, values);
  return publicRow(row!);
}

/** UPDATE by id, answering the row before and after (locked in between, so the pair is exact). */
export async function updateRow(db: Queryable, table: string, id: string, fields: Record<string, unknown>, what: string): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> }> {
  const [before] = await db.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
  if (!before) throw new NotFoundError(`${what} ${id}`);
  const { cols, values } = sqlValues(fields);
  if (!cols.length) return { before: publicRow(before), after: publicRow(before) };
  // devices and units carry updated_at: the live board re-reads the registry when it moves
  const extra = table === 'devices' || table === 'units' ? ', updated_at = now()' : '';
  const [after] = await db.query<Record<string, unknown>>(`UPDATE ${table} SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}${extra} WHERE id = $1 RETURNING *`, [id, ...values]);
  return { before: publicRow(before), after: publicRow(after!) };
}

/** The fields that differ between two public rows (what an audit entry records as before/after). */
export function changes(before: Record<string, unknown>, after: Record<string, unknown>): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (k === 'updatedAt' || JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
    b[k] = before[k];
    a[k] = after[k];
  }
  return { before: b, after: a };
}

/** One record by id if it is in the caller's scope; else 404, the same as for an id that does not exist. */
export async function oneInScope<T>(
  ctx: ApiContext,
  req: FastifyRequest,
  id: string,
  o: { select: string; from: string; idColumn: string; scope: (scope: Scope, p: SqlParams) => string; what: string; map: (row: Record<string, unknown>) => T },
): Promise<T> {
  const p = new SqlParams();
  const [row] = await ctx.registry.db.query<Record<string, unknown>>(`SELECT ${o.select} ${o.from} WHERE ${o.idColumn} = ${p.add(id)} AND ${o.scope(await scopeOf(ctx, req), p)}`, p.values);
  if (!row) throw new NotFoundError(`${o.what} ${id}`);
  return o.map(row);
}
