import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import type { Queryable } from '@tianwang/core/registry';
import { SqlParams } from '../auth/sql-scope.js';

/** Rows an export holds at most (an .xlsx of more is no longer a spreadsheet anyone reads). */
export const EXPORT_MAX_ROWS = 100_000;

/** The query every list takes: page size, opaque cursor, sort, order, and `format=xlsx` for the export. */
export function listQuery<const S extends readonly [string, ...string[]], F extends z.ZodRawShape>(sorts: S, defaultSort: S[number], filters: F, defaultOrder: 'asc' | 'desc' = 'asc') {
  return z.object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(1000).optional().meta({ description: 'nextCursor of the previous page' }),
    sort: z.enum(sorts).default(defaultSort as never),
    order: z.enum(['asc', 'desc']).default(defaultOrder),
    format: z.enum(['json', 'xlsx']).default('json').meta({ description: 'xlsx: every row matching the filters, as an Excel file' }),
    ...filters,
  });
}

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item), nextCursor: z.string().nullable(), total: z.number().int(),
    totalExact: z.boolean().optional().meta({ description: 'false: more rows match than the list counts (total is the cap, show it as "1,000+")' }),
  });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
  /** present (false) only when a capped count stopped at its cap */
  totalExact?: boolean;
}

/**
 * A cursor names the last row of a page by its sort value and id (keyset pagination: a page never repeats or
 * skips rows when rows are added meanwhile). It also carries the sort it was made for: another sort is a 400.
 */
export const encodeCursor = (sort: string, order: string, value: unknown, id: unknown) => Buffer.from(JSON.stringify([sort, order, value, id])).toString('base64url');

export function decodeCursor(cursor: string, sort: string, order: string): [unknown, unknown] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 4 && parsed[0] === sort && parsed[1] === order) return [parsed[2], parsed[3]];
  } catch {
    /* answered below */
  }
  throw new UserError('TW_PAYLOAD_INVALID', 'cursor is malformed or belongs to another sort order');
}

export interface SqlListSpec<T> {
  /** `SELECT` list (without the keyword) */
  select: string;
  /** `FROM …` with joins */
  from: string;
  /** conditions (AND-ed), their parameters in `params` */
  where: string[];
  params: SqlParams;
  /** sort name → SQL expression that is never null */
  sorts: Record<string, string>;
  /** the unique tie-breaker, e.g. `d.id` */
  id: string;
  map: (row: Record<string, unknown>) => T;
  /**
   * Count at most this many rows, from `countFrom` (default `from`: the where must hold on it). For tables that grow
   * without bound (alarms): an exact count of a third of a million rows costs more than the page itself, and nobody
   * pages that far; the answer says `totalExact: false` beyond the cap.
   */
  countCap?: number;
  countFrom?: string;
  /** the count's conditions when they are written differently from the page's (same rows, same `params`) */
  countWhere?: string[];
}

/** Runs a scoped, filtered, sorted list with keyset pagination; `all` (exports) ignores the page size. */
export async function sqlList<T>(db: Queryable, spec: SqlListSpec<T>, q: { limit: number; cursor?: string | undefined; sort: string; order: 'asc' | 'desc' }, all = false): Promise<Page<T>> {
  const sortExpr = spec.sorts[q.sort];
  if (!sortExpr) throw new UserError('TW_PAYLOAD_INVALID', `cannot sort by ${q.sort}`);
  const where = spec.where.length ? spec.where.join(' AND ') : 'TRUE';
  const countParams = [...spec.params.values];
  const p = new SqlParams();
  p.values.push(...spec.params.values);
  let keyset = '';
  if (q.cursor && !all) {
    const [value, id] = decodeCursor(q.cursor, q.sort, q.order);
    keyset = ` AND (${sortExpr}, ${spec.id}) ${q.order === 'asc' ? '>' : '<'} (${p.add(value)}, ${p.add(id)})`;
  }
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  const limit = all ? EXPORT_MAX_ROWS : q.limit + 1;
  // the sort value travels in the cursor as text: a timestamp keeps its microseconds
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${spec.select}, (${sortExpr})::text AS __sort, (${spec.id})::text AS __id ${spec.from} WHERE ${where}${keyset} ORDER BY ${sortExpr} ${dir}, ${spec.id} ${dir} LIMIT ${limit}`,
    p.values,
  );
  const countFrom = spec.countFrom ?? spec.from;
  const cap = spec.countCap;
  const countWhere = spec.countWhere?.length ? spec.countWhere.join(' AND ') : where;
  const [count] = await db.query<{ n: number }>(
    cap === undefined ? `SELECT count(*)::int AS n ${countFrom} WHERE ${countWhere}` : `SELECT count(*)::int AS n FROM (SELECT 1 ${countFrom} WHERE ${countWhere} LIMIT ${cap + 1}) capped`,
    countParams,
  );
  const more = !all && rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  const total = count?.n ?? 0;
  return {
    items: page.map(({ __sort: _s, __id: _i, ...row }) => spec.map(row)),
    nextCursor: more && last ? encodeCursor(q.sort, q.order, last.__sort, last.__id) : null,
    ...(cap !== undefined && total > cap ? { total: cap, totalExact: false } : { total }),
  };
}
