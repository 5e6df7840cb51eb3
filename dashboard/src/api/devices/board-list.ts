import { UserError } from '@tianwang/core/errors';
import { deviceInScope, type Scope } from '../../auth/scope.js';
import { byId, cmpKey, type BoardSort, type Key, type Ordered } from '../../live/board-index.js';
import type { BoardRow } from '../../live/board-row.js';
import { textMatches } from '../../live/board-search.js';
import { decodeCursor, encodeCursor, type Page } from '../list.js';

export { BOARD_SORTS, type BoardSort } from '../../live/board-index.js';

export interface BoardFilter {
  q?: string | undefined;
  kind?: 'elevator' | 'boiler' | undefined;
  /** the district node's subtree (resolved by the caller) */
  districts?: ReadonlySet<string> | undefined;
  unitId?: string | undefined;
  online?: boolean | undefined;
  alarm?: boolean | undefined;
  overdue?: boolean | undefined;
}

/** Whether any filter is set (none: the scope's rows are the answer as they are). */
const anyFilter = (f: BoardFilter) =>
  !!f.q?.trim() || !!f.kind || !!f.districts || !!f.unitId || f.online !== undefined || f.alarm !== undefined || f.overdue !== undefined;

/** Whether a row passes the filters (scope aside); `q`: whether it matches the text searched for, when one is. */
function passes(r: BoardRow, f: BoardFilter, q: ((r: BoardRow) => boolean) | undefined): boolean {
  if (f.kind && r.kind !== f.kind) return false;
  if (f.districts && !f.districts.has(r.districtId)) return false;
  if (f.unitId && r.unitId !== f.unitId) return false;
  if (f.online !== undefined && (r.online === true) !== f.online) return false;
  if (f.alarm !== undefined && r.activeAlarms > 0 !== f.alarm) return false;
  if (f.overdue !== undefined && (r.maintenanceOverdue || r.inspectionExpired || r.inspectionExpiring) !== f.overdue) return false;
  if (q && !q(r)) return false;
  return true;
}

/** Board rows in scope that pass the filters, by a plain pass over every row (the reference the index must agree with). */
export function filterBoard(rows: BoardRow[], scope: Scope, f: BoardFilter): BoardRow[] {
  const q = f.q?.trim().toLowerCase();
  return rows.filter((r) => deviceInScope(scope, r) && passes(r, f, q ? (row) => textMatches(row, q) : undefined));
}

/**
 * The rows of an order (a scope's, from the board index) that pass the filters, in the same order, with their keys.
 * `matching` answers the rows of the whole board a search text matches (BoardIndex.matching, kept between requests).
 */
export function filterOrdered(o: Ordered, f: BoardFilter, matching?: (q: string) => ReadonlySet<BoardRow>): Ordered {
  if (!anyFilter(f)) return o;
  const text = f.q?.trim().toLowerCase();
  const set = text && matching ? matching(text) : undefined;
  const q = text ? (set ? (r: BoardRow) => set.has(r) : (r: BoardRow) => textMatches(r, text)) : undefined;
  const rows: BoardRow[] = [];
  const keys: Key[] | undefined = o.keys ? [] : undefined;
  for (let i = 0; i < o.rows.length; i++) {
    const r = o.rows[i]!;
    if (!passes(r, f, q)) continue;
    rows.push(r);
    keys?.push(o.keys![i]!);
  }
  return { rows, keys };
}

/**
 * Cuts a page after the cursor from rows in ascending (key, id) order (board-index.ts); descending reads them
 * backwards. Nothing is copied but the page itself.
 */
export function pageOfBoard(o: Ordered, q: { sort: BoardSort; order: 'asc' | 'desc'; limit: number; cursor?: string | undefined }, all = false): Page<BoardRow> {
  const n = o.rows.length;
  const desc = q.order === 'desc';
  const sign = desc ? -1 : 1;
  /** the row index at a position of the answer's order */
  const at = (p: number) => (desc ? n - 1 - p : p);
  const keyAt = (p: number): Key => (o.keys ? o.keys[at(p)]! : o.rows[at(p)]!.id);
  let start = 0;
  if (q.cursor && !all) {
    const [value, id] = decodeCursor(q.cursor, q.sort, q.order);
    if ((typeof value !== 'string' && typeof value !== 'number') || typeof id !== 'string') throw new UserError('TW_PAYLOAD_INVALID', 'cursor is malformed');
    // the first row after the cursor's (binary search: the rows are in the same order)
    const after = (p: number) => sign * (cmpKey(keyAt(p), value) || byId(o.rows[at(p)]!.id, id)) > 0;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (after(mid)) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const end = all ? n : Math.min(n, start + q.limit);
  const items: BoardRow[] = [];
  for (let p = start; p < end; p++) items.push(o.rows[at(p)]!);
  const last = end - 1;
  return {
    items,
    nextCursor: !all && end < n && last >= start ? encodeCursor(q.sort, q.order, keyAt(last), o.rows[at(last)]!.id) : null,
    total: n,
  };
}

const ITEMS_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

/**
 * A page as the JSON the list's response schema describes, joined from each row's JSON in UTF-8 (serialized and
 * encoded once per change of the row: BoardState.rowJson). At 200 requests a second the same rows went through the
 * serializer and the UTF-8 encoder again and again: most of a page's CPU once the rows were found.
 */
export function pageJson(page: Page<BoardRow>, rowJson: (r: BoardRow) => Buffer): Buffer {
  const parts: Buffer[] = [ITEMS_OPEN];
  page.items.forEach((r, i) => {
    if (i) parts.push(COMMA);
    parts.push(rowJson(r));
  });
  parts.push(Buffer.from(`],"nextCursor":${JSON.stringify(page.nextCursor)},"total":${page.total}}`));
  return Buffer.concat(parts);
}
